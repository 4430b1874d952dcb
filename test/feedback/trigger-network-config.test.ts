/**
 * The driver's sequencer configuration table (src/instruments/sequencer-config.ts) carries the
 * trigger-network parameters: counter thresholds per address in `seq_proc.trg[a − 1]`, the thresholded
 * trigger map in `acq[0].th_acq_trg_map` (readout modules only).
 */
import { describe, expect, it } from "vitest";
import {
  defaultSequencerConfig,
  readConfigParams,
  triggerNetworkParams,
  writeConfigParams,
} from "../../src/instruments/sequencer-config.js";

describe("trigger-network parameters in the sequencer configuration document", () => {
  it("write and read back trigger{a}_count_threshold / _threshold_invert and thresholded_acq_trigger_*", () => {
    const doc = defaultSequencerConfig(true);
    const rejected = writeConfigParams(doc, {
      trigger3_count_threshold: 5,
      trigger3_threshold_invert: true,
      trigger15_count_threshold: 0,
      thresholded_acq_trigger_en: true,
      thresholded_acq_trigger_address: 7,
      thresholded_acq_trigger_invert: false,
    });
    expect(rejected).toStrictEqual([]);
    expect(doc.seq_proc.trg[2]).toStrictEqual({ count_threshold: 5, threshold_invert: true });
    expect(doc.seq_proc.trg[14]).toStrictEqual({ count_threshold: 0, threshold_invert: false });
    expect(doc.seq_proc.trg[0]).toStrictEqual({ count_threshold: 1, threshold_invert: false });
    expect(doc.acq[0]!.th_acq_trg_map).toStrictEqual({ addr: 7, en: true, inv: false });
    const back = readConfigParams(doc);
    expect([
      back.trigger3_count_threshold,
      back.trigger3_threshold_invert,
      back.trigger1_count_threshold,
    ]).toStrictEqual([5, true, 1]);
    expect([back.thresholded_acq_trigger_en, back.thresholded_acq_trigger_address]).toStrictEqual([true, 7]);
    const net = triggerNetworkParams(back);
    expect(Object.keys(net).length).toBe(30 + 3);
    expect(net.trigger3_count_threshold).toBe(5);
  });

  it("a control module takes the counter thresholds but rejects the thresholded trigger map", () => {
    const doc = defaultSequencerConfig(false);
    expect(writeConfigParams(doc, { trigger1_count_threshold: 2, thresholded_acq_trigger_en: true })).toStrictEqual([
      "thresholded_acq_trigger_en",
    ]);
    expect(doc.seq_proc.trg[0]).toStrictEqual({ count_threshold: 2, threshold_invert: false });
    expect(readConfigParams(doc).thresholded_acq_trigger_en).toBeUndefined();
  });
});
