/**
 * Operation labels for the waveform report: the compiler writes the operation name into each Q1ASM
 * line's comment ("play X90 q0 (20 ns)"), so a report event maps to its operation through its line.
 * Programs from other tools simply have no labels.
 */

export interface ProgramNotes {
  /** comment text per 1-based line (index = line − 1); "" where a line has no comment */
  comments: string[];
  /** instruction text without label and comment, per line */
  code: string[];
}

export function programComments(program: string): string[] {
  return programNotes(program).comments;
}

export function programNotes(program: string): ProgramNotes {
  const comments: string[] = [], code: string[] = [];
  for (const l of program.split(/\r?\n/)) {
    const k = l.indexOf("#");
    comments.push(k < 0 ? "" : l.slice(k + 1).trim());
    code.push((k < 0 ? l : l.slice(0, k)).replace(/^\s*\w+:/, "").trim());
  }
  return { comments, code };
}

/**
 * Operation label of the instruction on `line`; an uncommented upd_param takes the label of the
 * parameter instructions just before it (set_awg_offs … # Measure q0 offset).
 */
export function lineLabel(notes: ProgramNotes, line: number): string {
  const own = operationLabel(notes.comments[line - 1] ?? "");
  if (own !== "" || !(notes.code[line - 1] ?? "").startsWith("upd_param")) return own;
  for (let l = line - 1; l >= 1 && l >= line - 6; l--) {
    const code = notes.code[l - 1] ?? "";
    if (!/^(set_|reset_ph)/.test(code)) break;
    const lab = operationLabel(notes.comments[l - 1] ?? "");
    if (lab !== "") return lab;
  }
  return "";
}

/** "play Measure q0 (80 ns)" → "Measure q0"; generated waits and init comments give "". */
export function operationLabel(comment: string): string {
  if (comment === "" || comment.startsWith("auto generated") || comment.startsWith("set markers") || comment.startsWith("latency correction") || comment.startsWith("iterator for loop")) return "";
  return comment.replace(/^play\s+/, "").replace(/^setting \w+ for\s+/, "").replace(/\s*\(\d+ ns\)$/, "").replace(/ offset$/, "");
}
