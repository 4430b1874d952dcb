/** LO / IF solving (reference 3.5, 3.6): the full table, downconverter, mix_lo, shared LOs, ranges. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { FrequencyError } from "../../src/core/errors.js";
import { compileError, config, moduleSettings, seqOf, simultaneous, square, ssb } from "./options-helpers.js";

const QCM = "cluster0_module1";
const RES = { "q0.01": { freq: 6.0e9 }, "q1.01": { freq: 6.2e9 }, "q0.12": { freq: 5.7e9 } };

/** QCM complex_output_0 → IQ mixer (LO lo0) → q0:mw. */
function mixerSetup(mod: Record<string, unknown>, channel: Record<string, unknown> = {}): Record<string, unknown> {
  return config(
    { "1": { instrument_type: "QCM", complex_output_0: channel } },
    [
      ["cluster0.module1.complex_output_0", "mix0.if"],
      ["lo0.output", "mix0.lo"],
      ["mix0.rf", "q0:mw"],
    ],
    { modulation_frequencies: { "q0:mw-q0.01": mod } },
    { lo0: { instrument_type: "LocalOscillator", power: 10 }, mix0: { instrument_type: "IQMixer" } },
  );
}
const pulse = simultaneous([square("q0:mw", "q0.01")], RES);

describe("3.5 table with an external LO through an IQ mixer", () => {
  it("only interm_freq → LO = clock − IF; LO settings under the LO's name", () => {
    const c = compile(pulse, mixerSetup({ interm_freq: 100e6 }));
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(100e6);
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.nco_en).toBe(true);
    expect(c.local_oscillators).toEqual({ lo0: { frequency: 5.9e9, power: 10, status: true } });
  });
  it("only lo_freq → IF = clock − LO", () => {
    const c = compile(pulse, mixerSetup({ lo_freq: 5.75e9 }));
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(250e6);
    expect(c.local_oscillators["lo0"]!.frequency).toBe(5.75e9);
  });
  it("both, consistent → accepted as given", () => {
    const c = compile(pulse, mixerSetup({ lo_freq: 6.1e9, interm_freq: -100e6 }));
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(-100e6);
    expect(c.local_oscillators["lo0"]!.frequency).toBe(6.1e9);
  });
  it("neither → UNDERCONSTRAINED naming the port-clock", () => {
    const e = compileError(pulse, mixerSetup({}));
    expect(e).toBeInstanceOf(FrequencyError);
    expect(e.code).toBe("UNDERCONSTRAINED");
    expect(e.message).toBe(
      "frequency settings underconstrained for port-clock q0:mw-q0.01 (cluster0_module1.seq0): neither lo_freq nor interm_freq is given (clock 6000000000 Hz)",
    );
  });
  it("both, inconsistent → OVERCONSTRAINED", () => {
    const e = compileError(pulse, mixerSetup({ lo_freq: 5.9e9, interm_freq: 50e6 }));
    expect(e.code).toBe("OVERCONSTRAINED");
    expect(e.message).toBe(
      "frequency settings overconstrained for port-clock q0:mw-q0.01 (cluster0_module1.seq0): lo_freq 5900000000 Hz + interm_freq 50000000 Hz ≠ clock 6000000000 Hz",
    );
  });
  it("mix_lo: false → LO = clock, IF as given", () => {
    const c = compile(pulse, mixerSetup({ interm_freq: 50e6 }, { mix_lo: false }));
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(50e6);
    expect(c.local_oscillators["lo0"]!.frequency).toBe(6e9);
  });
  it("mix_lo: false without interm_freq → UNDERCONSTRAINED", () => {
    const e = compileError(pulse, mixerSetup({ lo_freq: 5.9e9 }, { mix_lo: false }));
    expect(e.code).toBe("UNDERCONSTRAINED");
    expect(e.message).toContain("with mix_lo=false the interm_freq must be given");
  });
  it("downconverter_freq → the clock becomes downconverter − clock", () => {
    const c = compile(pulse, mixerSetup({ interm_freq: 100e6 }, { downconverter_freq: 8e9 }));
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(100e6);
    expect(c.local_oscillators["lo0"]!.frequency).toBe(1.9e9);
  });
  it("downconverter_freq below the clock → BAD_DOWNCONVERTER", () => {
    const e = compileError(pulse, mixerSetup({ interm_freq: 100e6 }, { downconverter_freq: 5e9 }));
    expect(e.code).toBe("BAD_DOWNCONVERTER");
    expect(e.path).toBe("/hardware_description/cluster0/modules/1/complex_output_0/downconverter_freq");
  });
  it("|IF| > 500 MHz → NCO_OUT_OF_RANGE", () => {
    const e = compileError(pulse, mixerSetup({ lo_freq: 5.4e9 }));
    expect(e.code).toBe("NCO_OUT_OF_RANGE");
    expect(e.message).toBe(
      "port-clock q0:mw-q0.01 (cluster0_module1.seq0) needs an NCO frequency of 600 MHz, outside ±500 MHz",
    );
  });
});

