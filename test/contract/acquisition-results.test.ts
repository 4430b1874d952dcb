import { describe, expect, it } from "vitest";
import type { QbloxAcquisitionEntry } from "../../src/contract/acquisition-data.js";
import {
  findAcquisitionEntry,
  shapeAcquisition,
  toAcquisitionData,
  type AcquisitionResult,
} from "../../src/contract/acquisition-results.js";
import type { AcquisitionChannelLayout, BinMode, Protocol } from "../../src/contract/compiled-schedule.js";
import { InstrumentError, Q1ForgeError } from "../../src/core/errors.js";
import { completeAcquisition } from "../../src/coordinator/acquisitions.js";

/** Layout of channel "c" on qblox index 3: AVERAGE [n] (stride 0) or APPEND [reps, n] (stride n). */
function layout(
  protocol: Protocol,
  bin_mode: BinMode,
  n: number,
  reps = 1,
  extra: Partial<AcquisitionChannelLayout> = {},
): AcquisitionChannelLayout {
  const append = bin_mode === "append";
  return {
    acq_channel: "c",
    protocol,
    bin_mode,
    shape: append ? [reps, n] : [n],
    dims: append ? ["repetition", "acq_index_c"] : ["acq_index_c"],
    cluster: "cluster0",
    module: "cluster0_module2",
    sequencer: 0,
    port_clock: "q0:res-q0.ro",
    qblox_index: 3,
    first_bin: 0,
    num_acq_indices: n,
    stride: append ? n : 0,
    integration_length: 100,
    loop_repetitions: [],
    coords: null,
    ...extra,
  };
}

/** Normalised bins (NaN path = a bin without data, as qblox-instruments reports valid = 0). */
function entry(
  bins: { p0: number[]; p1: number[]; thr?: number[]; cnt?: number[] },
  scope?: { p0: number[]; p1: number[] },
): QbloxAcquisitionEntry {
  const n = bins.p0.length;
  return {
    index: 3,
    acquisition: {
      scope: scope
        ? {
            path0: { data: scope.p0, "out-of-range": false, avg_cnt: 1 },
            path1: { data: scope.p1, "out-of-range": false, avg_cnt: 1 },
          }
        : {},
      bins: {
        integration: { path0: bins.p0, path1: bins.p1 },
        threshold: bins.thr ?? new Array<number>(n).fill(0),
        avg_cnt: bins.cnt ?? new Array<number>(n).fill(1),
      },
    },
  };
}

const values = (r: AcquisitionResult) => ({
  shape: r.shape,
  re: Array.from(r.re),
  im: r.im ? Array.from(r.im) : null,
  gap: r.gap?.code ?? null,
});

