/**
 * Errors of a run that did not finish (src/coordinator/coordinator.ts): waitDone()'s RUN_TIMEOUT and
 * retrieveAcquisitions()'s RUN_NOT_DONE.
 */
import { InstrumentError, type Q1ForgeError } from "../core/errors.js";
import type { RunState, SequencerRunStatus } from "./coordinator-types.js";

/** RUN_TIMEOUT naming the sequencers not yet in one of the `done` states. */
export function runTimeout(
  st: readonly SequencerRunStatus[],
  timeoutMs: number,
  done: ReadonlySet<string>,
): InstrumentError {
  const busy = st.filter((s) => !done.has(s.state)).map((s) => `${s.module} seq${s.sequencer} (${s.state})`);
  return new InstrumentError("RUN_TIMEOUT", `run not finished after ${timeoutMs} ms: ${busy.join(", ")} still busy`, {
    path: busy[0] ?? null,
    hint: "raise the timeout, or look for a sequencer waiting on wait_sync / a trigger; the next start() stops it",
  });
}

/** RUN_NOT_DONE for acquisitions requested before the run is done (`failure`: why a failed run failed). */
export function acquisitionsNotDone(state: RunState, failure: Q1ForgeError | null): InstrumentError {
  return new InstrumentError(
    "RUN_NOT_DONE",
    `acquisitions requested while the run is ${state === "running" ? "still running" : state}`,
    {
      path: "acquisitions()",
      hint:
        state === "running"
          ? "call waitDone() first"
          : state === "failed"
            ? `the run failed (${failure?.message ?? "see the hardware log"}); its data is not returned`
            : "prepare() and start() a run first",
    },
  );
}
