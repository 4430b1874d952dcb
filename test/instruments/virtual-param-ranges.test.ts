/**
 * Range checks of the virtual Cluster's settable parameters over real TCP (issue 9): every class of
 * module and sequencer parameter is checked as the instrument (qblox-instruments' validators)
 * does; an out-of-range value is answered with an SCPI error entry and the old value is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { InstrumentReportedError } from "../../src/instruments/instrument-errors.js";
import type { SequencerConfigParams } from "../../src/instruments/sequencer-config.js";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";

let vc: VirtualCluster;
let drv: ClusterDriver;
let t: ScpiTransport;
beforeAll(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF,10:QRC", emulate: false });
  const addr = await vc.start();
  drv = await ClusterDriver.connect({ ...addr, timeoutMs: 5000 });
  t = new ScpiTransport({ ...addr, timeoutMs: 5000 });
});
afterAll(async () => {
  await t.close();
  await drv.close();
  await vc.stop();
});

/** The instrument's first error entry of a rejected driver call. */
async function refused(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InstrumentReportedError);
  const errs = (e as InstrumentReportedError).instrumentErrors;
  expect(errs).toHaveLength(1);
  return errs[0]!;
}

describe("module parameters (AFE, LO, markers)", () => {
  const offsets: [string, number, string, number, number, string][] = [
    // what, slot, name, accepted, refused, message
    ["QCM", 2, "out0_offset", -2.5, 2.6, "out0_offset of slot 2 (QCM): 2.6 V is outside -2.5..2.5 V"],
    ["QRM", 4, "out1_offset", 0.5, -0.51, "out1_offset of slot 4 (QRM): -0.51 V is outside -0.5..0.5 V"],
    ["QCM_RF", 6, "out1_offset_path0", 73, 73.5, "out1_offset_path0 of slot 6 (QCM_RF): 73.5 mV is outside -84..73 mV"],
    ["QRM_RF", 8, "out0_offset_path1", -84, -85, "out0_offset_path1 of slot 8 (QRM_RF): -85 mV is outside -84..73 mV"],
  ];
  it.each(offsets)("output offset of the %s", async (_, slot, name, ok, bad, message) => {
    await drv.setModuleParam(slot, name, ok);
    expect(await refused(drv.setModuleParam(slot, name, bad))).toEqual({
      code: -222,
      message: `Data out of range; ${message}`,
    });
    expect(await drv.moduleParam(slot, name)).toBe(ok);
  });

  it("input gain: −6…26 dB in 1 dB steps", async () => {
    await drv.setModuleParam(4, "in0_gain", 26);
    expect(await refused(drv.setModuleParam(4, "in0_gain", 27))).toEqual({
      code: -222,
      message: "Data out of range; in0_gain of slot 4 (QRM): 27 dB is outside -6..26 dB",
    });
    expect(await refused(drv.setModuleParam(4, "in0_gain", 3.5))).toEqual({
      code: -224,
      message: "Illegal parameter value; in0_gain of slot 4 (QRM): 3.5 dB is not an integer (-6..26 dB)",
    });
    expect(await drv.moduleParam(4, "in0_gain")).toBe(26);
  });

  it("attenuations: outputs 0…60 dB and inputs 0…30 dB in 2 dB steps (QRC 0.5 dB); AFE:ATT:OUT#:MAX?", async () => {
    await drv.setModuleParam(6, "out1_att", 60);
    expect(await refused(drv.setModuleParam(6, "out1_att", 62))).toEqual({
      code: -222,
      message: "Data out of range; out1_att of slot 6 (QCM_RF): 62 dB is outside 0..60 dB",
    });
    expect(await refused(drv.setModuleParam(6, "out1_att", 5))).toEqual({
      code: -224,
      message: "Illegal parameter value; out1_att of slot 6 (QCM_RF): 5 dB is not a multiple of 2 dB (0..60 dB)",
    });
    expect(await drv.moduleParam(6, "out1_att")).toBe(60);
    await drv.setModuleParam(8, "in0_att", 30);
    expect(await refused(drv.setModuleParam(8, "in0_att", 32))).toEqual({
      code: -222,
      message: "Data out of range; in0_att of slot 8 (QRM_RF): 32 dB is outside 0..30 dB",
    });
    expect(await drv.moduleParam(8, "in0_att")).toBe(30);
    await drv.setModuleParam(10, "out3_att", 12.5);
    expect(await refused(drv.setModuleParam(10, "out3_att", 12.25))).toMatchObject({ code: -224 });
    expect(await drv.moduleParam(10, "out3_att")).toBe(12.5);
    expect(await t.query("SLOT6:AFE:ATT:OUT1:MAX?")).toBe("60");
    await t.query("SLOT2:AFE:ATT:OUT0:MAX?", { check: false });
    expect(await t.query("SYSTem:ERRor:NEXT?", { check: false })).toBe(
      '-113,"Undefined header; AFE:ATT:OUT0:MAX on slot 2 (QCM)"',
    );
  });

  it("LO frequency 2…18 GHz", async () => {
    await drv.setModuleParam(6, "lo0_freq", 18e9);
    expect(await refused(drv.setModuleParam(6, "lo0_freq", 1.9e9))).toEqual({
      code: -222,
      message: "Data out of range; lo0_freq of slot 6 (QCM_RF): 1900000000 Hz is outside 2000000000..18000000000 Hz",
    });
    expect(await drv.moduleParam(6, "lo0_freq")).toBe(18e9);
  });

  it("enables and marker polarity take 0/1/OFF/ON only", async () => {
    await t.write("SLOT8:LO1:ENAble ON");
    expect(await drv.moduleParam(8, "lo0_en")).toBe(true);
    await t.write("SLOT8:LO1:ENAble 2", { check: false });
    expect(await t.query("SYSTem:ERRor:NEXT?", { check: false })).toBe(
      `-224,"Illegal parameter value; lo0_en of slot 8 (QRM_RF) '2' must be 0 or 1 (OFF or ON)"`,
    );
    expect(await drv.moduleParam(8, "lo0_en")).toBe(true);
    await drv.setModuleParam(2, "marker3_inv_en", true);
    await t.write("SLOT2:MARKer3:INVert:ENAble maybe", { check: false });
    expect(await t.query("SYSTem:ERRor:NEXT?", { check: false })).toMatch(/^-224,/);
    expect(await drv.moduleParam(2, "marker3_inv_en")).toBe(true);
  });
});

