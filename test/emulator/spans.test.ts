import { afterEach, describe, expect, it } from "vitest";
import type { EmuModuleInput } from "../../src/emulator/api.js";
import { runCluster } from "../../src/emulator/index.js";
import { SpanList } from "../../src/emulator/spans.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { moduleInput } from "./helpers.js";

const gauss = Array.from({ length: 40 }, (_, k) => 0.8 * Math.exp(-((k - 20) ** 2) / 98));
const ACQ_PROGRAM = " wait_sync 4\n move 3,R0\nl: acquire 0,0,1000\n loop R0,@l\n stop";
const PULSE_PROGRAM =
  " wait_sync 4\n move 3,R0\nl: wait 236\n set_awg_gain 30000,-12000\n play 0,0,764\n loop R0,@l\n stop";

/** seq0 acquires [4, 604) ×3 with demodulation; seq1 plays a modulated Gaussian that lands mid-window. */
function twoSequencers(): EmuModuleInput {
  return moduleInput(
    "QRM",
    [
      {
        program: ACQ_PROGRAM,
        acquisitions: { a: 1 },
        params: {
          mod_en_awg: true,
          demod_en_acq: true,
          nco_freq: 50e6,
          integration_length_acq: 600,
          connect_out: { out0: "I", out1: "Q" },
        },
      },
      {
        program: PULSE_PROGRAM,
        waveforms: [gauss],
        params: {
          mod_en_awg: true,
          nco_freq: 80e6,
          nco_phase_offs: 33,
          connect_out: { out0: "I", out1: "Q" },
          mixer_corr_gain_ratio: 0.9,
          mixer_corr_phase_offset_degree: 4,
        },
      },
    ],
    { scope_acq_sequencer_select: 0, scope_acq_avg_mode_en: true },
    3,
  );
}

describe("piecewise acquisition (only the active spans of the outputs)", () => {
  it("integrates a pulse that starts mid-window to the same raw integers as whole-window integration", () => {
    // values pinned from the whole-window implementation (every sample rendered and summed)
    const r = runCluster([twoSequencers()], { timeOfFlightNs: 28 }).modules[0]!.sequencers[0]!;
    const raw = r.rawAcquisitions!["a"]!;
    expect([raw.bins.path0[0], raw.bins.path1[0], raw.bins.avgCnt[0]]).toEqual([-64162779, 27006102, 3]);
    expect(Array.from(raw.scope[0]!.data.subarray(260, 270))).toEqual([0, 0, 0, 0, 6, -33, -96, -177, -240, -234]);
    expect(raw.scope[0]!.data.reduce((a, b) => a + b, 0)).toBe(198);
    expect(raw.scope[0]!.avgCnt).toBe(3);
    expect(r.status.info_flags).toEqual(["ACQ_BINNING_DONE", "ACQ_SCOPE_DONE_PATH_0", "ACQ_SCOPE_DONE_PATH_1"]);
  });

  it("deferScope counts scope triggers without samples and leaves the bins unchanged", () => {
    const full = runCluster([twoSequencers()], { timeOfFlightNs: 28 }).modules[0]!.sequencers[0]!;
    const deferred = runCluster([twoSequencers()], { timeOfFlightNs: 28, deferScope: true }).modules[0]!.sequencers[0]!;
    const a = deferred.rawAcquisitions!["a"]!;
    expect(a.bins).toEqual(full.rawAcquisitions!["a"]!.bins);
    expect(a.scope.map((p) => [p.avgCnt, p.data.length, p.data.every((v) => v === 0)])).toEqual([
      [3, 16384, true],
      [3, 16384, true],
    ]);
    expect(deferred.status.info_flags).toEqual(full.status.info_flags);
  });

  it("SpanList sorts interleaved runs and merges overlapping and touching spans", () => {
    const s = new SpanList();
    for (const [a, b] of [
      [10, 20],
      [100, 120],
      [15, 30],
      [30, 40],
      [90, 95],
      [50, 50],
    ] as const)
      s.push(a, b);
    s.normalise();
    expect(Array.from(s.data.subarray(0, 2 * s.count))).toEqual([10, 40, 90, 95, 100, 120]);
  });
});

describe("virtual Cluster scope store (deferred scope samples)", () => {
  let vc: VirtualCluster | null = null;
  let drv: ClusterDriver | null = null;
  afterEach(async () => {
    await drv?.close();
    await vc?.stop();
  });

  it("stores the same scope samples the emulator captures", async () => {
    vc = new VirtualCluster({ modules: "3:QRM", runDurationMs: 0, timeOfFlightNs: 28 });
    const addr = await vc.start();
    drv = await ClusterDriver.connect({ ...addr, timeoutMs: 5000 });
    const input = twoSequencers();
    await drv.setScopeConfig(3, {
      sel_acq: 0,
      avg_en_path: [true, true],
      trig: { mode_path: [false, false], lvl_path: [0, 0] },
    });
    for (const s of input.sequencers) {
      await drv.uploadSequence(3, s.index, s.sequence);
      const p = s.params;
      await drv.setSequencerParams(3, s.index, {
        sync_en: true,
        mod_en_awg: true,
        nco_freq: p.nco_freq!,
        nco_phase_offs: p.nco_phase_offs ?? 0,
        mixer_corr_gain_ratio: p.mixer_corr_gain_ratio ?? 1,
        mixer_corr_phase_offset_degree: p.mixer_corr_phase_offset_degree ?? 0,
        demod_en_acq: p.demod_en_acq ?? false,
        integration_length_acq: 600,
      });
      await drv.arm({ slot: 3, seq: s.index });
    }
    await drv.start({ slot: 3 });
    for (let i = 0; i < 100 && (await drv.sequencerStatus(3, 0)).state !== "STOPPED"; i++)
      await new Promise((r) => setTimeout(r, 5));
    await drv.storeScopeAcquisition(3, 0, "a");
    const got = (await drv.acquisitions(3, 0))["a"]!.acquisition;
    const want = runCluster([twoSequencers()], { timeOfFlightNs: 28 }).modules[0]!.sequencers[0]!.acquisitions["a"]!
      .acquisition;
    expect(got.scope["path0"]!.avg_cnt).toBe(3);
    expect(got.scope["path0"]!.data.slice(264, 268)).toEqual([
      6 / 2048 / 3,
      -33 / 2048 / 3,
      -96 / 2048 / 3,
      -177 / 2048 / 3,
    ]);
    expect(got.scope["path0"]!.data).toEqual(want.scope["path0"]!.data);
    expect(got.scope["path1"]!.data).toEqual(want.scope["path1"]!.data);
    expect(got.bins.integration.path0).toEqual(want.bins.integration.path0);
  });
});