describe("one external LO feeding two mixers", () => {
  const hw = (if0: number, if1: number) =>
    config(
      { "1": { instrument_type: "QCM" } },
      [
        ["cluster0.module1.complex_output_0", "mixA.if"],
        ["cluster0.module1.complex_output_1", "mixB.if"],
        ["lo0.output", ["mixA.lo", "mixB.lo"]],
        ["mixA.rf", "q0:mw"],
        ["mixB.rf", "q1:mw"],
      ],
      { modulation_frequencies: { "q0:mw-q0.01": { interm_freq: if0 }, "q1:mw-q1.01": { interm_freq: if1 } } },
      {
        lo0: { instrument_type: "LocalOscillator" },
        mixA: { instrument_type: "IQMixer" },
        mixB: { instrument_type: "IQMixer" },
      },
    );
  const sched = simultaneous([square("q0:mw", "q0.01"), square("q1:mw", "q1.01")], RES);
  it("agreeing port-clocks share the LO", () => {
    const c = compile(sched, hw(100e6, 300e6));
    expect(c.local_oscillators).toEqual({ lo0: { frequency: 5.9e9, power: null, status: true } });
    expect(seqOf(c, QCM, "q1:mw-q1.01").settings.modulation_freq).toBe(300e6);
  });
  it("disagreeing port-clocks → LO_CONFLICT naming both", () => {
    const e = compileError(sched, hw(100e6, 100e6));
    expect(e.code).toBe("LO_CONFLICT");
    expect(e.message).toBe(
      'port-clock q1:mw-q1.01 (cluster0_module1.seq1) needs LO "lo0" at 6100000000 Hz, but port-clock q0:mw-q0.01 already set it to 5900000000 Hz',
    );
  });
});

describe("RF modules: internal LOs", () => {
  const rf = (mods: Record<string, unknown>) =>
    config({ "1": { instrument_type: "QCM_RF" } }, [["cluster0.module1.complex_output_0", "q0:mw"]], {
      modulation_frequencies: mods,
    });
  const sched = simultaneous([square("q0:mw", "q0.01"), square("q0:mw", "q0.12")], RES);
  it("multiplexed port-clocks on one output agree on lo0", () => {
    const c = compile(sched, rf({ "q0:mw-q0.01": { lo_freq: 5.8e9 }, "q0:mw-q0.12": { interm_freq: -100e6 } }));
    expect(moduleSettings(c, QCM).lo_freq).toEqual([5.8e9, null]);
    expect(seqOf(c, QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(200e6);
    expect(seqOf(c, QCM, "q0:mw-q0.12").settings.modulation_freq).toBe(-100e6);
    expect(seqOf(c, QCM, "q0:mw-q0.12").settings.connect_out).toEqual({ out0: "IQ", out1: "off" });
  });
  it("multiplexed port-clocks disagreeing → LO_CONFLICT naming both", () => {
    const e = compileError(sched, rf({ "q0:mw-q0.01": { lo_freq: 5.8e9 }, "q0:mw-q0.12": { lo_freq: 5.6e9 } }));
    expect(e.code).toBe("LO_CONFLICT");
    expect(e.message).toBe(
      "port-clock q0:mw-q0.12 (cluster0_module1.seq1) needs LO cluster0_module1.lo0 at 5600000000 Hz, but port-clock q0:mw-q0.01 already set it to 5800000000 Hz",
    );
  });
  it("an LO outside 2–18 GHz → LO_OUT_OF_RANGE naming module and type", () => {
    const e = compileError(
      simultaneous([square("q0:mw", "q0.01")], { "q0.01": { freq: 1.5e9 } }),
      rf({ "q0:mw-q0.01": { interm_freq: 100e6 } }),
    );
    expect(e.code).toBe("LO_OUT_OF_RANGE");
    expect(e.message).toBe(
      "port-clock q0:mw-q0.01 (cluster0_module1.seq0) needs the internal LO cluster0_module1.lo0 of cluster0_module1 (QCM_RF) at 1.4 GHz, outside 2 GHz … 18 GHz",
    );
  });
  it("QRM-RF output and input share one LO", () => {
    const hw = config(
      { "2": { instrument_type: "QRM_RF" } },
      [
        ["cluster0.module2.complex_output_0", "q0:res"],
        ["cluster0.module2.complex_input_0", "q0:res"],
      ],
      { modulation_frequencies: { "q0:res-q0.ro": { lo_freq: 7.2e9 } } },
    );
    const c = compile(simultaneous([ssb("q0:res", "q0.ro", 0)], { "q0.ro": { freq: 7.35e9 } }), hw);
    const s = seqOf(c, "cluster0_module2", "q0:res-q0.ro").settings;
    expect(moduleSettings(c, "cluster0_module2").lo_freq).toEqual([7.2e9]);
    expect([s.nco_en, s.modulation_freq, s.demod_en_acq]).toEqual([true, 150e6, true]);
    expect([s.connect_out, s.connect_acq]).toEqual([{ out0: "IQ" }, { acq: "in0" }]);
  });
});

describe("baseband without LO", () => {
  const hw = (mods: Record<string, unknown>) =>
    config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:mw"]], {
      modulation_frequencies: mods,
    });
  const sched = simultaneous([square("q0:mw", "q0.01")], { "q0.01": { freq: 120e6 } });
  it("the NCO runs at the clock frequency", () => {
    expect(seqOf(compile(sched, hw({})), QCM, "q0:mw-q0.01").settings.modulation_freq).toBe(120e6);
  });
  it("interm_freq 0 disables the NCO", () => {
    const s = seqOf(compile(sched, hw({ "q0:mw-q0.01": { interm_freq: 0 } })), QCM, "q0:mw-q0.01").settings;
    expect([s.nco_en, s.modulation_freq, s.mod_en_awg]).toEqual([false, null, false]);
  });
  it("a different interm_freq → IF_CONFLICT", () => {
    const e = compileError(sched, hw({ "q0:mw-q0.01": { interm_freq: 80e6 } }));
    expect(e.code).toBe("IF_CONFLICT");
    expect(e.path).toBe("/hardware_options/modulation_frequencies/q0:mw-q0.01/interm_freq");
  });
});
