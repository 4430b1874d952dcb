import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { InstrumentError } from "../../src/core/errors.js";
import { InstrumentReportedError } from "../../src/instruments/instrument-errors.js";

let vc: VirtualCluster;
let drv: ClusterDriver;

beforeEach(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF", emulate: false });
  const { host, port } = await vc.start();
  drv = await ClusterDriver.connect({ host, port, timeoutMs: 2000 });
});
afterEach(async () => {
  await drv.close();
  await vc.stop();
});

const PROGRAM = "play 0,0,4\nacquire 0,0,1000\nstop\n";

describe("ClusterDriver against the VirtualCluster over TCP", () => {
  it("identifies the cluster and discovers modules by slot and type", async () => {
    const idn = await drv.idn();
    expect(idn.manufacturer).toBe("Qblox");
    expect(idn.model).toBe("Cluster MM");
    expect(idn.build["swSCPIVersion"]).toBe("1.0");
    expect([...drv.modules.values()].map((m) => `${m.slot}:${m.type}`)).toEqual([
      "2:QCM",
      "4:QRM",
      "6:QCM_RF",
      "8:QRM_RF",
    ]);
  });

  it("round-trips sequencer settings through the configuration document", async () => {
    await drv.setSequencerParams(4, 1, {
      nco_freq: -50e6,
      mod_en_awg: true,
      demod_en_acq: true,
      gain_awg_path0: 0.5,
      offset_awg_path1: -0.25,
      mixer_corr_gain_ratio: 1.1,
      mixer_corr_phase_offset_degree: -3,
      sync_en: true,
      marker_ovr_en: true,
      marker_ovr_value: 3,
      integration_length_acq: 2000,
      thresholded_acq_threshold: 123,
      thresholded_acq_rotation: 90,
    });
    const p = await drv.sequencerParams(4, 1);
    expect(p).toMatchObject({
      nco_freq: -50e6,
      mod_en_awg: true,
      demod_en_acq: true,
      gain_awg_path0: 0.5,
      gain_awg_path1: 1,
      offset_awg_path1: -0.25,
      mixer_corr_gain_ratio: 1.1,
      mixer_corr_phase_offset_degree: -3,
      sync_en: true,
      marker_ovr_en: true,
      marker_ovr_value: 3,
      integration_length_acq: 2000,
      thresholded_acq_threshold: 123,
      thresholded_acq_rotation: 90,
    });
    const doc = await drv.sequencerConfig(4, 1);
    expect(doc.acq[0]!.th_acq.rotation_matrix_a11).toBeCloseTo(0, 12);
    expect(doc.acq[0]!.th_acq.rotation_matrix_a12).toBeCloseTo(-1, 12);
    expect((await drv.sequencerParams(4, 0)).nco_freq).toBe(0);
  });

  it("rejects acquisition parameters on a control module with a typed error", async () => {
    await expect(drv.setSequencerParams(2, 0, { integration_length_acq: 100 })).rejects.toMatchObject({
      code: "UNSUPPORTED",
    });
  });

  it("maps connect_out / connect_acq to channel maps and back", async () => {
    await drv.setConnectOut(2, 0, { out0: "off", out1: "off", out2: "I", out3: "Q" });
    expect(await drv.channelMap(2, 0, false)).toEqual([[2], [3]]);
    expect(await drv.connectOut(2, 0)).toEqual({ out0: "off", out1: "off", out2: "I", out3: "Q" });
    await drv.setConnectOut(6, 3, { out0: "off", out1: "IQ" });
    expect(await drv.channelMap(6, 3, false)).toEqual([[2], [3]]);
    await drv.setConnectAcq(4, 0, { I: "in1", Q: "off" });
    expect(await drv.channelMap(4, 0, true)).toEqual([[1], []]);
    expect(await drv.connectAcq(8, 0)).toEqual({ acq: "in0" });
  });

  it("round-trips module settings (offsets, gains, attenuation, LO)", async () => {
    await drv.setModuleParam(2, "out3_offset", -0.125);
    await drv.setModuleParam(4, "in1_gain", 6);
    await drv.setModuleParam(6, "out1_att", 12);
    await drv.setModuleParam(6, "out0_offset_path1", 3.5);
    await drv.setModuleParam(8, "lo0_freq", 7.2e9);
    await drv.setModuleParam(8, "lo0_en", true);
    expect(await drv.moduleParam(2, "out3_offset")).toBe(-0.125);
    expect(await drv.moduleParam(4, "in1_gain")).toBe(6);
    expect(await drv.moduleParam(6, "out1_att")).toBe(12);
    expect(await drv.moduleParam(6, "out0_offset_path1")).toBe(3.5);
    expect(await drv.moduleParam(8, "lo0_freq")).toBe(7.2e9);
    expect(await drv.moduleParam(8, "lo0_en")).toBe(true);
    expect(vc.countCommands(/^SLOT8:LO1:ENAble$/)).toBe(1); // QRM-RF's LO is LO1 on the wire
    await expect(drv.setModuleParam(2, "out0_att", 3)).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });

  it("reports system state, status byte and reference source; *CLS clears CRITICAL", async () => {
    expect(await drv.systemState()).toEqual({ status: "OKAY", flags: [] });
    vc.systemStatus = "CRITICAL";
    vc.systemFlags = ["PLL_UNLOCKED", "SLOT 3 TEMPERATURE_OUT_OF_RANGE"];
    expect(await drv.systemState()).toEqual({
      status: "CRITICAL",
      flags: ["PLL_UNLOCKED", "SLOT_3_TEMPERATURE_OUT_OF_RANGE"],
    });
    await drv.clear();
    expect((await drv.systemState()).status).toBe("OKAY");
    expect(await drv.statusByte()).toBe(0);
    await drv.setReferenceSource("external");
    expect(await drv.referenceSource()).toBe("external");
  });

  it("uploads a sequence as binary blocks and *RST clears programs, waveforms and settings", async () => {
    const wave = [0.5, -0.25, 1, 0.125];
    await drv.uploadSequence(4, 0, {
      program: PROGRAM,
      waveforms: { "w\n0": { data: wave, index: 3 } },
      weights: {},
      acquisitions: { "0": { num_bins: 5, index: 0 } },
    });
    const seq = vc.modules.get(4)!.sequencers[0]!;
    expect(seq.program).toBe(PROGRAM);
    expect(Array.from(seq.waveforms.get("w\n0")!.data)).toEqual(wave);
    expect(seq.waveforms.get("w\n0")!.index).toBe(3);
    expect(seq.acquisitions.get("0")!.numBins).toBe(5);
    await drv.setSequencerParams(4, 0, { nco_freq: 1e6 });
    await drv.reset();
    expect(seq !== vc.modules.get(4)!.sequencers[0]).toBe(true);
    expect(vc.modules.get(4)!.sequencers[0]!.program).toBeNull();
    expect((await drv.sequencerParams(4, 0)).nco_freq).toBe(0);
  });

  it("parses acquisition data (binary layout of reference 7.6) to exact normalised values", async () => {
    await drv.uploadSequence(4, 2, {
      program: PROGRAM,
      waveforms: {},
      weights: {},
      acquisitions: { "0": { num_bins: 3, index: 0 }, "1": { num_bins: 1, index: 1 } },
    });
    vc.setDummyBinnedAcquisitionData(4, 2, "0", [
      { i: 0.25, q: -0.5, thres: 1, avgCnt: 4 },
      null,
      { i: 1.5, q: 0, thres: 0.5, avgCnt: 2 },
    ]);
    await drv.arm({ slot: 4, seq: 2 });
    expect((await drv.sequencerStatus(4, 2)).state).toBe("ARMED");
    await drv.start({ slot: 4 });
    const st = await drv.sequencerStatus(4, 2);
    expect(st).toEqual({
      status: "OKAY",
      state: "STOPPED",
      infoFlags: ["ACQ_BINNING_DONE"],
      warnFlags: [],
      errFlags: [],
      log: "",
    });
    const acqs = await drv.acquisitions(4, 2);
    expect(Object.keys(acqs)).toEqual(["0", "1"]);
    expect(acqs["0"]!.index).toBe(0);
    expect(acqs["0"]!.acquisition.bins.integration.path0).toEqual([0.25, NaN, 1.5]);
    expect(acqs["0"]!.acquisition.bins.integration.path1).toEqual([-0.5, NaN, 0]);
    expect(acqs["0"]!.acquisition.bins.threshold).toEqual([1, NaN, 0.5]);
    expect(acqs["0"]!.acquisition.bins.avg_cnt).toEqual([4, 0, 2]);
    expect(acqs["0"]!.acquisition.scope["path0"]).toEqual({ data: [], "out-of-range": false, avg_cnt: 0 });
    expect(acqs["1"]!.acquisition.bins.avg_cnt).toEqual([0]);
    const one = await drv.acquisition(4, 2, "0");
    expect(one.acquisition.bins.integration.path0).toEqual([0.25, NaN, 1.5]);
    await drv.deleteAcquisitionData(4, 2);
    expect((await drv.acquisition(4, 2, "0")).acquisition.bins.avg_cnt).toEqual([0, 0, 0]);
  });

  it("a bad program gives INSTRUMENT_ERROR with code -285 and the assembler log", async () => {
    const err = await drv.uploadProgram(2, 0, "play 0,0,4\nfrobnicate R1\nstop\n").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstrumentReportedError);
    const e = err as InstrumentReportedError;
    expect(e.code).toBe("INSTRUMENT_ERROR");
    expect(e.instrumentCode).toBe(-285);
    expect(e.instrumentErrors[0]!.message).toBe(
      "module command SEQ#:PROG failed on module in slot 2: Syntax error (-285): Assembly failed.",
    );
    expect(String(e.details?.["assemblerLog"])).toMatch(/line 2/);
    expect(await drv.transport.query("SLOT2:STATus:ASSEMbler:SUCCess?")).toBe("0");
    // the error queue was drained: the next command succeeds
    expect((await drv.idn()).manufacturer).toBe("Qblox");
  });

  it("turns an undefined header into INSTRUMENT_ERROR with the instrument's code", async () => {
    await expect(drv.transport.write("SLOT2:FOO:BAR 1")).rejects.toMatchObject({
      code: "INSTRUMENT_ERROR",
      details: { instrumentErrors: [{ code: -113 }] },
    });
    await expect(drv.transport.write("SLOT3:SEQuencer0:ARM")).rejects.toBeInstanceOf(InstrumentError);
  });

  it("snapshots every setting", async () => {
    await drv.setModuleParam(2, "out1_offset", 0.5);
    const snap = await drv.snapshot();
    expect(snap.modules.map((m) => m.slot)).toEqual([2, 4, 6, 8]);
    expect(snap.modules[0]!.params["out1_offset"]).toBe(0.5);
    expect(snap.modules[0]!.sequencers).toHaveLength(6);
    expect(snap.modules[0]!.sequencers[0]!.connect_out).toEqual({ out0: "I", out1: "Q", out2: "I", out3: "Q" });
    expect(snap.modules[3]!.sequencers[0]!.connect_acq).toEqual({ acq: "in0" });
    expect(snap.reference_source).toBe("internal");
  });
});
