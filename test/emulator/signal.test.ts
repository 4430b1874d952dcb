import { describe, expect, it } from "vitest";
import { runCluster } from "../../src/emulator/index.js";
import { moduleInput } from "./helpers.js";

const LSB = 1 / 32768;

describe("signal path", () => {
  it("latched offsets and markers take effect at upd_param, not at set_*", () => {
    const prog = ` wait_sync 4
 set_awg_offs 16384,-8192
 set_mrk 5
 wait 20
 upd_param 4
 wait 10
 stop`;
    const r = runCluster([moduleInput("QCM", [{ program: prog, params: { connect_out: { out0: "I", out1: "Q" } } }])], {
      render: { fromNs: 0, toNs: 40 },
    });
    const m = r.modules[0]!;
    // wait_sync → 4, wait 20 → upd_param at 24
    expect(m.outputs[0]![23]).toBe(0);
    expect(m.outputs[0]![24]).toBe(0.5);
    expect(m.outputs[1]![24]).toBe(-0.25);
    expect(m.outputs[0]![39]).toBe(0.5);
    expect([m.markers[0]![23], m.markers[0]![24], m.markers[1]![24], m.markers[2]![24], m.markers[3]![24]]).toEqual([
      0, 1, 0, 1, 0,
    ]);
  });

  it("a DRAG pulse at NCO 100 MHz equals the analytic I/Q within one 16-bit LSB", () => {
    const n = 40,
      sigma = 10;
    const gauss = Array.from({ length: n }, (_, k) => Math.exp(-((k - n / 2) ** 2) / (2 * sigma ** 2)));
    const deriv = Array.from({ length: n }, (_, k) => (-(k - n / 2) / sigma ** 2) * gauss[k]!);
    const prog = ` wait_sync 4
 set_freq 400000000
 reset_ph
 set_awg_gain 16384,8192
 play 0,1,4
 wait 100
 stop`;
    const r = runCluster(
      [
        moduleInput("QCM", [
          {
            program: prog,
            waveforms: [gauss, deriv],
            params: { mod_en_awg: true, connect_out: { out0: "I", out1: "Q" } },
          },
        ]),
      ],
      { render: { fromNs: 0, toNs: 60 } },
    );
    const [o0, o1] = r.modules[0]!.outputs;
    for (let t = 0; t < 60; t++) {
      const k = t - 4; // play at 4 ns (reset_ph commits there too)
      const I = k >= 0 && k < n ? 0.5 * gauss[k]! : 0,
        Q = k >= 0 && k < n ? 0.25 * deriv[k]! : 0;
      const phi = 2 * Math.PI * 100e6 * (t - 4) * 1e-9;
      expect(Math.abs(o0![t]! - Math.SQRT1_2 * (Math.cos(phi) * I - Math.sin(phi) * Q))).toBeLessThan(LSB);
      expect(Math.abs(o1![t]! - Math.SQRT1_2 * (Math.sin(phi) * I + Math.cos(phi) * Q))).toBeLessThan(LSB);
    }
  });

  it("mixer correction (gain ratio, phase) and module offsets follow the §6.2 formulas", () => {
    const prog = ` wait_sync 4
 set_awg_gain 32767,0
 play 0,0,4
 wait 100
 stop`;
    const params = {
      mod_en_awg: true,
      nco_freq: 25e6,
      mixer_corr_gain_ratio: 0.5,
      mixer_corr_phase_offset_degree: 30,
      connect_out: { out0: "I" as const, out1: "Q" as const },
    };
    const r = runCluster(
      [
        moduleInput("QCM", [{ program: prog, waveforms: [new Array<number>(20).fill(0.8)], params }], {
          out_offset: [0.25, -0.5],
        }),
      ],
      { render: { fromNs: 0, toNs: 30 } },
    );
    const [o0, o1] = r.modules[0]!.outputs;
    const g = (0.8 * 32767) / 32768;
    for (let t = 4; t < 24; t++) {
      const phi = 2 * Math.PI * 25e6 * t * 1e-9; // no reset_ph: phase counts from RT time 0
      const th = Math.PI / 6;
      expect(o0![t]).toBeCloseTo(0.25 / 2.5 + Math.SQRT1_2 * Math.cos(phi) * g, 6);
      expect(o1![t]).toBeCloseTo(-0.5 / 2.5 + 0.5 * Math.SQRT1_2 * Math.sin(phi + th) * g, 6);
    }
    expect(o0![2]).toBeCloseTo(0.1, 7);
  });

  it("clips to ±1 and flags OUTPUT_OVERFLOW", () => {
    const prog = " wait_sync 4\n set_awg_offs 32767,0\n upd_param 4\n stop";
    const r = runCluster(
      [moduleInput("QCM", [{ program: prog, params: { connect_out: { out0: "I" } } }], { out_offset: [1.25] })],
      { render: { fromNs: 0, toNs: 10 } },
    );
    expect(r.modules[0]!.outputs[0]![8]).toBe(1);
    expect(r.modules[0]!.sequencers[0]!.status.warn_flags).toEqual(["OUTPUT_OVERFLOW"]);
    expect(r.modules[0]!.sequencers[0]!.status.status).toBe("WARNING");
  });

  it("an invalid waveform index halts with AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_1", () => {
    const r = runCluster([moduleInput("QCM", [{ program: " wait_sync 4\n play 0,3,4\n stop", waveforms: [[0.1]] }])]);
    const st = r.modules[0]!.sequencers[0]!.status;
    expect(st.err_flags).toEqual(["AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_1"]);
    expect(st.log[0]).toContain("line 2: `play 0,3,4`");
  });
});
