/**
 * Raw per-sequencer acquisitions (qblox-instruments form) → one array per acq channel, in the shape
 * the compiler declared (quantify-backend.md 7.4): AVERAGE [indices], APPEND [repetitions, indices],
 * Trace [1, samples]. Missing or invalid bins are an error: a partial result is never returned.
 */
import type { AcquisitionChannelLayout } from "../contract/compiled-schedule.js";
import type { QbloxAcquisitionEntry } from "../contract/acquisition-data.js";
import { InstrumentError } from "../core/errors.js";

export interface AcquisitionData {
  acq_channel: string;
  protocol: AcquisitionChannelLayout["protocol"];
  bin_mode: AcquisitionChannelLayout["bin_mode"];
  dims: string[];
  shape: number[];
  /** row-major real parts (or the values of real-valued protocols) */
  real: number[];
  /** row-major imaginary parts; null for real-valued protocols */
  imag: number[] | null;
}

const COMPLEX_SEPARATED = new Set(["WeightedIntegratedSeparated", "NumericalSeparatedWeightedIntegration"]);
const THRESHOLDED = new Set(["ThresholdedAcquisition", "WeightedThresholdedAcquisition"]);
const COUNTS = new Set(["TriggerCount", "ThresholdedTriggerCount"]);

export function findEntry(raw: Record<string, QbloxAcquisitionEntry>, layout: AcquisitionChannelLayout): QbloxAcquisitionEntry {
  const e = Object.values(raw).find((a) => a.index === layout.qblox_index);
  if (!e) {
    throw new InstrumentError("ACQUISITION_MISSING", `acquisition index ${layout.qblox_index} of channel "${layout.acq_channel}" is not on sequencer ${layout.sequencer} of ${layout.module}`, {
      path: `acquisitions/${layout.acq_channel}`,
      hint: "prepare() the same compiled schedule that was started; the instrument may have been reset in between",
    });
  }
  return e;
}

/** Shape one channel. `integrationLength` is the sequencer's integration_length_acq (used when the layout has none). */
export function shapeAcquisition(layout: AcquisitionChannelLayout, entry: QbloxAcquisitionEntry, integrationLength: number | null): AcquisitionData {
  const base = { acq_channel: layout.acq_channel, protocol: layout.protocol, bin_mode: layout.bin_mode, dims: layout.dims };
  const where = `acquisitions/${layout.acq_channel}`;
  if (layout.protocol === "Trace") {
    const p0 = entry.acquisition.scope["path0"]?.data ?? [];
    const p1 = entry.acquisition.scope["path1"]?.data ?? [];
    const len = layout.integration_length ?? integrationLength ?? p0.length;
    if (p0.length < len || p1.length < len) {
      throw new InstrumentError("ACQUISITION_INCOMPLETE", `trace of channel "${layout.acq_channel}" has ${Math.min(p0.length, p1.length)} scope samples, expected ${len}`, { path: where, hint: "the scope was not triggered by this sequencer; check scope_acq_sequencer_select and that the run completed" });
    }
    return { ...base, shape: [1, len], real: p0.slice(0, len), imag: p1.slice(0, len) };
  }
  const bins = entry.acquisition.bins;
  const n = layout.num_acq_indices;
  const total = layout.shape.reduce((a, b) => a * b, 1);
  const reps = n > 0 ? Math.round(total / n) : 0;
  const real: number[] = new Array(total);
  const complex = layout.protocol === "SSBIntegrationComplex" || COMPLEX_SEPARATED.has(layout.protocol);
  const imag: number[] | null = complex ? new Array(total) : null;
  const div = layout.protocol === "SSBIntegrationComplex" ? (layout.integration_length ?? integrationLength ?? 1) : 1;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const b = layout.first_bin + i + r * layout.stride;
      const k = r * n + i;
      if (b >= bins.avg_cnt.length) {
        throw new InstrumentError("ACQUISITION_MISSING", `channel "${layout.acq_channel}" needs bin ${b}, but acquisition index ${layout.qblox_index} has ${bins.avg_cnt.length} bins`, { path: where, hint: "recompile and prepare again: the uploaded acquisitions do not match this layout" });
      }
      if (COUNTS.has(layout.protocol)) { real[k] = bins.avg_cnt[b]!; continue; }
      const p0 = bins.integration.path0[b]!, p1 = bins.integration.path1[b]!;
      if (Number.isNaN(p0) || Number.isNaN(p1)) {
        throw new InstrumentError("ACQUISITION_INCOMPLETE", `bin ${b} of channel "${layout.acq_channel}" (repetition ${r}, acq index ${i}) holds no data`, { path: where, hint: "the program did not reach this acquisition; check the sequencer status flags of the run" });
      }
      if (THRESHOLDED.has(layout.protocol)) real[k] = bins.threshold[b]!;
      else if (layout.protocol === "NumericalWeightedIntegration") real[k] = p0 + p1;
      else { real[k] = p0 / div; imag![k] = p1 / div; }
    }
  }
  return { ...base, shape: layout.shape, real, imag };
}
