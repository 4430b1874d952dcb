/** Markers (reference 3.8): MarkerPulse bit table, RF switch defaults, rf_output_on, marker debug mode. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import {
  HEADER,
  compileError,
  config,
  lines,
  marker,
  schedule,
  seqOf,
  simultaneous,
  square,
  ssb,
} from "./options-helpers.js";

/** A 40 ns MarkerPulse on `channel` of a single module of `type` in slot 1. */
function markerProgram(type: string, channel: string, moduleExtra: Record<string, unknown> = {}): string[] {
  const hw = config({ "1": { instrument_type: type, ...moduleExtra } }, [[`cluster0.module1.${channel}`, "q0:sw"]]);
  const c = compile(schedule([marker("q0:sw")], {}), hw);
  return lines(seqOf(c, "cluster0_module1", "q0:sw-digital").sequence.program);
}
const body = (on: number, off: number): string[] => [
  `set_mrk ${on}`,
  "upd_param 4",
  "wait 36",
  `set_mrk ${off}`,
  "upd_param 4",
  "wait 96",
  "loop R0,@start",
  "stop",
];

describe("MarkerPulse bit table and default markers", () => {
  const rows: [string, string, number, number][] = [
    // type, channel, default (rf_output_on), marker | default
    ["QCM", "digital_output_0", 0, 0b0001],
    ["QCM", "digital_output_1", 0, 0b0010],
    ["QCM", "digital_output_2", 0, 0b0100],
    ["QCM", "digital_output_3", 0, 0b1000],
    ["QRM", "digital_output_0", 0, 0b0001],
    ["QRM", "digital_output_3", 0, 0b1000],
    ["QCM_RF", "digital_output_0", 0b0011, 0b1011],
    ["QCM_RF", "digital_output_1", 0b0011, 0b0111],
    ["QRM_RF", "digital_output_0", 0b0010, 0b0110],
    ["QRM_RF", "digital_output_1", 0b0010, 0b1010],
    ["QRC", "digital_output_0", 0, 0b0001],
  ];
  for (const [type, ch, def, on] of rows) {
    it(`${type} ${ch}: set_mrk ${on} … set_mrk ${def}`, () => {
      expect(markerProgram(type, ch)).toEqual([...HEADER(def), ...body(on, def)]);
    });
  }
  it("QCM_RF complex_output_0 with rf_output_on false: the switch bit 0b0001 is pulsed from 0", () => {
    expect(markerProgram("QCM_RF", "complex_output_0", { rf_output_on: false })).toEqual([
      ...HEADER(0),
      ...body(0b0001, 0),
    ]);
  });
  it("QCM_RF complex_output_1 with rf_output_on false: bit 0b0010", () => {
    expect(markerProgram("QCM_RF", "complex_output_1", { rf_output_on: false })).toEqual([
      ...HEADER(0),
      ...body(0b0010, 0),
    ]);
  });
  it("QRM_RF complex_output_0 with rf_output_on false: bit 0b0010", () => {
    expect(markerProgram("QRM_RF", "complex_output_0", { rf_output_on: false })).toEqual([
      ...HEADER(0),
      ...body(0b0010, 0),
    ]);
  });
  it("QCM_RF digital_output_0 with rf_output_on false: no switch bits in the default", () => {
    expect(markerProgram("QCM_RF", "digital_output_0", { rf_output_on: false })).toEqual([
      ...HEADER(0),
      ...body(0b1000, 0),
    ]);
  });
  it("switching an RF output that rf_output_on already keeps on → RF_OUTPUT_ALREADY_ON", () => {
    const hw = config({ "1": { instrument_type: "QCM_RF" } }, [["cluster0.module1.complex_output_0", "q0:sw"]]);
    const e = compileError(schedule([marker("q0:sw")], {}), hw);
    expect([e.code, e.message]).toEqual([
      "RF_OUTPUT_ALREADY_ON",
      'MarkerPulse "MarkerPulse" on q0:sw-digital would switch on the RF output of cluster0_module1.complex_output_0, which is already on because rf_output_on is true',
    ]);
  });
  it("a marker on a channel without marker → NO_MARKER_ON_CHANNEL", () => {
    const hw = config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:sw"]]);
    expect(compileError(schedule([marker("q0:sw")], {}), hw).code).toBe("NO_MARKER_ON_CHANNEL");
  });
  it("RF pulse sequencers start with the channel's default marker; rf_output_on false → 0", () => {
    const mk = (on: boolean) =>
      config(
        { "1": { instrument_type: "QCM_RF", rf_output_on: on } },
        [["cluster0.module1.complex_output_1", "q0:mw"]],
        { modulation_frequencies: { "q0:mw-q0.01": { interm_freq: 100e6 } } },
      );
    const sched = simultaneous([square("q0:mw", "q0.01")], { "q0.01": { freq: 5e9 } });
    expect(lines(seqOf(compile(sched, mk(true)), "cluster0_module1", "q0:mw-q0.01").sequence.program)[0]).toBe(
      "set_mrk 2",
    );
    const off = compile(sched, mk(false));
    expect(lines(seqOf(off, "cluster0_module1", "q0:mw-q0.01").sequence.program)[0]).toBe("set_mrk 0");
    expect(off.clusters["cluster0"]!.modules["cluster0_module1"]!.settings.rf_output_on).toBe(false);
  });
});