describe("sequencer parameters (the configuration document)", () => {
  const rows: [keyof SequencerConfigParams, number, number, number, string][] = [
    // name, accepted, refused, code, message after "<name> of slot 4 sequencer 1: "
    ["nco_freq", -500e6, 500.5e6, -222, "500500000 Hz is outside -500000000..500000000 Hz"],
    ["nco_phase_offs", 360, 361, -222, "361 deg is outside 0..360 deg"],
    ["gain_awg_path0", -1, 1.5, -222, "1.5 is outside -1..1"],
    ["offset_awg_path1", 1, -1.2, -222, "-1.2 is outside -1..1"],
    ["mixer_corr_gain_ratio", 2, 0.4, -222, "0.4 is outside 0.5..2"],
    ["mixer_corr_phase_offset_degree", -45, 46, -222, "46 deg is outside -45..45 deg"],
    ["marker_ovr_value", 15, 16, -222, "16 is outside 0..15"],
    ["integration_length_acq", 16777212, 2, -222, "2 ns is outside 4..16777212 ns"],
    ["integration_length_acq", 4, 1026, -224, "1026 ns is not a multiple of 4 ns (4..16777212 ns)"],
    ["thresholded_acq_threshold", -16777212, 16777216, -222, "16777216 is outside -16777212..16777212"],
    ["ttl_acq_threshold", -1, 1.5, -222, "1.5 is outside -1..1"],
    ["ttl_acq_input_select", 1, 2, -222, "2 is outside 0..1"],
    ["trigger5_count_threshold", 65535, 65536, -222, "65536 is outside 0..65535"],
  ];
  it.each(rows)("%s: %s accepted, %s refused", async (name, ok, bad, code, tail) => {
    await drv.setSequencerParams(4, 1, { [name]: ok });
    const before = await drv.sequencerConfig(4, 1);
    const e = await refused(drv.setSequencerParams(4, 1, { [name]: bad }));
    expect(e).toEqual({
      code,
      message: `${code === -222 ? "Data out of range" : "Illegal parameter value"}; ${name} of slot 4 sequencer 1: ${tail}`,
    });
    // the instrument kept the whole document
    expect(await drv.sequencerConfig(4, 1)).toEqual(before);
    expect((await drv.sequencerParams(4, 1))[name]).toBe(ok);
  });

  it("trigger address 1…15 while enabled; NCO delay compensation −50…109 ns; a wrong type is -224", async () => {
    await drv.setSequencerParams(4, 0, { thresholded_acq_trigger_en: true, thresholded_acq_trigger_address: 15 });
    expect(await refused(drv.setSequencerParams(4, 0, { thresholded_acq_trigger_address: 0 }))).toEqual({
      code: -222,
      message: "Data out of range; thresholded_acq_trigger_address of slot 4 sequencer 0: 0 is outside 1..15",
    });
    const doc = await drv.sequencerConfig(2, 3);
    doc.awg[0]!.nco.delay_comp = 110;
    expect(await refused(drv.setSequencerConfig(2, 3, doc))).toEqual({
      code: -222,
      message: "Data out of range; nco_prop_delay_comp of slot 2 sequencer 3: 110 ns is outside -50..109 ns",
    });
    doc.awg[0]!.nco.delay_comp = 0;
    (doc.awg[0]!.gain_path as unknown[])[0] = "1";
    expect(await refused(drv.setSequencerConfig(2, 3, doc))).toEqual({
      code: -224,
      message: `Illegal parameter value; gain_awg_path0 of slot 2 sequencer 3 must be a finite number, not '1'`,
    });
    expect((await drv.sequencerConfig(2, 3)).awg[0]!.gain_path).toEqual([1, 1]);
    // a control module's document has no acquisition path
    const qcm = await drv.sequencerConfig(2, 3);
    const withAcq = { ...qcm, acq: (await drv.sequencerConfig(4, 3)).acq };
    expect(await refused(drv.setSequencerConfig(2, 3, withAcq))).toEqual({
      code: -224,
      message: "Illegal parameter value; acq of the configuration of slot 2 sequencer 3 must be a list of 0",
    });
  });

  it("marker address of the thresholded result: 0…15 baseband, 0…3 RF", async () => {
    const doc = await drv.sequencerConfig(8, 0);
    doc.acq[0]!.th_acq_mrk_map.addr = 4;
    expect(await refused(drv.setSequencerConfig(8, 0, doc))).toEqual({
      code: -222,
      message: "Data out of range; thresholded_acq_marker_address of slot 8 sequencer 0: 4 is outside 0..3",
    });
    const bb = await drv.sequencerConfig(4, 0);
    bb.acq[0]!.th_acq_mrk_map.addr = 15;
    await drv.setSequencerConfig(4, 0, bb);
    expect((await drv.sequencerConfig(4, 0)).acq[0]!.th_acq_mrk_map.addr).toBe(15);
  });
});

