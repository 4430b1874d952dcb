/**
 * The flags of a finished run (src/coordinator/coordinator.ts): unexpected flags go to the hardware
 * log; a FORCED_STOP is SEQUENCER_STOPPED, error flags are SEQUENCER_ERROR. A FORCED_STOP seen while
 * the run goes on stops the run's other sequencers first (stopRunOnForcedStop).
 */
import { InstrumentError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { WriteLog } from "./apply-settings.js";
import type { SequencerRunStatus, UsedSequencer } from "./coordinator-types.js";

export function checkFlags(st: SequencerRunStatus[], record: WriteLog): void {
  for (const s of st)
    for (const f of [...s.infoFlags, ...s.warnFlags])
      if (f !== "ACQ_BINNING_DONE" && !f.startsWith("ACQ_SCOPE_DONE"))
        record(`${s.cluster} slot ${s.slot} seq ${s.sequencer}`, "flag", f);
  const stopped = forcedStopOf(st);
  if (stopped) throw sequencerStopped(stopped);
  const bad = st.filter((s) => s.errFlags.length > 0 || s.status === "ERROR");
  if (bad.length === 0) return;
  const text = bad
    .map((s) => `${s.module} seq${s.sequencer}: ${s.errFlags.join(", ") || "ERROR"}${s.log ? ` (${s.log})` : ""}`)
    .join("; ");
  throw new InstrumentError("SEQUENCER_ERROR", `sequencer error during the run: ${text}`, {
    path: `${bad[0]!.module}/seq${bad[0]!.sequencer}`,
    hint: bad.some((s) => s.errFlags.some((f) => f.includes("UNDERFLOW")))
      ? "the Q1 core fell behind the real-time queue: lengthen short real-time instructions or move classical work out of tight loops"
      : "see the flags and log; fix the program or settings and run again",
    details: { sequencers: bad },
  });
}

/** The first sequencer that reports FORCED_STOP (stopped by a STOP it did not run to), if any. */
export function forcedStopOf(st: readonly SequencerRunStatus[]): SequencerRunStatus | undefined {
  return st.find((s) => s.infoFlags.includes("FORCED_STOP") || s.warnFlags.includes("FORCED_STOP"));
}

/** SEQUENCER_STOPPED naming a sequencer stopped before it finished. */
export function sequencerStopped(stopped: SequencerRunStatus): InstrumentError {
  return new InstrumentError(
    "SEQUENCER_STOPPED",
    `sequencer ${stopped.sequencer} of ${stopped.module} (slot ${stopped.slot}) was stopped before it finished (FORCED_STOP${stopped.log ? `: ${stopped.log}` : ""}): its data is incomplete`,
    {
      path: `${stopped.module}/seq${stopped.sequencer}`,
      hint: "another client or a STOP command ended the run; start it again (one client per sequencer at a time)",
      details: { sequencers: [stopped] },
    },
  );
}

/**
 * A sequencer of the running run was stopped by someone else (`stopped`, FORCED_STOP): the run's data is
 * incomplete whatever the others do, so the run's sequencers not yet done are stopped now (only this
 * run's: another client may be running others of the Cluster) and SEQUENCER_STOPPED names `stopped`.
 */
export async function stopRunOnForcedStop(
  stopped: SequencerRunStatus,
  st: readonly SequencerRunStatus[],
  used: readonly UsedSequencer[],
  done: ReadonlySet<string>,
  driver: (cluster: string) => ClusterDriver,
  record: WriteLog,
): Promise<never> {
  for (const u of used) {
    const s = st.find((x) => x.cluster === u.cluster && x.slot === u.slot && x.sequencer === u.seq);
    if (s !== undefined && done.has(s.state)) continue;
    await driver(u.cluster).stop({ slot: u.slot, seq: u.seq });
    record(
      `${u.cluster} slot ${u.slot} seq ${u.seq}`,
      "stop",
      `${stopped.module} seq${stopped.sequencer} was force-stopped`,
    );
  }
  throw sequencerStopped(stopped);
}
