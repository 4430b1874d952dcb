/**
 * Acquisitions as the coordinator returns them: the shared shaper (contract/acquisition-results.ts)
 * applied to the driver's get_acquisitions() data, and a typed error instead of a partial result —
 * a run reported done whose data has a gap is not returned.
 */
import type { QbloxAcquisitionEntry } from "../contract/acquisition-data.js";
import {
  findAcquisitionEntry,
  shapeAcquisition,
  toAcquisitionData,
  type AcquisitionData,
} from "../contract/acquisition-results.js";
import type { AcquisitionChannelLayout } from "../contract/compiled-schedule.js";
import { InstrumentError } from "../core/errors.js";
import { PROTOCOLS } from "../core/protocols.js";

export type { AcquisitionData };

/**
 * One channel from the acquisitions of its sequencer. `integrationLength` is the sequencer's
 * integration_length_acq (used when the layout has none). Throws ACQUISITION_MISSING /
 * ACQUISITION_INCOMPLETE naming the first value without data.
 */
export function completeAcquisition(
  layout: AcquisitionChannelLayout,
  raw: Record<string, QbloxAcquisitionEntry>,
  integrationLength: number | null,
  repetitions?: number,
): AcquisitionData {
  const entry = findAcquisitionEntry(raw, layout);
  const r = shapeAcquisition(layout, entry, integrationLength);
  if (r.gap)
    throw new InstrumentError(r.gap.code, r.gap.message, {
      path: `acquisitions/${layout.acq_channel}`,
      hint: r.gap.hint,
    });
  if (entry) checkBinCounts(layout, entry, repetitions);
  return toAcquisitionData(r);
}

/**
 * Every bin the layout reads must have been acquired by the run, as often as the bin mode says:
 * APPEND bins exactly once, AVERAGE bins a positive multiple of the schedule's repetitions (once per
 * repetition and enclosing loop iteration), SUM / FIRST bins at least once. A valid bin with a count of
 * 0 (whose value the driver cannot normalise) or with another count is refused with
 * ACQUISITION_COUNT_MISMATCH naming the bin and the sequencer. TriggerCount keeps its count in
 * avg_cnt, so only its validity is checked.
 */
export function checkBinCounts(
  layout: AcquisitionChannelLayout,
  entry: QbloxAcquisitionEntry,
  repetitions: number | undefined,
): void {
  const rule = PROTOCOLS[layout.protocol].value;
  if (rule === "scope") return;
  const bins = entry.acquisition.bins;
  const n = layout.num_acq_indices;
  const size = layout.shape.reduce((a, b) => a * b, 1);
  const reps = n > 0 ? Math.round(size / n) : 0;
  const where = `sequencer ${layout.sequencer} of ${layout.module}`;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const b = layout.first_bin + i + r * layout.stride;
      const cnt = bins.avg_cnt[b] ?? 0;
      const fail = (expected: string) =>
        new InstrumentError(
          "ACQUISITION_COUNT_MISMATCH",
          `bin ${b} of channel "${layout.acq_channel}" on ${where} holds ${cnt} acquisition(s), expected ${expected}`,
          {
            path: `acquisitions/${layout.acq_channel}`,
            hint: "the data was not (fully) acquired by this run — another client may have used the sequencer, or the run was cut short; run again",
            details: {
              bin: b,
              repetition: r,
              acq_index: i,
              count: cnt,
              sequencer: layout.sequencer,
              module: layout.module,
            },
          },
        );
      if (rule === "count") {
        if (Number.isNaN(bins.integration.path0[b])) throw fail("a valid bin");
        continue;
      }
      if (layout.bin_mode === "append") {
        if (cnt !== 1) throw fail("1 (bin mode append)");
      } else if (layout.bin_mode === "average") {
        const per = repetitions ?? 1;
        if (cnt < 1 || cnt % per !== 0) throw fail(`a positive multiple of the ${per} repetition(s)`);
      } else if (cnt < 1) throw fail("at least 1");
    }
  }
}
