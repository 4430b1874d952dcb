/**
 * THE acquisition-result shaper: normalised acquisition data (qblox-instruments' get_acquisitions()
 * form, acquisition-data.ts) → one array per acq channel, in the shape the compiled schedule declares
 * (quantify-backend.md 7.4): AVERAGE / SUM [acq indices], APPEND [repetitions, acq indices] with the
 * value of repetition r at bin `first_bin + i + r·stride`, Trace [1, samples]. The value rule per
 * protocol comes from the protocol table (core/protocols.ts).
 *
 * Used by the instrument coordinator (real or virtual Cluster) and by simulate() (emulator), so both
 * return the same numbers for the same bins. The shaper never throws for missing data: a value with
 * nothing behind it is NaN (−1 for thresholded protocols, as quantify reports it) and the first such
 * value is described in `gap`; the coordinator refuses a result with a gap, simulate() shows it.
 */
import { Q1ForgeError } from "../core/errors.js";
import { DEFAULT_INTEGRATION_LENGTH_NS, PROTOCOLS, type BinValueRule } from "../core/protocols.js";
import type { QbloxAcquisitionEntry } from "./acquisition-data.js";
import type { AcquisitionChannelLayout, BinMode, CompiledSchedule, Protocol } from "./compiled-schedule.js";

/** The first value of a channel that has no data behind it. */
export interface AcquisitionGap {
  /** ACQUISITION_MISSING: the bin or acquisition is not there at all; ACQUISITION_INCOMPLETE: it holds no data */
  code: "ACQUISITION_MISSING" | "ACQUISITION_INCOMPLETE";
  message: string;
  hint: string;
  /** bin of the Qblox acquisition index (null for a Trace or a missing acquisition) */
  bin: number | null;
  repetition: number | null;
  acq_index: number | null;
}

export interface AcquisitionResult {
  acq_channel: string;
  protocol: Protocol;
  bin_mode: BinMode;
  dims: string[];
  shape: number[];
  /** row-major real parts (APPEND: repetition-major) */
  re: Float64Array;
  /** row-major imaginary parts; null for real-valued protocols (protocol table `result: "real"`) */
  im: Float64Array | null;
  /** the first value without data (null when every value was recorded) */
  gap: AcquisitionGap | null;
}

/** JSON-ready form of a result (number arrays, `real` / `imag`), as the coordinator returns it. */
export interface AcquisitionData {
  acq_channel: string;
  protocol: Protocol;
  bin_mode: BinMode;
  dims: string[];
  shape: number[];
  /** row-major real parts (or the values of real-valued protocols) */
  real: number[];
  /** row-major imaginary parts; null for real-valued protocols */
  imag: number[] | null;
}

/** The acquisition of `raw` (one sequencer's get_acquisitions()) that holds the layout's Qblox index. */
export function findAcquisitionEntry(
  raw: Record<string, QbloxAcquisitionEntry>,
  layout: AcquisitionChannelLayout,
): QbloxAcquisitionEntry | undefined {
  return Object.values(raw).find((a) => a.index === layout.qblox_index);
}

/** integration_length_acq of the layout's sequencer in `compiled` (null when the settings give none). */
export function sequencerIntegrationLength(
  compiled: CompiledSchedule,
  layout: AcquisitionChannelLayout,
): number | null {
  const mod = compiled.clusters[layout.cluster]?.modules[layout.module];
  const seq = mod ? Object.values(mod.sequencers).find((s) => s.index === layout.sequencer) : undefined;
  return seq?.settings.integration_length_acq ?? null;
}

/** Value of a rule for a bin without data (quantify-backend.md 7.4: thresholded NaN → −1). */
const EMPTY_VALUE: Readonly<Record<BinValueRule, number>> = {
  integration_per_length: NaN,
  integration: NaN,
  integration_sum: NaN,
  threshold: -1,
  count: NaN,
  count_threshold: -1,
  scope: NaN,
};

/**
 * Shape one channel. `entry` is the acquisition holding the layout's Qblox index (undefined when the
 * sequencer has none); `integrationLength` is the sequencer's integration_length_acq, used when the
 * layout gives none (and the driver default of 1024 ns when neither does).
 */