describe("scope configuration", () => {
  it("sequencer select 0…5 (QRC 0…11) and trigger level −1…1; refused documents leave the old one", async () => {
    const ok = { sel_acq: 5, avg_en_path: [true, true], trig: { mode_path: [false, true], lvl_path: [-1, 1] } };
    await drv.setScopeConfig(4, ok);
    expect(await refused(drv.setScopeConfig(4, { ...ok, sel_acq: 6 }))).toEqual({
      code: -222,
      message: "Data out of range; scope_acq_sequencer_select of slot 4: 6 is outside 0..5",
    });
    expect(
      await refused(drv.setScopeConfig(4, { ...ok, trig: { mode_path: [false, false], lvl_path: [0, 1.5] } })),
    ).toEqual({
      code: -222,
      message: "Data out of range; scope_acq_trigger_level_path1 of slot 4: 1.5 is outside -1..1",
    });
    expect(await refused(drv.setScopeConfig(4, { ...ok, avg_en_path: [true] }))).toEqual({
      code: -224,
      message: "Illegal parameter value; avg_en_path of the configuration of slot 4 must be a list of 2",
    });
    expect(await drv.scopeConfig(4)).toEqual(ok);
    await drv.setScopeConfig(10, {
      sel_acq: 11,
      avg_en_path: [false, false, false, false],
      trig: { mode_path: [false, false, false, false], lvl_path: [0, 0, 0, 0] },
    });
    expect((await drv.scopeConfig(10)).sel_acq).toBe(11);
  });
});
