/**
 * The trigger network in the emulated cluster (src/emulator/trigger-network.ts): a QRM sequencer writes
 * its thresholded result to an address at the end of the window (28 ns grid aligned at wait_sync,
 * 212 ns propagation, 252 ns busy), a QCM sequencer counts it while its latch is enabled and plays
 * under set_cond; a false condition turns the play into its else duration and a "skipped" event.
 */
import { describe, expect, it } from "vitest";
import { runCluster } from "../../src/emulator/cluster.js";
import type { EmuClusterResult, EmuSequencerParams, InputSignalModel } from "../../src/emulator/api.js";
import { conditionHolds } from "../../src/emulator/trigger-network.js";
import { moduleInput } from "../emulator/helpers.js";

const WIN = { events: { fromNs: 0, toNs: 100_000 } };

/** +0.3 on the inputs integrates to a positive sum: bit 1 (threshold 0); −0.3: bit 0. */
const level =
  (bit: (fromNs: number) => 0 | 1): InputSignalModel =>
  ({ fromNs, toNs }) =>
    new Float32Array(toNs - fromNs).fill(bit(fromNs) ? 0.3 : -0.3);

const QRM_TRIGGER: EmuSequencerParams = {
  integration_length_acq: 200,
  demod_en_acq: false,
  thresholded_acq_threshold: 0,
  thresholded_acq_trigger_en: true,
  thresholded_acq_trigger_address: 3,
  thresholded_acq_trigger_invert: false,
};

/**
 * QRM: acquisition window [104, 304) (the QCM's set_latch_en delays the wait_sync release to 4 ns).
 * The trigger leaves at 4 + ceil(300 / 28)·28 = 312 ns and arrives at 524 ns.
 * QCM: latch reset at 8 ns, then the conditional play at 12 + waitNs.
 */
function run(
  waitNs: number,
  opts: {
    bit?: 0 | 1;
    qcm?: EmuSequencerParams;
    qrm?: EmuSequencerParams;
    latch?: boolean;
    cond?: string;
  } = {},
): EmuClusterResult {
  const qrm = ["wait_sync 4", "wait 96", "acquire 0,0,4", "wait 1996", "stop"].join("\n");
  const qcm = [
    ...(opts.latch === false ? ["wait 4"] : ["set_latch_en 1,4"]),
    "wait_sync 4",
    "latch_rst 4",
    `wait ${waitNs}`,
    opts.cond ?? "set_cond 1,4,0,4",
    "play 0,0,4",
    "wait 16",
    "set_cond 0,0,0,0",
    "wait 100",
    "stop",
  ].join("\n");
  return runCluster(
    [
      moduleInput("QCM", [{ program: qcm, waveforms: [new Array(20).fill(0.5)], params: opts.qcm ?? {} }], {}, 1),
      moduleInput(
        "QRM",
        [{ program: qrm, params: { ...QRM_TRIGGER, ...(opts.qrm ?? {}) }, acquisitions: { m: 1 } }],
        {},
        2,
      ),
    ],
    { ...WIN, inputModel: level(() => opts.bit ?? 1) },
  );
}

const conditional = (r: EmuClusterResult) =>
  r.events
    .filter((e) => e.slot === 1 && (e.kind === "play" || e.kind === "skipped"))
    .map((e) => [e.kind, e.startNs, e.durationNs]);

