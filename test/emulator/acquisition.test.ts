import { describe, expect, it } from "vitest";
import { runCluster } from "../../src/emulator/index.js";
import { moduleInput } from "./helpers.js";

const ones = (n: number): number[] => new Array<number>(n).fill(1);
const params = {
  mod_en_awg: true,
  demod_en_acq: true,
  nco_freq: 50e6,
  integration_length_acq: 400,
  connect_out: { out0: "I" as const, out1: "Q" as const },
  connect_acq: { I: "in0" as const, Q: "in1" as const },
};

describe("acquisitions", () => {
  it("integrating a demodulated loopback square pulse gives amplitude × overlap", () => {
    const prog = ` wait_sync 4
 reset_ph
 set_awg_gain 16384,0
 play 0,0,4
 acquire 0,0,4
 wait 1000
 stop`;
    const mod = moduleInput("QRM", [{ program: prog, waveforms: [ones(400)], acquisitions: { a: 1 }, params }]);
    // play at 4, acquire at 8: 396 samples of 0.5 overlap the window
    const r0 = runCluster([mod]).modules[0]!.sequencers[0]!;
    expect(r0.acquisitions["a"]!.acquisition.bins.integration.path0[0]).toBeCloseTo(198, 5);
    expect(r0.acquisitions["a"]!.acquisition.bins.integration.path1[0]).toBeCloseTo(0, 5);
    expect(r0.rawAcquisitions!["a"]!.bins.path0[0]).toBe(Math.round(198 * 2 ** 22));
    expect(r0.status.info_flags).toEqual(["ACQ_BINNING_DONE"]);
    // a 4 ns time of flight aligns the pulse with the window (all 400 samples) but the NCO has
    // advanced 2π·50 MHz·4 ns = 72° meanwhile, so the demodulated vector is rotated by −72°
    const r4 = runCluster([mod], { timeOfFlightNs: 4 }).modules[0]!.sequencers[0]!;
    const rot = (72 * Math.PI) / 180;
    expect(r4.acquisitions["a"]!.acquisition.bins.integration.path0[0]).toBeCloseTo(200 * Math.cos(rot), 5);
    expect(r4.acquisitions["a"]!.acquisition.bins.integration.path1[0]).toBeCloseTo(-200 * Math.sin(rot), 5);
  });

  it("APPEND bins fill in order from a register; unused bins are NaN with avg_cnt 0", () => {
    const prog = ` wait_sync 4
 move 0,R1
 move 3,R0
 move 8192,R2
l:
 set_awg_offs R2,R3
 upd_param 4
 acquire 0,R1,400
 add R1,1,R1
 add R2,8192,R2
 loop R0,@l
 stop`;
    const p = { ...params, mod_en_awg: false, demod_en_acq: false, integration_length_acq: 100 };
    const r = runCluster([moduleInput("QRM", [{ program: prog, acquisitions: { a: 4 }, params: p }])]).modules[0]!
      .sequencers[0]!;
    const b = r.acquisitions["a"]!.acquisition.bins;
    expect(b.integration.path0.slice(0, 3)).toEqual([25, 50, 75]);
    expect(b.integration.path0[3]).toBeNaN();
    expect(b.avg_cnt).toEqual([1, 1, 1, 0]);
  });

  it("AVERAGE accumulates into one bin; thresholding rotates then compares", () => {
    const prog = ` wait_sync 4
 move 4,R0
l:
 set_awg_offs 0,16384
 upd_param 4
 acquire 0,0,400
 loop R0,@l
 stop`;
    // path1 = 0.5 for 100 samples → (0, 50); rotated by 90°: re = −50 → below −40? No: −50 < −40 → 0
    const base = { ...params, mod_en_awg: false, demod_en_acq: false, integration_length_acq: 100 };
    const run = (rot: number, thr: number) =>
      runCluster([
        moduleInput("QRM", [
          {
            program: prog,
            acquisitions: { a: 1 },
            params: { ...base, thresholded_acq_rotation: rot, thresholded_acq_threshold: thr },
          },
        ]),
      ]).modules[0]!.sequencers[0]!.acquisitions["a"]!.acquisition.bins;
    const a = run(90, -40);
    expect(a.avg_cnt).toEqual([4]);
    expect(a.integration.path1[0]).toBe(50);
    expect(a.threshold).toEqual([0]);
    expect(run(270, 40).threshold).toEqual([1]);
  });

  it("acquire_weighed integrates with the two weights; bad indices flag ACQ_* errors", () => {
    const prog = " wait_sync 4\n set_awg_offs 16384,16384\n upd_param 4\n acquire_weighed 0,0,0,1,400\n stop";
    const p = { ...params, mod_en_awg: false, demod_en_acq: false };
    const r = runCluster([
      moduleInput("QRM", [
        { program: prog, weights: [ones(10), new Array<number>(20).fill(-0.5)], acquisitions: { a: 1 }, params: p },
      ]),
    ]).modules[0]!.sequencers[0]!;
    expect(r.acquisitions["a"]!.acquisition.bins.integration.path0[0]).toBe(5);
    expect(r.acquisitions["a"]!.acquisition.bins.integration.path1[0]).toBe(-5);
    const bad = runCluster([
      moduleInput("QRM", [{ program: " wait_sync 4\n acquire 1,0,4\n acquire 0,5,4\n stop", acquisitions: { a: 1 } }]),
    ]).modules[0]!.sequencers[0]!;
    expect(bad.status.err_flags).toEqual(["ACQ_INDEX_INVALID"]);
    const bin = runCluster([
      moduleInput("QRM", [{ program: " wait_sync 4\n acquire 0,5,4\n stop", acquisitions: { a: 1 } }]),
    ]).modules[0]!.sequencers[0]!;
    expect(bin.status.err_flags).toEqual(["ACQ_BIN_INDEX_INVALID"]);
  });

  it("runs a quantify-style program text (comments, labels, repetition loop) and averages", () => {
    const prog = ` set_mrk 0 # set markers to 0 (init)
 wait_sync 4
 upd_param 4
 wait 4 # latency correction of 4 + 0 ns
 move 3,R0 # iterator for loop with label start
start:
 reset_ph
 upd_param 4
 set_awg_gain 16384,0 # setting gain for square
 play 0,0,4 # play square (400 ns)
 wait 96 # auto generated wait (96 ns)
 acquire 0,0,4
 wait 996 # auto generated wait (996 ns)
 loop R0,@start
 stop
`;
    const r = runCluster(
      [moduleInput("QRM", [{ program: prog, waveforms: [ones(400)], acquisitions: { "0": 1 }, params }])],
      { events: { fromNs: 0, toNs: 1100 } },
    );
    const s = r.modules[0]!.sequencers[0]!;
    expect(s.status.err_flags).toEqual([]);
    // header: wait_sync → 4, upd_param → 8, wait 4 → 12; each repetition 1104 ns
    expect(s.endTimeNs).toBe(12 + 3 * 1104);
    expect(
      r.events.filter((e) => e.kind === "play" || e.kind === "acquire").map((e) => [e.kind, e.startNs, e.durationNs]),
    ).toEqual([
      ["play", 16, 400],
      ["acquire", 116, 400],
    ]);
    const b = s.acquisitions["0"]!.acquisition.bins;
    expect(b.avg_cnt).toEqual([3]);
    // pulse [16, 416) overlaps the window [116, 516) for 300 samples of 0.5
    expect(b.integration.path0[0]).toBeCloseTo(150, 5);
  });
});
