/**
 * Size limits of simulate() (docs/robustness.md), checked before the emulator allocates anything in
 * proportion to them: the render window (samples per output) and the acquisition bins of the compiled
 * schedule it is given (which may come from a file, not from the compiler).
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { ValueRangeError } from "../core/errors.js";

/** Widest render window: 2,000,000 ns (2 ms) of 1 GS/s samples per output. */
export const MAX_SIMULATE_WINDOW_NS = 2_000_000;
/** Most bins one acquisition may declare (a sequencer's bin memory). */
export const MAX_SIMULATE_BINS = 131_072;

/** from / to in seconds (as the options give them) → a window in ns, or a typed error naming the option. */
export function checkSimulateWindow(fromNs: number, toNs: number): void {
  const seconds = (ns: number) => `${ns / 1e9} s`;
  const hint =
    'give --from / --to in seconds or with a unit: "2 us", 2e-6 (a bare number is seconds, so --to 2000 means 2000 s)';
  if (!Number.isFinite(fromNs) || fromNs < 0)
    throw new ValueRangeError("SIMULATE_WINDOW", `the window starts at ${seconds(fromNs)}; it must be a time ≥ 0`, {
      path: "from",
      hint,
    });
  if (!Number.isFinite(toNs) || toNs <= fromNs)
    throw new ValueRangeError(
      "SIMULATE_WINDOW",
      `the window ends at ${seconds(toNs)}, not after its start at ${seconds(fromNs)}`,
      { path: "to", hint },
    );
  if (toNs - fromNs > MAX_SIMULATE_WINDOW_NS)
    throw new ValueRangeError(
      "SIMULATE_WINDOW",
      `the window ${seconds(fromNs)} … ${seconds(toNs)} spans ${toNs - fromNs} ns, more than the ${MAX_SIMULATE_WINDOW_NS} ns simulate renders at once`,
      { path: "to", hint: `render at most 2 ms per call (e.g. --from 0 --to "2 ms"); ${hint}` },
    );
}

/** Every acquisition's num_bins and every layout's size within MAX_SIMULATE_BINS. */
export function checkSimulateBins(compiled: CompiledSchedule): void {
  for (const [cname, cluster] of Object.entries(compiled.clusters))
    for (const [mname, mod] of Object.entries(cluster.modules))
      for (const [sname, seq] of Object.entries(mod.sequencers))
        for (const [aname, acq] of Object.entries(seq.sequence.acquisitions))
          if (!(Number.isInteger(acq.num_bins) && acq.num_bins >= 0 && acq.num_bins <= MAX_SIMULATE_BINS))
            throw new ValueRangeError(
              "SIMULATE_BINS",
              `acquisition "${aname}" of ${mname}.${sname} declares ${acq.num_bins} bins, more than the ${MAX_SIMULATE_BINS} a sequencer holds`,
              {
                path: `/clusters/${cname}/modules/${mname}/sequencers/${sname}/sequence/acquisitions/${aname}/num_bins`,
                hint: "recompile the schedule: the compiler never declares more bins than the module holds",
              },
            );
  for (const [ch, l] of Object.entries(compiled.acquisitions)) {
    const size = l.shape.reduce((a, b) => a * b, 1);
    if (!(Number.isInteger(size) && size >= 0 && size <= MAX_SIMULATE_BINS))
      throw new ValueRangeError(
        "SIMULATE_BINS",
        `acquisition channel "${ch}" has shape [${l.shape.join(", ")}] (${size} values), more than the ${MAX_SIMULATE_BINS} a sequencer holds`,
        { path: `/acquisitions/${ch}/shape`, hint: "recompile the schedule" },
      );
  }
}
