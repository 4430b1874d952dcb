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
): AcquisitionData {
  const r = shapeAcquisition(layout, findAcquisitionEntry(raw, layout), integrationLength);
  if (r.gap)
    throw new InstrumentError(r.gap.code, r.gap.message, {
      path: `acquisitions/${layout.acq_channel}`,
      hint: r.gap.hint,
    });
  return toAcquisitionData(r);
}
