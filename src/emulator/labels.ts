/**
 * Operation labels for the waveform report: the compiler writes the operation name into each Q1ASM
 * line's comment ("play X90 q0 (20 ns)"), so a report event maps to its operation through its line.
 * Programs from other tools simply have no labels.
 */

/** Comment text per 1-based line (index = line − 1); "" where a line has no comment. */
export function programComments(program: string): string[] {
  return program.split(/\r?\n/).map((l) => {
    const k = l.indexOf("#");
    return k < 0 ? "" : l.slice(k + 1).trim();
  });
}

/** "play Measure q0 (80 ns)" → "Measure q0"; generated waits and init comments give "". */
export function operationLabel(comment: string): string {
  if (comment === "" || comment.startsWith("auto generated") || comment.startsWith("set markers") || comment.startsWith("latency correction") || comment.startsWith("iterator for loop")) return "";
  return comment.replace(/^play\s+/, "").replace(/^setting \w+ for\s+/, "").replace(/\s*\(\d+ ns\)$/, "");
}