describe("shapeAcquisition: value rule per protocol × bin mode (quantify-backend.md 7.4)", () => {
  const bins = entry({
    p0: [50, -20, 4, 8, 12, 16],
    p1: [10, 30, 1, 2, 3, 4],
    thr: [0.25, 1, 0, 1, 0.5, 0],
    cnt: [3, 0, 7, 1, 2, 5],
  });

  it("SSBIntegrationComplex average: (path0 + i·path1) / integration length", () => {
    expect(values(shapeAcquisition(layout("SSBIntegrationComplex", "average", 2), bins, null))).toEqual({
      shape: [2],
      re: [0.5, -0.2],
      im: [0.1, 0.3],
      gap: null,
    });
  });
  it("SSBIntegrationComplex append: repetition r of acq index i from bin first_bin + i + r·stride", () => {
    expect(values(shapeAcquisition(layout("SSBIntegrationComplex", "append", 2, 3), bins, null))).toEqual({
      shape: [3, 2],
      re: [0.5, -0.2, 0.04, 0.08, 0.12, 0.16],
      im: [0.1, 0.3, 0.01, 0.02, 0.03, 0.04],
      gap: null,
    });
  });
  it("SSBIntegrationComplex: the sequencer's integration length when the layout has none, else the driver default 1024", () => {
    const l = layout("SSBIntegrationComplex", "average", 1, 1, { integration_length: null });
    expect(Array.from(shapeAcquisition(l, bins, 50).re)).toEqual([1]);
    expect(Array.from(shapeAcquisition(l, bins, null).re)).toEqual([50 / 1024]);
  });
  it("SSBIntegrationComplex average with first_bin 2", () => {
    expect(
      values(shapeAcquisition(layout("SSBIntegrationComplex", "average", 2, 1, { first_bin: 2 }), bins, null)),
    ).toEqual({ shape: [2], re: [0.04, 0.08], im: [0.01, 0.02], gap: null });
  });
  for (const p of ["NumericalSeparatedWeightedIntegration", "WeightedIntegratedSeparated"] as const) {
    it(`${p} append and average: path0 + i·path1, not normalised`, () => {
      expect(values(shapeAcquisition(layout(p, "append", 1, 3), bins, null))).toEqual({
        shape: [3, 1],
        re: [50, -20, 4],
        im: [10, 30, 1],
        gap: null,
      });
      expect(values(shapeAcquisition(layout(p, "average", 2), bins, null))).toEqual({
        shape: [2],
        re: [50, -20],
        im: [10, 30],
        gap: null,
      });
    });
  }
  it("NumericalWeightedIntegration append and average: path0 + path1 as a complex value with zero imaginary part", () => {
    expect(values(shapeAcquisition(layout("NumericalWeightedIntegration", "append", 2, 2), bins, null))).toEqual({
      shape: [2, 2],
      re: [60, 10, 5, 10],
      im: [0, 0, 0, 0],
      gap: null,
    });
    expect(values(shapeAcquisition(layout("NumericalWeightedIntegration", "average", 1), bins, null))).toEqual({
      shape: [1],
      re: [60],
      im: [0],
      gap: null,
    });
  });
  for (const p of ["ThresholdedAcquisition", "WeightedThresholdedAcquisition"] as const) {
    it(`${p} average and append: the threshold bin (fraction of 1s), real-valued`, () => {
      expect(values(shapeAcquisition(layout(p, "average", 2), bins, null))).toEqual({
        shape: [2],
        re: [0.25, 1],
        im: null,
        gap: null,
      });
      expect(values(shapeAcquisition(layout(p, "append", 1, 3), bins, null))).toEqual({
        shape: [3, 1],
        re: [0.25, 1, 0],
        im: null,
        gap: null,
      });
    });
  }
  it("TriggerCount append and sum: the count (avg_cnt) per bin, real-valued", () => {
    expect(values(shapeAcquisition(layout("TriggerCount", "append", 1, 4), bins, null))).toEqual({
      shape: [4, 1],
      re: [3, 0, 7, 1],
      im: null,
      gap: null,
    });
    expect(values(shapeAcquisition(layout("TriggerCount", "sum", 2), bins, null))).toEqual({
      shape: [2],
      re: [3, 0],
      im: null,
      gap: null,
    });
  });
  it("Trace average: scope path0[:L] + i·path1[:L], shape [1, L]", () => {
    const e = entry({ p0: [NaN], p1: [NaN] }, { p0: [0.1, 0.2, 0.3, 0.4, 0.5], p1: [-0.1, -0.2, -0.3, -0.4, -0.5] });
    const l = layout("Trace", "average", 1, 1, {
      shape: [1, 4],
      dims: ["acq_index_c", "trace_index_c"],
      integration_length: 4,
    });
    expect(values(shapeAcquisition(l, e, null))).toEqual({
      shape: [1, 4],
      re: [0.1, 0.2, 0.3, 0.4],
      im: [-0.1, -0.2, -0.3, -0.4],
      gap: null,
    });
  });
});

