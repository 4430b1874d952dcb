/**
 * What a job's programs leave on the outputs (src/coordinator/session.ts): a `VoltageOffset` in a
 * program (`set_awg_offs`) or a marker it sets (`set_mrk`) is held by the sequencer after the program
 * stops, so it outlives the job unless the session puts it back. Per the idle-value lifecycle it is
 * a runtime change of the job: it reverts to the idle value when the job ends (completed, canceled or
 * error).
 *
 * The sequencers that could hold something are found statically, from the compiled schedule: a
 * program that can stop with a non-zero `set_awg_offs` / `set_mrk` latched (programHolds: e.g. one
 * that ends on `set_awg_offs 0,0` + `upd_param` does not), or a non-zero static AWG offset
 * (`init_offset_awg_path_*`). After the job the session writes their configuration
 * with `offset_awg_path0/1` = 0, which (as in Q1SIM, where the parameters and the instructions share
 * the latched registers) sets the held offsets to 0 and the markers low. A job whose programs leave
 * nothing writes nothing, so an unchanged job still uploads and writes nothing.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { InstrumentCoordinator } from "./coordinator.js";

/** A sequencer whose outputs a job may leave non-idle. */
export interface HeldTarget {
  slot: number;
  seq: number;
}

interface Line {
  label: boolean;
  op: string;
  args: string[];
}

function parseLines(program: string): Line[] {
  const out: Line[] = [];
  for (const raw of program.split("\n")) {
    let text = raw;
    const hash = text.indexOf("#");
    if (hash >= 0) text = text.slice(0, hash);
    let label = false;
    const m = /^\s*[A-Za-z_][\w]*:/.exec(text);
    if (m) {
      label = true;
      text = text.slice(m[0].length);
    }
    const t = text.trim();
    const sp = t.search(/\s/);
    const op = (sp < 0 ? t : t.slice(0, sp)).toLowerCase();
    const args =
      sp < 0
        ? []
        : t
            .slice(sp + 1)
            .split(",")
            .map((a) => a.trim());
    if (label || op) out.push({ label, op, args });
  }
  return out;
}

const COMMITS = new Set(["upd_param", "play", "acquire", "acquire_weighed", "acquire_ttl"]);
const zeros = (l: Line) => l.args.every((a) => a !== "" && !/^R\d+$/i.test(a) && Number(a) === 0);

/**
 * true when the program can stop with a non-zero value latched by `op` (set_awg_offs or set_mrk):
 * false only when every `op` writes zeros, or when the last one in the text writes zeros, is
 * committed (upd_param / play / acquire*) before the program can stop, no label follows it (nothing
 * jumps past it), no `stop` precedes it, and no set_cond can skip its commit.
 */
function leavesNonZero(lines: Line[], op: string): boolean {
  let last = -1;
  let allZero = true;
  for (let i = 0; i < lines.length; i++)
    if (lines[i]!.op === op) {
      last = i;
      if (!zeros(lines[i]!)) allZero = false;
    }
  if (allZero) return false;
  if (!zeros(lines[last]!)) return true;
  if (lines.some((l) => l.op === "set_cond")) return true;
  for (let i = 0; i < last; i++) if (lines[i]!.op === "stop") return true;
  let committed = false;
  for (let i = last + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.label) return true;
    if (COMMITS.has(l.op)) committed = true;
    if (l.op === "stop") return !committed;
  }
  return !committed;
}

/** true when `program` can stop leaving an AWG offset or a marker set (see leavesNonZero). */
export function programHolds(program: string): boolean {
  if (!program.includes("set_awg_offs") && !program.includes("set_mrk")) return false;
  const lines = parseLines(program);
  return leavesNonZero(lines, "set_awg_offs") || leavesNonZero(lines, "set_mrk");
}

const cache = new WeakMap<CompiledSchedule, Map<string, HeldTarget[]>>();

/** The sequencers of `clusterName` that `compiled` may leave holding an offset or a marker. */
export function heldTargets(compiled: CompiledSchedule, clusterName: string): HeldTarget[] {
  let byCluster = cache.get(compiled);
  const hit = byCluster?.get(clusterName);
  if (hit) return hit;
  const out: HeldTarget[] = [];
  for (const m of Object.values(compiled.clusters[clusterName]?.modules ?? {}))
    for (const s of Object.values(m.sequencers)) {
      const st = s.settings;
      if (st.init_offset_awg_path_I !== 0 || st.init_offset_awg_path_Q !== 0 || programHolds(s.sequence.program))
        out.push({ slot: m.slot, seq: s.index });
    }
  if (!byCluster) cache.set(compiled, (byCluster = new Map()));
  byCluster.set(clusterName, out);
  return out;
}

/** Put the held outputs of `targets` back to idle: AWG offsets 0, markers low (the lazy cache follows). */
export async function releaseHeld(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  targets: Iterable<HeldTarget>,
): Promise<void> {
  for (const t of targets)
    await coordinator.writeSequencerParams(clusterName, t.slot, t.seq, { offset_awg_path0: 0, offset_awg_path1: 0 });
}
