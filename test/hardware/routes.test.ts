import { describe, expect, it } from "vitest";
import { HardwareConfigError } from "../../src/core/errors.js";
import { catchErr, cfg, load } from "./helpers.js";

const route = (r: {
  channelName: string;
  measureChannels: string[];
  outputIndices: number[];
  inputIndices: number[];
}) => [r.channelName, r.measureChannels, r.outputIndices, r.inputIndices];

describe("routeFor: channel kinds", () => {
  const s = load(
    cfg(
      { "1": { instrument_type: "QCM" }, "2": { instrument_type: "QRM" } },
      [
        ["cluster0.module1.complex_output_1", "q0:mw"],
        ["cluster0.module1.real_output_3", "q0:fl"],
        ["cluster0.module1.digital_output_2", "q0:switch"],
        ["cluster0.module2.real_input_1", "q9:scope"],
      ],
      { version: "0.2" },
    ),
  );
  it("complex output → indices (2n, 2n+1)", () => {
    const r = s.routeFor("q0:mw", "q0.01");
    expect(r).toEqual({
      portClock: "q0:mw-q0.01",
      port: "q0:mw",
      clock: "q0.01",
      cluster: "cluster0",
      slot: 1,
      moduleName: "cluster0_module1",
      moduleType: "QCM",
      channelName: "complex_output_1",
      measureChannels: [],
      outputIndices: [2, 3],
      inputIndices: [],
      externalLo: null,
    });
  });
  it("real output → (n)", () =>
    expect(route(s.routeFor("q0:fl", "cl0.baseband"))).toEqual(["real_output_3", [], [3], []]));
  it("digital output → (n)", () =>
    expect(route(s.routeFor("q0:switch", "digital"))).toEqual(["digital_output_2", [], [2], []]));
  it("input-only channel → input indices", () =>
    expect(route(s.routeFor("q9:scope", "cl0.baseband"))).toEqual(["real_input_1", [], [], [1]]));
  it("caches: the same object for repeated calls", () =>
    expect(s.routeFor("q0:mw", "q0.01")).toBe(s.routeFor("q0:mw", "q0.01")));
  it("PORT_NOT_CONNECTED names the port-clock", () => {
    const e = catchErr(() => s.routeFor("q7:mw", "q7.01"));
    expect(e).toBeInstanceOf(HardwareConfigError);
    expect([e.code, e.path, e.message]).toEqual([
      "PORT_NOT_CONNECTED",
      "q7:mw-q7.01",
      "Port 'q7:mw' (port-clock 'q7:mw-q7.01') was not found in the connectivity graph.",
    ]);
    expect(e.hint).toContain('["cluster0.module1.complex_output_0", "q7:mw"]');
  });
});

