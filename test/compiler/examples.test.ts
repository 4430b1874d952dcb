/** The four example hardware configs, each compiled (and verified in the emulator) with its matching example schedule. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { lines, moduleSettings, seqOf } from "./options-helpers.js";

function compileExample(name: string): CompiledSchedule {
  const read = (dir: string) =>
    JSON.parse(readFileSync(new URL(`../../${dir}/${name}.json`, import.meta.url), "utf8")) as unknown;
  return compile(read("examples/schedules"), read("hardware-configs"), { verify: true });
}
const HEAD = (mrk: number, latency: number, reps: number) => [
  `set_mrk ${mrk}`,
  "wait_sync 4",
  "upd_param 4",
  `wait ${latency}`,
  `move ${reps},R0`,
  "start: reset_ph",
  "upd_param 4",
];
const off = { coeffs: null, config: "bypassed", marker_delay: "bypassed" };
const bypassed = { exp0: off, exp1: off, exp2: off, exp3: off, fir: off };

describe("baseband-transmon: QCM + external LO through an IQ mixer, QRM readout", () => {
  const c = compileExample("baseband-transmon");
  it("the LO gets clock − IF and its power", () => {
    expect(c.local_oscillators).toEqual({ lo0: { frequency: 5.9e9, power: 10, status: true } });
  });
  it("QCM settings: mixer DC offsets on channel 0, gain ratio and phase on the sequencer", () => {
    const m = moduleSettings(c, "cluster0_module1");
    expect([
      m.offset_ch0_path_I,
      m.offset_ch0_path_Q,
      m.offset_ch1_path_I,
      m.offset_ch1_path_Q,
      m.lo_freq,
      m.out_att,
    ]).toEqual([-0.01, 0.004, null, null, [], []]);
    const s = seqOf(c, "cluster0_module1", "q0:mw-q0.01");
    expect([
      s.index,
      s.settings.modulation_freq,
      s.settings.mixer_corr_gain_ratio,
      s.settings.mixer_corr_phase_offset_degree,
      s.settings.connect_out,
    ]).toEqual([1, 100e6, 0.98, 1.5, { out0: "I", out1: "Q", out2: "off", out3: "off" }]);
  });
  it("flux on real_output_2 with interm_freq 0: NCO off, path I to out2", () => {
    const s = seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband");
    expect([s.index, s.settings.nco_en, s.settings.modulation_freq, s.settings.connect_out]).toEqual([
      0,
      false,
      null,
      { out0: "off", out1: "off", out2: "I", out3: "off" },
    ]);
    expect(lines(s.sequence.program).slice(11, 14)).toEqual(["set_awg_gain 9830,0", "play 0,0,4", "wait 1136"]);
  });
  it("QRM readout: baseband NCO at 150 MHz, input gains, 8 ns latency in the header", () => {
    const m = moduleSettings(c, "cluster0_module2");
    expect([m.in0_gain, m.in1_gain, m.scope_acq_sequencer_select]).toEqual([2, 2, null]);
    const s = seqOf(c, "cluster0_module2", "q0:res-q0.ro");
    expect([
      s.settings.modulation_freq,
      s.settings.connect_out,
      s.settings.connect_acq,
      s.settings.integration_length_acq,
      s.settings.init_gain_awg_path_I,
    ]).toEqual([150e6, { out0: "I", out1: "Q" }, { I: "in0", Q: "in1" }, 1000, 1]);
    expect(lines(s.sequence.program).slice(0, 7)).toEqual(HEAD(0, 12, 256));
  });
});

describe("rf-transmon: QCM-RF + QRM-RF", () => {
  const c = compileExample("rf-transmon");
  it("QCM-RF: internal LOs from interm_freq, offsets in mV, attenuations, auto LO cal on output 1", () => {
    const m = moduleSettings(c, "cluster0_module2");
    expect([m.lo_freq, m.out_att, m.in_att, m.rf_output_on]).toEqual([[5.0e9, 5.2e9], [4, 6], [], true]);
    expect([
      m.offset_ch0_path_I,
      m.offset_ch0_path_Q,
      m.out0_lo_freq_cal_type_default,
      m.out1_lo_freq_cal_type_default,
    ]).toEqual([2, -1.5, "off", "on_lo_interm_freq_change"]);
    expect(m.distortion_corrections).toEqual([bypassed, bypassed, bypassed, bypassed]);
  });
  it("QCM-RF sequencers: IQ outputs, switch markers 1 / 2 at program start, sideband cal on q1", () => {
    const s0 = seqOf(c, "cluster0_module2", "q0:mw-q0.01"),
      s1 = seqOf(c, "cluster0_module2", "q1:mw-q1.01");
    expect([
      s0.settings.connect_out,
      s0.settings.mixer_corr_gain_ratio,
      s0.settings.mixer_corr_phase_offset_degree,
      s0.settings.auto_sideband_cal,
    ]).toEqual([{ out0: "IQ", out1: "off" }, 1.01, -2, "off"]);
    expect([
      s1.settings.connect_out,
      s1.settings.mixer_corr_gain_ratio,
      s1.settings.mixer_corr_phase_offset_degree,
      s1.settings.auto_sideband_cal,
    ]).toEqual([{ out0: "off", out1: "IQ" }, 1, 0, "on_interm_freq_change"]);
    expect(lines(s0.sequence.program)[0]).toBe("set_mrk 1");
    expect(lines(s1.sequence.program)[0]).toBe("set_mrk 2");
  });
  it("QRM-RF: two port-clocks multiplexed on one LO (7.2 GHz) with their own NCOs", () => {
    const m = moduleSettings(c, "cluster0_module4");
    expect([m.lo_freq, m.out_att, m.in_att]).toEqual([[7.2e9], [12], [4]]);
    const r0 = seqOf(c, "cluster0_module4", "q0:res-q0.ro"),
      r1 = seqOf(c, "cluster0_module4", "q1:res-q1.ro");
    expect([r0.index, r0.settings.modulation_freq, r0.settings.connect_acq, r0.settings.mixer_corr_gain_ratio]).toEqual(
      [0, 100e6, { acq: "in0" }, 0.995],
    );
    expect([r1.index, r1.settings.modulation_freq, r1.settings.connect_acq, r1.settings.mixer_corr_gain_ratio]).toEqual(
      [1, 150e6, { acq: "in0" }, null],
    );
    // the 400 ns readout pulse is played through offsets plus a 4 ns tail (reference 3.1 d)
    expect(lines(r0.sequence.program)).toEqual([
      ...HEAD(2, 8, 128),
      "wait 65532",
      "wait 34488",
      "set_awg_offs 6554,0",
      "upd_param 4",
      "wait 96",
      "acquire 0,0,4",
      "wait 292",
      "set_awg_offs 0,0",
      "set_awg_gain 6554,0",
      "play 0,0,4",
      "wait 700",
      "loop R0,@start",
      "stop",
    ]);
  });
});

describe("mixed-flux-markers: real flux outputs, markers, filters, real readout", () => {
  const c = compileExample("mixed-flux-markers");
  it("crosstalk of q0's flux pulse is compensated on q1 and q2 and stacked with their own pulses", () => {
    expect(c.diagnostics.warnings).toEqual([]);
    // C = M⁻¹ = I − N: q1 gets −0.02 × 0.3, q2 gets +0.005 × 0.3 of q0's 60 ns square pulse from 20 ns on.
    // q1 also has an lfilter (b = [0, .25, .5]): gains are scaled by the filter's DC gain 0.75.
    const q1 = lines(seqOf(c, "cluster0_module3", "q1:fl-cl0.baseband").sequence.program).slice(7, 13);
    expect(q1).toEqual([
      "wait 20",
      `set_awg_gain ${Math.round((0.4 - 0.006) * 0.75 * 32768)},0`,
      "play 0,0,4",
      "wait 16",
      `set_awg_gain ${Math.round(-0.006 * 0.75 * 32768)},0`,
      "play 1,1,4",
    ]);
    const q2 = lines(seqOf(c, "cluster0_module3", "q2:fl-cl0.baseband").sequence.program).slice(7, 13);
    expect(q2).toEqual([
      "wait 20",
      `set_awg_gain ${Math.round(((0.2 * 39) / 40 + 0.0015) * 32768)},0`,
      "play 0,0,4",
      "wait 36",
      `set_awg_gain ${Math.round(0.0015 * 32768)},0`,
      "play 1,1,4",
    ]);
  });
  it("QCM: exp0 filter on out0; init offset on q2's sequencer", () => {
    const m = moduleSettings(c, "cluster0_module3");
    expect(m.distortion_corrections[0]).toEqual({
      ...bypassed,
      exp0: { coeffs: [2000, -0.1], config: "enabled", marker_delay: "bypassed" },
    });
    expect(m.distortion_corrections.slice(1)).toEqual([bypassed, bypassed, bypassed]);
    expect(seqOf(c, "cluster0_module3", "q2:fl-cl0.baseband").settings.init_offset_awg_path_I).toBe(0.1);
  });
  it("q1 flux: the lfilter-corrected waveform", () => {
    const s = seqOf(c, "cluster0_module3", "q1:fl-cl0.baseband");
    // stacked with the crosstalk copy: [20, 40) and [40, 80), each filtered and normalised
    const round = (x: number[]) => x.map((v) => Math.round(v * 1e12) / 1e12);
    expect(Object.values(s.sequence.waveforms).map((w) => round(w.data))).toEqual([
      round([0, 1 / 3, ...new Array(18).fill(1)]),
      round([0, 1 / 3, ...new Array(38).fill(1)]),
    ]);
    expect([s.settings.connect_out, s.settings.nco_en]).toEqual([
      { out0: "off", out1: "I", out2: "off", out3: "off" },
      false,
    ]);
  });
  it("markers: switch pulses on digital outputs 0 and 1, scope trigger on the QRM", () => {
    expect(lines(seqOf(c, "cluster0_module3", "q0:switch-digital").sequence.program).slice(7, 13)).toEqual([
      "set_mrk 1",
      "upd_param 4",
      "wait 196",
      "set_mrk 0",
      "upd_param 4",
      "wait 616",
    ]);
    expect(lines(seqOf(c, "cluster0_module3", "q1:switch-digital").sequence.program).slice(7, 14)).toEqual([
      "wait 20",
      "set_mrk 2",
      "upd_param 4",
      "wait 96",
      "set_mrk 0",
      "upd_param 4",
      "wait 696",
    ]);
    expect(lines(seqOf(c, "cluster0_module5", "trigger:scope-digital").sequence.program).slice(7, 14)).toEqual([
      "wait 220",
      "set_mrk 1",
      "upd_param 4",
      "wait 16",
      "set_mrk 0",
      "upd_param 4",
      "wait 576",
    ]);
  });
  it("QRM real readout: real_output_0 + real_input_0, in0 gain 4, 12 ns relative latency, APPEND bins", () => {
    expect(moduleSettings(c, "cluster0_module5").in0_gain).toBe(4);
    const s = seqOf(c, "cluster0_module5", "q0:res-q0.ro");
    expect([
      s.settings.connect_out,
      s.settings.connect_acq,
      s.settings.modulation_freq,
      s.settings.integration_length_acq,
    ]).toEqual([{ out0: "I", out1: "off" }, { I: "in0", Q: "off" }, 120e6, 500]);
    expect(lines(s.sequence.program)).toEqual([
      "set_mrk 0",
      "wait_sync 4",
      "upd_param 4",
      "move 0,R0",
      "wait 16",
      "move 64,R1",
      "start: reset_ph",
      "upd_param 4",
      "wait 220",
      "set_awg_gain 6554,0",
      "play 0,0,4",
      "wait 96",
      "acquire 0,R0,4",
      "add R0,1,R0",
      "wait 496",
      "loop R1,@start",
      "stop",
    ]);
  });
});

describe("two-clusters: settings per cluster, latency relative across clusters", () => {
  const c = compileExample("two-clusters");
  it("cluster settings", () => {
    expect([
      c.clusters["clusterA"]!.settings.reference_source,
      c.clusters["clusterB"]!.settings.reference_source,
    ]).toEqual(["internal", "external"]);
    expect(Object.keys(c.clusters["clusterA"]!.modules)).toEqual(["clusterA_module1", "clusterA_module3"]);
    expect(Object.keys(c.clusters["clusterB"]!.modules)).toEqual(["clusterB_module2", "clusterB_module8"]);
  });
  it("clusterA QCM-RF: both LOs at 5 GHz (IF +100 / −100 MHz), offsets in mV", () => {
    const m = moduleSettings(c, "clusterA_module1", "clusterA");
    expect([
      m.lo_freq,
      m.out_att,
      m.offset_ch0_path_I,
      m.offset_ch0_path_Q,
      m.offset_ch1_path_I,
      m.offset_ch1_path_Q,
    ]).toEqual([[5e9, 5e9], [10, 10], 1, 0, -2, 1]);
    expect(seqOf(c, "clusterA_module1", "q1:mw-q1.01", "clusterA").settings.modulation_freq).toBe(-100e6);
  });
  it("readout modules on both clusters; q1:res carries the only latency (8 ns → wait 12)", () => {
    expect([
      moduleSettings(c, "clusterA_module3", "clusterA").lo_freq,
      moduleSettings(c, "clusterB_module8", "clusterB").lo_freq,
    ]).toEqual([[7.5e9], [7.6e9]]);
    const r1 = seqOf(c, "clusterB_module8", "q1:res-q1.ro", "clusterB");
    expect([r1.settings.modulation_freq, lines(r1.sequence.program)[3]]).toEqual([-150e6, "wait 12"]);
    expect(lines(seqOf(c, "clusterA_module3", "q0:res-q0.ro", "clusterA").sequence.program)[3]).toBe("wait 4");
    expect(c.acquisitions["1"]).toMatchObject({
      cluster: "clusterB",
      module: "clusterB_module8",
      sequencer: 0,
      port_clock: "q1:res-q1.ro",
    });
  });
  it("clusterB QCM flux lines with opposite amplitudes", () => {
    expect(lines(seqOf(c, "clusterB_module2", "q1:fl-cl0.baseband", "clusterB").sequence.program).slice(7, 10)).toEqual(
      ["wait 40", "set_awg_gain -3277,0", "play 0,0,4"],
    );
  });
});