describe("trigger network in the emulator", () => {
  it("the trigger arrives 212 ns after the grid point following the window end: a play at 524 ns sees it, one at 520 ns does not", () => {
    expect(conditional(run(512))).toStrictEqual([["play", 524, 20]]);
    // one grid step earlier: the counter is still 0, so the play becomes its 4 ns else duration
    expect(conditional(run(508))).toStrictEqual([["skipped", 520, 4]]);
    const r = run(508);
    expect(r.events.find((e) => e.kind === "skipped")!.skipped).toBe("play");
    // the thresholded bit itself was 1 (the bin holds it)
    const bins = r.modules.find((m) => m.slot === 2)!.sequencers[0]!.acquisitions["m"]!;
    expect(bins.acquisition.bins.threshold).toStrictEqual([1]);
  });

  it("a thresholded 0 sends nothing (a 1 with thresholded_acq_trigger_invert); NOR plays on the missing trigger", () => {
    expect(conditional(run(600, { bit: 0 }))).toStrictEqual([["skipped", 612, 4]]);
    expect(conditional(run(600, { bit: 0, qrm: { thresholded_acq_trigger_invert: true } }))).toStrictEqual([
      ["play", 612, 20],
    ]);
    expect(conditional(run(600, { bit: 0, cond: "set_cond 1,4,1,4" }))).toStrictEqual([["play", 612, 20]]);
    // another address's bit: the mask selects address 3 only
    expect(conditional(run(600, { qrm: { thresholded_acq_trigger_address: 2 } }))).toStrictEqual([["skipped", 612, 4]]);
  });

  it("counters count only while the latch is enabled; the count threshold and its inversion decide the bit", () => {
    expect(conditional(run(600, { latch: false }))).toStrictEqual([["skipped", 612, 4]]);
    expect(conditional(run(600, { qcm: { trigger3_count_threshold: 2 } }))).toStrictEqual([["skipped", 612, 4]]);
    expect(conditional(run(600, { qcm: { trigger3_threshold_invert: true } }))).toStrictEqual([["skipped", 612, 4]]);
    expect(conditional(run(600, { qcm: { trigger3_count_threshold: 0 }, bit: 0 }))).toStrictEqual([["play", 612, 20]]);
  });

  it("latch_rst clears the counters: a reset after the arrival loses the trigger", () => {
    const qrm = ["wait_sync 4", "wait 96", "acquire 0,0,4", "wait 1996", "stop"].join("\n");
    const qcm = (resetAt: number) =>
      [
        "set_latch_en 1,4",
        "wait_sync 4",
        `wait ${resetAt - 8}`,
        "latch_rst 4",
        `wait ${700 - resetAt - 4}`,
        "set_cond 1,4,0,4",
        "play 0,0,4",
        "wait 16",
        "set_cond 0,0,0,0",
        "stop",
      ].join("\n");
    const go = (resetAt: number) =>
      conditional(
        runCluster(
          [
            moduleInput("QCM", [{ program: qcm(resetAt), waveforms: [new Array(20).fill(0.5)] }], {}, 1),
            moduleInput("QRM", [{ program: qrm, params: QRM_TRIGGER, acquisitions: { m: 1 } }], {}, 2),
          ],
          { ...WIN, inputModel: level(() => 1) },
        ),
      );
    // arrival at 524: a reset at 520 comes before it (counted), one at 524 clears it (ties: counted, then cleared)
    expect(go(520)).toStrictEqual([["play", 700, 20]]);
    expect(go(524)).toStrictEqual([["skipped", 700, 4]]);
  });

  it("a second trigger within 252 ns of the first is lost (TRIGGER_NETWORK_CONFLICT on the sender)", () => {
    // two QRM sequencers on one address, windows ending 12 ns apart
    const qrmA = ["wait_sync 4", "wait 96", "acquire 0,0,4", "wait 1996", "stop"].join("\n");
    const qrmB = ["wait_sync 4", "wait 108", "acquire 0,0,4", "wait 1984", "stop"].join("\n");
    const qcm = [
      "set_latch_en 1,4",
      "wait_sync 4",
      "latch_rst 4",
      "wait 988",
      "set_cond 1,4,0,4",
      "play 0,0,4",
      "wait 16",
      "set_cond 0,0,0,0",
      "stop",
    ].join("\n");
    const r = runCluster(
      [
        moduleInput(
          "QCM",
          [{ program: qcm, waveforms: [new Array(20).fill(0.5)], params: { trigger3_count_threshold: 2 } }],
          {},
          1,
        ),
        moduleInput(
          "QRM",
          [
            { program: qrmA, params: QRM_TRIGGER, acquisitions: { m: 1 } },
            { program: qrmB, params: QRM_TRIGGER, acquisitions: { m: 1 } },
          ],
          {},
          2,
        ),
      ],
      { ...WIN, inputModel: level(() => 1) },
    );
    // only one trigger counted: threshold 2 not reached
    expect(conditional(r)).toStrictEqual([["skipped", 1000, 4]]);
    const b = r.modules.find((m) => m.slot === 2)!.sequencers[1]!.status;
    expect(b.warn_flags).toStrictEqual(["TRIGGER_NETWORK_CONFLICT"]);
    expect(b.log[0]).toContain("trigger network is busy until 564 ns");
  });

  it("set_cond operators over the selected address bits", () => {
    // bits: address 1 true, address 2 false; mask selects both
    const m = 0b11,
      bits = 0b01;
    expect([0, 1, 2, 3, 4, 5].map((op) => conditionHolds(op, m, bits))).toStrictEqual([
      true, // OR
      false, // NOR
      false, // AND
      true, // NAND
      true, // XOR: one true bit
      false, // XNOR
    ]);
    expect(conditionHolds(2, m, 0b11)).toBe(true);
    expect(conditionHolds(5, m, 0b11)).toBe(true);
  });
});