describe("routeFor: IQ mixer + external LO, optical modulators", () => {
  it("resolves the cluster channel and the LO behind an IQ mixer", () => {
    const s = load(
      cfg(
        { "1": { instrument_type: "QCM" } },
        [
          ["cluster0.module1.complex_output_0", "iq_mixer_lo0.if"],
          ["lo0.output", "iq_mixer_lo0.lo"],
          ["iq_mixer_lo0.rf", "q0:mw"],
        ],
        {},
        { lo0: { instrument_type: "LocalOscillator", power: 10 }, iq_mixer_lo0: { instrument_type: "IQMixer" } },
      ),
    );
    const r = s.routeFor("q0:mw", "q0.01");
    expect([r.channelName, r.outputIndices, r.externalLo]).toEqual([
      "complex_output_0",
      [0, 1],
      { name: "lo0", mixer: "iq_mixer_lo0" },
    ]);
  });
  it("NV case: laser modulators serve only the clocks with their label", () => {
    const s = load(
      cfg(
        { "2": { instrument_type: "QCM" } },
        [
          ["cluster0.module2.real_output_0", "optical_mod_spinpump_laser.if"],
          ["spinpump_laser.output", "optical_mod_spinpump_laser.lo"],
          ["optical_mod_spinpump_laser.out", "qe0:optical_control"],
          ["cluster0.module2.real_output_2", "optical_mod_red_laser.if"],
          ["red_laser.output", "optical_mod_red_laser.lo"],
          ["optical_mod_red_laser.out", "qe0:optical_control"],
        ],
        {},
        {
          spinpump_laser: { instrument_type: "LocalOscillator", power: 1 },
          red_laser: { instrument_type: "LocalOscillator", power: 1 },
          optical_mod_spinpump_laser: { instrument_type: "OpticalModulator" },
          optical_mod_red_laser: { instrument_type: "OpticalModulator" },
        },
      ),
    );
    const a = s.routeFor("qe0:optical_control", "qe0.ge1");
    const b = s.routeFor("qe0:optical_control", "qe0.ge0");
    expect([a.channelName, a.externalLo]).toEqual([
      "real_output_0",
      { name: "spinpump_laser", mixer: "optical_mod_spinpump_laser" },
    ]);
    expect([b.channelName, b.externalLo]).toEqual([
      "real_output_2",
      { name: "red_laser", mixer: "optical_mod_red_laser" },
    ]);
    expect(catchErr(() => s.routeFor("qe0:optical_control", "qe0.spec")).code).toBe("PORT_NOT_CONNECTED");
  });
  it("LO_NOT_FOUND when the mixer has a cluster channel but no LO", () => {
    const s = load(
      cfg(
        { "1": { instrument_type: "QCM" } },
        [
          ["cluster0.module1.complex_output_0", "mix.if"],
          ["mix.rf", "q0:mw"],
        ],
        {},
        { mix: { instrument_type: "IQMixer" } },
      ),
    );
    const e = catchErr(() => s.routeFor("q0:mw", "q0.01"));
    expect([e.code, e.message]).toEqual([
      "LO_NOT_FOUND",
      "Could not find a local oscillator for 'mix' (used by port-clock 'q0:mw-q0.01').",
    ]);
  });
  it("MIXER_CHANNEL_NOT_FOUND when the mixer has an LO but no cluster channel", () => {
    const s = load(
      cfg(
        { "1": { instrument_type: "QCM" } },
        [
          ["lo0.output", "mix.lo"],
          ["mix.rf", "q0:mw"],
        ],
        {},
        { mix: { instrument_type: "IQMixer" }, lo0: { instrument_type: "LocalOscillator" } },
      ),
    );
    expect(catchErr(() => s.routeFor("q0:mw", "q0.01")).code).toBe("MIXER_CHANNEL_NOT_FOUND");
  });
});