export function shapeAcquisition(
  layout: AcquisitionChannelLayout,
  entry: QbloxAcquisitionEntry | undefined,
  integrationLength: number | null,
): AcquisitionResult {
  const info = PROTOCOLS[layout.protocol];
  const rule = info.value;
  const where = `acquisitions/${layout.acq_channel}`;
  if (rule === "count_threshold" || (rule === "count" && layout.bin_mode === "distribution")) {
    throw new Q1ForgeError(
      "ACQUISITION_UNSUPPORTED",
      `channel "${layout.acq_channel}" uses ${layout.protocol} with bin mode ${layout.bin_mode}, which q1forge cannot shape`,
      {
        path: where,
        hint:
          rule === "count_threshold"
            ? "the compiled schedule does not carry the count threshold and condition this protocol compares with; read the raw counts (TriggerCount, append) instead"
            : "use bin mode append or sum: the distribution histogram is not part of the compiled-schedule contract",
      },
    );
  }
  const length = layout.integration_length ?? integrationLength ?? DEFAULT_INTEGRATION_LENGTH_NS;
  const shape = rule === "scope" ? [1, length] : layout.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const re = new Float64Array(size).fill(EMPTY_VALUE[rule]);
  const im = info.result === "complex" ? new Float64Array(size).fill(NaN) : null;
  const out: AcquisitionResult = {
    acq_channel: layout.acq_channel,
    protocol: layout.protocol,
    bin_mode: layout.bin_mode,
    dims: layout.dims,
    shape,
    re,
    im,
    gap: null,
  };
  if (!entry) {
    out.gap = {
      code: "ACQUISITION_MISSING",
      bin: null,
      repetition: null,
      acq_index: null,
      message: `acquisition index ${layout.qblox_index} of channel "${layout.acq_channel}" is not on sequencer ${layout.sequencer} of ${layout.module}`,
      hint: "prepare() the same compiled schedule that was started; the instrument may have been reset in between",
    };
    return out;
  }
  if (rule === "scope") {
    shapeTrace(out, entry, length);
    return out;
  }
  const bins = entry.acquisition.bins;
  const n = layout.num_acq_indices;
  const reps = n > 0 ? Math.round(size / n) : 0;
  const div = rule === "integration_per_length" ? length : 1;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) {
      const b = layout.first_bin + i + r * layout.stride;
      const k = r * n + i;
      if (b >= bins.avg_cnt.length) {
        out.gap ??= {
          code: "ACQUISITION_MISSING",
          bin: b,
          repetition: r,
          acq_index: i,
          message: `channel "${layout.acq_channel}" needs bin ${b}, but acquisition index ${layout.qblox_index} has ${bins.avg_cnt.length} bins`,
          hint: "recompile and prepare again: the uploaded acquisitions do not match this layout",
        };
        continue;
      }
      if (rule === "count") {
        re[k] = bins.avg_cnt[b]!;
        continue;
      }
      const p0 = bins.integration.path0[b]!,
        p1 = bins.integration.path1[b]!;
      if (Number.isNaN(p0) || Number.isNaN(p1)) {
        out.gap ??= {
          code: "ACQUISITION_INCOMPLETE",
          bin: b,
          repetition: r,
          acq_index: i,
          message: `bin ${b} of channel "${layout.acq_channel}" (repetition ${r}, acq index ${i}) holds no data`,
          hint: "the program did not reach this acquisition; check the sequencer status flags of the run",
        };
        continue;
      }
      switch (rule) {
        case "threshold":
          re[k] = bins.threshold[b]!;
          break;
        case "integration_sum":
          re[k] = p0 + p1;
          im![k] = 0;
          break;
        case "integration_per_length":
        case "integration":
          re[k] = p0 / div;
          im![k] = p1 / div;
          break;
      }
    }
  }
  return out;
}

/** Trace: scope path0[:L] + i·path1[:L] (the hardware has already averaged). */
function shapeTrace(out: AcquisitionResult, entry: QbloxAcquisitionEntry, length: number): void {
  const p0 = entry.acquisition.scope["path0"]?.data ?? [];
  const p1 = entry.acquisition.scope["path1"]?.data ?? [];
  const have = Math.min(p0.length, p1.length, length);
  for (let k = 0; k < have; k++) {
    out.re[k] = p0[k]!;
    out.im![k] = p1[k]!;
  }
  if (have < length) {
    out.gap = {
      code: "ACQUISITION_INCOMPLETE",
      bin: null,
      repetition: null,
      acq_index: null,
      message: `trace of channel "${out.acq_channel}" has ${Math.min(p0.length, p1.length)} scope samples, expected ${length}`,
      hint: "the scope was not triggered by this sequencer; check scope_acq_sequencer_select and that the run completed",
    };
  }
}

/** The JSON-ready form (number arrays; a result with a gap is still converted, NaN / −1 included). */
export function toAcquisitionData(r: AcquisitionResult): AcquisitionData {
  return {
    acq_channel: r.acq_channel,
    protocol: r.protocol,
    bin_mode: r.bin_mode,
    dims: r.dims,
    shape: r.shape,
    real: Array.from(r.re),
    imag: r.im ? Array.from(r.im) : null,
  };
}