describe("shapeAcquisition: values without data", () => {
  const holes = entry({ p0: [50, NaN], p1: [10, NaN], thr: [1, NaN], cnt: [1, 0] });

  it("an empty bin is NaN (complex protocols) or −1 (thresholded) and is named in `gap`", () => {
    const ssb = shapeAcquisition(layout("SSBIntegrationComplex", "average", 2), holes, null);
    expect(values(ssb)).toEqual({ shape: [2], re: [0.5, NaN], im: [0.1, NaN], gap: "ACQUISITION_INCOMPLETE" });
    expect(ssb.gap).toEqual({
      code: "ACQUISITION_INCOMPLETE",
      bin: 1,
      repetition: 0,
      acq_index: 1,
      message: 'bin 1 of channel "c" (repetition 0, acq index 1) holds no data',
      hint: "the program did not reach this acquisition; check the sequencer status flags of the run",
    });
    expect(values(shapeAcquisition(layout("ThresholdedAcquisition", "average", 2), holes, null))).toEqual({
      shape: [2],
      re: [1, -1],
      im: null,
      gap: "ACQUISITION_INCOMPLETE",
    });
  });
  it("a bin beyond the acquisition's bins is ACQUISITION_MISSING", () => {
    const r = shapeAcquisition(layout("SSBIntegrationComplex", "append", 1, 3), holes, null);
    expect(values(r)).toEqual({
      shape: [3, 1],
      re: [0.5, NaN, NaN],
      im: [0.1, NaN, NaN],
      gap: "ACQUISITION_INCOMPLETE",
    });
    const beyond = shapeAcquisition(layout("TriggerCount", "append", 1, 3), holes, null);
    expect(values(beyond)).toEqual({ shape: [3, 1], re: [1, 0, NaN], im: null, gap: "ACQUISITION_MISSING" });
    expect(beyond.gap?.message).toBe('channel "c" needs bin 2, but acquisition index 3 has 2 bins');
  });
  it("no acquisition with the layout's Qblox index: every value empty, ACQUISITION_MISSING", () => {
    expect(
      findAcquisitionEntry({ "0": { ...holes, index: 0 } }, layout("SSBIntegrationComplex", "average", 2)),
    ).toBeUndefined();
    const r = shapeAcquisition(layout("ThresholdedAcquisition", "average", 2), undefined, null);
    expect(values(r)).toEqual({ shape: [2], re: [-1, -1], im: null, gap: "ACQUISITION_MISSING" });
    expect(r.gap?.message).toBe('acquisition index 3 of channel "c" is not on sequencer 0 of cluster0_module2');
  });
  it("a trace with fewer scope samples than the integration length", () => {
    const e = entry({ p0: [NaN], p1: [NaN] }, { p0: [0.5, 0.25], p1: [0, 1] });
    const r = shapeAcquisition(layout("Trace", "average", 1, 1, { shape: [1, 3], integration_length: 3 }), e, null);
    expect(values(r)).toEqual({ shape: [1, 3], re: [0.5, 0.25, NaN], im: [0, 1, NaN], gap: "ACQUISITION_INCOMPLETE" });
    expect(r.gap?.message).toBe('trace of channel "c" has 2 scope samples, expected 3');
  });
});

describe("shapeAcquisition: what the contract cannot shape", () => {
  it("ThresholdedTriggerCount (no threshold in the contract) and TriggerCount distribution are refused", () => {
    const e = entry({ p0: [0], p1: [0] });
    for (const l of [layout("ThresholdedTriggerCount", "append", 1), layout("TriggerCount", "distribution", 1)]) {
      let err: unknown;
      try {
        shapeAcquisition(l, e, null);
      } catch (x) {
        err = x;
      }
      expect(err).toBeInstanceOf(Q1ForgeError);
      expect([(err as Q1ForgeError).code, (err as Q1ForgeError).path]).toEqual([
        "ACQUISITION_UNSUPPORTED",
        "acquisitions/c",
      ]);
    }
  });
});

describe("coordinator and JSON form", () => {
  it("toAcquisitionData: number arrays, imag null for real-valued protocols", () => {
    const e = entry({ p0: [50], p1: [10], thr: [1] });
    expect(toAcquisitionData(shapeAcquisition(layout("SSBIntegrationComplex", "average", 1), e, null))).toEqual({
      acq_channel: "c",
      protocol: "SSBIntegrationComplex",
      bin_mode: "average",
      dims: ["acq_index_c"],
      shape: [1],
      real: [0.5],
      imag: [0.1],
    });
    expect(toAcquisitionData(shapeAcquisition(layout("ThresholdedAcquisition", "average", 1), e, null))).toMatchObject({
      real: [1],
      imag: null,
    });
  });
  it("completeAcquisition refuses a result with a gap (InstrumentError with the gap's code)", () => {
    const e = entry({ p0: [NaN], p1: [NaN] });
    let err: unknown;
    try {
      completeAcquisition(layout("SSBIntegrationComplex", "average", 1), { "3": e }, null);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(InstrumentError);
    expect((err as InstrumentError).toJSON()).toEqual({
      error: "InstrumentError",
      code: "ACQUISITION_INCOMPLETE",
      message: 'bin 0 of channel "c" (repetition 0, acq index 0) holds no data',
      path: "acquisitions/c",
      hint: "the program did not reach this acquisition; check the sequencer status flags of the run",
    });
    expect(
      completeAcquisition(layout("SSBIntegrationComplex", "average", 1), { "3": entry({ p0: [50], p1: [10] }) }, null)
        .real,
    ).toEqual([0.5]);
  });
});