describe("routeFor: measure pairing and version 0.1 automatic inputs", () => {
  const modules = {
    "1": { instrument_type: "QCM" },
    "2": { instrument_type: "QRM" },
    "4": { instrument_type: "QRM_RF" },
  };
  it("0.2: output + input of the same QRM → measure channel, indices (0,1)/(0,1)", () => {
    const s = load(
      cfg(
        modules,
        [
          ["cluster0.module2.complex_output_0", "q0:res"],
          ["cluster0.module2.complex_input_0", "q0:res"],
        ],
        { version: "0.2" },
      ),
    );
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual(["complex_output_0", ["complex_input_0"], [0, 1], [0, 1]]);
  });
  it("0.2: output only → no measure channel, no inputs", () => {
    const s = load(cfg(modules, [["cluster0.module4.complex_output_0", "q0:res"]], { version: "0.2" }));
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual(["complex_output_0", [], [0, 1], []]);
  });
  it("0.1: complex output on a QRM_RF with no inputs gets complex_input_0", () => {
    const s = load(cfg(modules, [["cluster0.module4.complex_output_0", "q0:res"]]));
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual(["complex_output_0", ["complex_input_0"], [0, 1], [0, 1]]);
  });
  it("0.1: real output on a QRM with no inputs gets both real inputs → inputs (0,1)", () => {
    const s = load(cfg(modules, [["cluster0.module2.real_output_1", "q0:res"]], { version: "0.1" }));
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual([
      "real_output_1",
      ["real_input_0", "real_input_1"],
      [1],
      [0, 1],
    ]);
  });
  it("0.1: one input-only real input listed and only real outputs → the other real input is added", () => {
    const s = load(
      cfg(
        modules,
        [
          ["cluster0.module2.real_output_0", "q0:res"],
          ["cluster0.module2.real_input_0", "q0:scope"],
        ],
        { version: "0.1" },
      ),
    );
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual(["real_output_0", ["real_input_1"], [0], [1]]);
  });
  it("0.1: a module with an input-only port gets no automatic inputs for complex outputs", () => {
    const s = load(
      cfg(modules, [
        ["cluster0.module2.complex_output_0", "q0:res"],
        ["cluster0.module2.complex_input_0", "q0:scope"],
      ]),
    );
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual(["complex_output_0", [], [0, 1], []]);
  });
  it("0.2: real output + one real input → inputs (j)", () => {
    const s = load(
      cfg(
        modules,
        [
          ["cluster0.module2.real_output_0", "q0:res"],
          ["cluster0.module2.real_input_1", "q0:res"],
        ],
        { version: "0.2" },
      ),
    );
    expect(route(s.routeFor("q0:res", "q0.ro"))).toEqual(["real_output_0", ["real_input_1"], [0], [1]]);
  });
  it("QCM outputs never get automatic inputs in 0.1", () => {
    const s = load(cfg(modules, [["cluster0.module1.complex_output_0", "q0:mw"]]));
    expect(route(s.routeFor("q0:mw", "q0.01"))).toEqual(["complex_output_0", [], [0, 1], []]);
  });
  it("MEASURE_PAIRING_INVALID for complex output + real input on a QRM", () => {
    const s = load(
      cfg(
        modules,
        [
          ["cluster0.module2.complex_output_0", "q0:res"],
          ["cluster0.module2.real_input_0", "q0:res"],
        ],
        { version: "0.2" },
      ),
    );
    const e = catchErr(() => s.routeFor("q0:res", "q0.ro"));
    expect([e.code, e.path]).toEqual(["MEASURE_PAIRING_INVALID", "q0:res-q0.ro"]);
    expect(e.message).toContain("'complex_output_0' with input(s) real_input_0");
  });
  it("PORT_ON_MULTIPLE_MODULES when one port reaches two modules", () => {
    const s = load(
      cfg(
        modules,
        [
          ["cluster0.module2.complex_output_0", "q0:res"],
          ["cluster0.module4.complex_input_0", "q0:res"],
        ],
        { version: "0.2" },
      ),
    );
    const e = catchErr(() => s.routeFor("q0:res", "q0.ro"));
    expect(e.code).toBe("PORT_ON_MULTIPLE_MODULES");
    expect(e.message).toBe(
      "Port-clock 'q0:res-q0.ro' is connected to channels of different modules: 'cluster0.module2.complex_output_0' and 'cluster0.module4.complex_input_0'.",
    );
  });
});

describe("moduleSpec via the setup", () => {
  it("returns the catalog entry", () => {
    const s = load(cfg({ "1": { instrument_type: "QCM" } }, []));
    expect([s.moduleSpec("QRM").maxInstructions, s.moduleSpec("QRM_RF").mixerDcOffsetRangeV]).toEqual([12288, 0.05]);
  });
});

describe("routeFor: illegal output + input pairs", () => {
  it("MEASURE_PAIRING_INVALID for a QRC digital output paired with a complex input", () => {
    const s = load(
      cfg(
        { "5": { instrument_type: "QRC" } },
        [
          ["cluster0.module5.digital_output_0", "q0:res"],
          ["cluster0.module5.complex_input_0", "q0:res"],
        ],
        { version: "0.2" },
      ),
    );
    expect(catchErr(() => s.routeFor("q0:res", "q0.ro")).code).toBe("MEASURE_PAIRING_INVALID");
  });
  it("MEASURE_NOT_SUPPORTED for a QTM output and input on one port", () => {
    const s = load(
      cfg(
        { "6": { instrument_type: "QTM" } },
        [
          ["cluster0.module6.digital_output_0", "q0:x"],
          ["cluster0.module6.digital_input_1", "q0:x"],
        ],
        { version: "0.2" },
      ),
    );
    const e = catchErr(() => s.routeFor("q0:x", "digital"));
    expect(e.code).toBe("MEASURE_NOT_SUPPORTED");
    expect(e.message).toBe(
      "Port-clock 'q0:x-digital' pairs output 'digital_output_0' with input(s) digital_input_1 on a QTM module, which cannot measure.",
    );
  });
});
