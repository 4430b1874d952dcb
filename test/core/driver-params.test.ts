import { describe, expect, it } from "vitest";
import type { ModuleSettings } from "../../src/contract/compiled-schedule.js";
import { moduleSettingsToParams } from "../../src/contract/driver-params.js";

const SETTINGS: ModuleSettings = {
  offset_ch0_path_I: 0.1,
  offset_ch0_path_Q: -0.2,
  offset_ch1_path_I: 0.3,
  offset_ch1_path_Q: null,
  in0_gain: 4,
  in1_gain: null,
  distortion_corrections: [],
  out0_lo_freq_cal_type_default: "off",
  out1_lo_freq_cal_type_default: "off",
  lo_freq: [5e9, null],
  out_att: [],
  in_att: [],
  rf_output_on: null,
  scope_acq_sequencer_select: 2,
  scope_acq_trigger_mode: null,
  scope_acq_avg_mode_en: null,
};

describe("compiled module settings → driver parameters", () => {
  it("one offset per DAC (at most the four compiled offsets), RF offsets mV → V", () => {
    expect(moduleSettingsToParams(SETTINGS, "QCM")).toEqual({
      out_offset: [0.1, -0.2, 0.3, 0],
      scope_acq_sequencer_select: 2,
    });
    expect(moduleSettingsToParams(SETTINGS, "QRM")).toEqual({
      out_offset: [0.1, -0.2],
      in_gain: [4, 0],
      scope_acq_sequencer_select: 2,
      scope_acq_avg_mode_en: true,
    });
    expect(moduleSettingsToParams(SETTINGS, "QRM_RF")).toEqual({
      out_offset: [0.1e-3, -0.2e-3],
      lo_freq: [5e9, 0],
      scope_acq_sequencer_select: 2,
      scope_acq_avg_mode_en: true,
    });
    expect(moduleSettingsToParams(SETTINGS, "QRC").out_offset).toEqual([0.1e-3, -0.2e-3, 0.3e-3, 0]);
  });

  it("the QTM (no DACs, no analog inputs) gets no offsets, gains or scope settings", () => {
    expect(moduleSettingsToParams(SETTINGS, "QTM")).toEqual({ out_offset: [], scope_acq_sequencer_select: 2 });
  });
});