describe("marker debug mode", () => {
  const RES = { "q0.01": { freq: 100e6 }, "q0.ro": { freq: 150e6 } };
  it("QCM complex_output_1: set_mrk 0b1100 around each play, then set_mrk 0 and upd_param 4", () => {
    const hw = config({ "1": { instrument_type: "QCM", complex_output_1: { marker_debug_mode_enable: true } } }, [
      ["cluster0.module1.complex_output_1", "q0:mw"],
    ]);
    const c = compile(schedule([square("q0:mw", "q0.01", 0.5), square("q0:mw", "q0.01", 0.5)], RES), hw);
    expect(lines(seqOf(c, "cluster0_module1", "q0:mw-q0.01").sequence.program)).toEqual([
      ...HEADER(0),
      "set_mrk 12",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "set_mrk 0",
      "upd_param 4",
      "wait 32",
      "set_mrk 12",
      "play 0,0,4",
      "set_mrk 0",
      "upd_param 4",
      "wait 132",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("QRM: 0b1100 around acquisitions, 0b0011 around plays", () => {
    const hw = config({ "2": { instrument_type: "QRM", complex_output_0: { marker_debug_mode_enable: true } } }, [
      ["cluster0.module2.complex_output_0", "q0:res"],
      ["cluster0.module2.complex_input_0", "q0:res"],
    ]);
    const c = compile(
      simultaneous([square("q0:res", "q0.ro", 0.25, "300 ns"), { ...ssb("q0:res", "q0.ro", 0), t0: "100 ns" }], RES),
      hw,
    );
    const p = lines(seqOf(c, "cluster0_module2", "q0:res-q0.ro").sequence.program);
    expect(p.slice(7, 19)).toEqual([
      // the 300 ns square is played as an offset (no play) plus a 4 ns tail pulse at 296 ns
      "set_awg_offs 8192,0",
      "upd_param 4",
      "wait 96",
      "set_mrk 12",
      "acquire 0,0,4",
      "set_mrk 0",
      "upd_param 4",
      "wait 188",
      "set_awg_offs 0,0",
      "set_mrk 3",
      "set_awg_gain 8192,0",
      "play 0,0,4",
    ]);
  });
  it("QRM_RF: 0b0110 around plays, reset to the default 0b0010", () => {
    const hw = config(
      { "2": { instrument_type: "QRM_RF", complex_output_0: { marker_debug_mode_enable: true } } },
      [
        ["cluster0.module2.complex_output_0", "q0:res"],
        ["cluster0.module2.complex_input_0", "q0:res"],
      ],
      { modulation_frequencies: { "q0:res-q0.ro": { interm_freq: 100e6 } } },
    );
    const c = compile(schedule([square("q0:res", "q0.ro")], { "q0.ro": { freq: 7e9 } }), hw);
    expect(lines(seqOf(c, "cluster0_module2", "q0:res-q0.ro").sequence.program).slice(7, 12)).toEqual([
      "set_mrk 6",
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "set_mrk 2",
      "upd_param 4",
    ]);
  });
  it("debug mode on an output whose marker is also a digital_output → MARKER_DEBUG_CONFLICT", () => {
    const hw = config({ "1": { instrument_type: "QCM", complex_output_0: { marker_debug_mode_enable: true } } }, [
      ["cluster0.module1.complex_output_0", "q0:mw"],
      ["cluster0.module1.digital_output_1", "q0:sw"],
    ]);
    const e = compileError(simultaneous([square("q0:mw", "q0.01"), marker("q0:sw")], RES), hw);
    expect([e.code, e.message]).toEqual([
      "MARKER_DEBUG_CONFLICT",
      "cluster0_module1.complex_output_0 has marker_debug_mode_enable, but marker 1 is also used as digital_output_1 by q0:sw-digital",
    ]);
  });
});
