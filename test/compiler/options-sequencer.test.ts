/** Sequencer options, Q1ASM hooks, multiplexing, real mode, QRC and config versions. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import type { QasmHook, QasmHookContext } from "../../src/compiler/3-emit/hooks.js";
import type { Instruction } from "../../src/q1/types.js";
import {
  HEADER,
  compileError,
  config,
  lines,
  moduleSettings,
  schedule,
  seqOf,
  simultaneous,
  square,
  ssb,
} from "./options-helpers.js";

const RES = { "q0.01": { freq: 100e6 }, "q0.ro": { freq: 150e6 } };
const qcm = (options: Record<string, unknown>) =>
  config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:mw"]], options);
const pulse = schedule([square("q0:mw", "q0.01")], RES);

describe("sequencer_options", () => {
  it("init offsets and gains become sequencer settings; the program is unchanged", () => {
    const c = compile(
      pulse,
      qcm({
        sequencer_options: {
          "q0:mw-q0.01": {
            init_offset_awg_path_I: 0.1,
            init_offset_awg_path_Q: -0.2,
            init_gain_awg_path_I: 0.5,
            init_gain_awg_path_Q: -1,
          },
        },
      }),
    );
    const s = seqOf(c, "cluster0_module1", "q0:mw-q0.01");
    expect([
      s.settings.init_offset_awg_path_I,
      s.settings.init_offset_awg_path_Q,
      s.settings.init_gain_awg_path_I,
      s.settings.init_gain_awg_path_Q,
    ]).toEqual([0.1, -0.2, 0.5, -1]);
    expect(lines(s.sequence.program)).toEqual([
      ...HEADER(0),
      "set_awg_gain 16384,0",
      "play 0,0,4",
      "wait 136",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("defaults: offsets 0, gains 1, ttl threshold null", () => {
    const s = seqOf(compile(pulse, qcm({})), "cluster0_module1", "q0:mw-q0.01").settings;
    expect([
      s.init_offset_awg_path_I,
      s.init_offset_awg_path_Q,
      s.init_gain_awg_path_I,
      s.init_gain_awg_path_Q,
      s.ttl_acq_threshold,
    ]).toEqual([0, 0, 1, 1, null]);
  });
  it("ttl_acq_threshold is carried", () => {
    const hw = config(
      { "2": { instrument_type: "QRM" } },
      [
        ["cluster0.module2.complex_output_0", "q0:res"],
        ["cluster0.module2.complex_input_0", "q0:res"],
      ],
      { sequencer_options: { "q0:res-q0.ro": { ttl_acq_threshold: 0.25 } } },
    );
    expect(
      seqOf(compile(schedule([ssb("q0:res", "q0.ro", 0)], RES), hw), "cluster0_module2", "q0:res-q0.ro").settings
        .ttl_acq_threshold,
    ).toBe(0.25);
  });
});

describe("Q1ASM hook (qasm_hook_func, passed as compile option qasmHooks)", () => {
  const hooked = qcm({ sequencer_options: { "q0:mw-q0.01": { qasm_hook_func: "nop-before-stop" } } });
  const hooks = (fn: QasmHook) => ({ qasmHooks: { "nop-before-stop": fn } });
  it("edits the sequencer's instruction list and gets module and port-clock info", () => {
    let seen: QasmHookContext | null = null;
    const c = compile(
      pulse,
      hooked,
      hooks((ins: Instruction[], ctx) => {
        seen = ctx;
        return [...ins.slice(0, -1), { mnemonic: "nop", args: [], comment: "added by hook" }, ins[ins.length - 1]!];
      }),
    );
    const s = seqOf(c, "cluster0_module1", "q0:mw-q0.01");
    expect(lines(s.sequence.program).slice(-3)).toEqual(["loop R0,@start", "nop", "stop"]);
    expect(seen).toEqual({
      cluster: "cluster0",
      moduleName: "cluster0_module1",
      moduleType: "QCM",
      sequencer: 0,
      portClock: "q0:mw-q0.01",
    });
    expect(c.diagnostics.resources[0]!.instructions).toBe(13);
    // the source map follows the kept instructions; the hook's own line belongs to no operation
    const map = s.source_map!;
    expect(map.lines).toHaveLength(s.sequence.program.split("\n").filter((l) => l.trim() !== "").length);
    expect(map.lines.at(-2)).toBe(-1);
    expect(map.operations.map((o) => o.name)).toEqual(["SquarePulse"]);
  });
  it("a hook that breaks the program or throws → QASM_HOOK_FAILED naming the hook and port-clock", () => {
    const e = compileError(
      pulse,
      hooked,
      hooks((ins) => ins.slice(0, -1)),
    ); // drops the final stop
    expect(e.code).toBe("QASM_HOOK_FAILED");
    expect(e.message).toContain('Q1ASM hook "nop-before-stop" failed for cluster0_module1.seq0 (q0:mw-q0.01)');
    expect(e.message).toContain("stop");
    expect(e.path).toBe("/hardware_options/sequencer_options/q0:mw-q0.01/qasm_hook_func");
    const e2 = compileError(
      pulse,
      hooked,
      hooks((ins) => {
        const a = ins[ins.length - 2]!.args[0]!;
        (a as { index: number }).index = 5; // operands are frozen: mutating throws
        return ins;
      }),
    );
    expect(e2.code).toBe("QASM_HOOK_FAILED");
    expect(e2.message).toContain("TypeError");
  });
  it("a name not passed → UNKNOWN_QASM_HOOK listing the hooks passed", () => {
    const e = compileError(
      pulse,
      qcm({ sequencer_options: { "q0:mw-q0.01": { qasm_hook_func: "missing" } } }),
      hooks((ins) => ins),
    );
    expect([e.code, e.message, e.hint]).toEqual([
      "UNKNOWN_QASM_HOOK",
      "sequencer_options.qasm_hook_func of q0:mw-q0.01 names 'missing', which is not among the Q1ASM hooks passed to compile()",
      'pass it as compile(schedule, hardware, { qasmHooks: { "missing": fn } }); hooks passed: nop-before-stop',
    ]);
  });
  it("hooks do not leak between compilations: the same name without the option is unknown", () => {
    expect(compileError(pulse, hooked).code).toBe("UNKNOWN_QASM_HOOK");
  });
});

describe("frequency multiplexing on one output", () => {
  const clocks = Array.from({ length: 7 }, (_, i) => `q0.c${i}`);
  const resources = Object.fromEntries(clocks.map((cl, i) => [cl, { freq: 50e6 + 10e6 * i }]));
  it("six port-clocks on complex_output_0 get six sequencers, each with its own NCO", () => {
    const c = compile(
      simultaneous(
        clocks.slice(0, 6).map((cl) => square("q0:mw", cl)),
        resources,
      ),
      qcm({}),
    );
    const seqs = Object.values(c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers);
    expect(
      seqs.map((s) => [s.index, s.port_clock, s.settings.modulation_freq, s.settings.connect_out["out0"]]),
    ).toEqual(clocks.slice(0, 6).map((cl, i) => [i, `q0:mw-${cl}`, 50e6 + 10e6 * i, "I"]));
  });
  it("a seventh → OUT_OF_SEQUENCERS naming the module and the port-clocks", () => {
    const e = compileError(
      simultaneous(
        clocks.map((cl) => square("q0:mw", cl)),
        resources,
      ),
      qcm({}),
    );
    expect([e.code, e.message]).toEqual([
      "OUT_OF_SEQUENCERS",
      `Cannot reserve a sequencer on cluster0_module1 (QCM, 6 sequencers) for port-clock 'q0:mw-q0.c6' (channel complex_output_0); port-clocks on this module: ${clocks.map((cl) => `q0:mw-${cl}`).join(", ")}.`,
    ]);
  });
});

describe("real outputs", () => {
  const hw = config(
    { "1": { instrument_type: "QCM" } },
    [
      ["cluster0.module1.real_output_1", "q0:fl"],
      ["cluster0.module1.real_output_3", "q1:fl"],
    ],
    { modulation_frequencies: { "q0:fl-cl0.baseband": { interm_freq: 0 }, "q1:fl-cl0.baseband": { interm_freq: 0 } } },
  );
  const c = compile(
    simultaneous([square("q0:fl", "cl0.baseband", 0.5), square("q1:fl", "cl0.baseband", -0.25)], {}),
    hw,
  );
  it("each real output has its own sequencer playing on path I only", () => {
    const a = seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband"),
      b = seqOf(c, "cluster0_module1", "q1:fl-cl0.baseband");
    expect([a.index, a.settings.connect_out, a.settings.connected_output_indices, a.settings.nco_en]).toEqual([
      0,
      { out0: "off", out1: "I", out2: "off", out3: "off" },
      [1],
      false,
    ]);
    expect([b.index, b.settings.connect_out, b.settings.connected_output_indices]).toEqual([
      1,
      { out0: "off", out1: "off", out2: "off", out3: "I" },
      [3],
    ]);
    expect(lines(b.sequence.program).slice(7, 9)).toEqual(["set_awg_gain -8192,0", "play 0,0,4"]);
  });
  it("a complex waveform on a real output → COMPLEX_ON_REAL_CHANNEL", () => {
    const e = compileError(
      simultaneous(
        [
          {
            type: "DRAGPulse",
            G_amp: 0.5,
            D_amp: 0.1,
            phase: 0,
            duration: "20 ns",
            port: "q0:fl",
            clock: "cl0.baseband",
          },
        ],
        {},
      ),
      hw,
    );
    expect(e.code).toBe("COMPLEX_ON_REAL_CHANNEL");
  });
  it("QRM real output + real input: connect_out I, connect_acq I only", () => {
    const h = config({ "2": { instrument_type: "QRM" } }, [
      ["cluster0.module2.real_output_0", "q0:res"],
      ["cluster0.module2.real_input_0", "q0:res"],
    ]);
    const s = seqOf(
      compile(schedule([ssb("q0:res", "q0.ro", 0)], RES), h),
      "cluster0_module2",
      "q0:res-q0.ro",
    ).settings;
    expect([s.connect_out, s.connect_acq, s.connected_input_indices]).toEqual([
      { out0: "I", out1: "off" },
      { I: "in0", Q: "off" },
      [0],
    ]);
  });
});

describe("QRC", () => {
  const hw = config(
    { "3": { instrument_type: "QRC" } },
    [
      ["cluster0.module3.complex_output_2", "q0:mw"],
      ["cluster0.module3.complex_output_0", "q0:res"],
      ["cluster0.module3.complex_input_1", "q0:res"],
    ],
    {
      modulation_frequencies: { "q0:mw-q0.01": { interm_freq: 0 }, "q0:res-q0.ro": { lo_freq: 7e9 } },
      output_att: { "q0:mw-q0.01": 8 },
    },
  );
  const c = compile(
    simultaneous([square("q0:mw", "q0.01"), ssb("q0:res", "q0.ro", 0)], {
      "q0.01": { freq: 5e9 },
      "q0.ro": { freq: 7.2e9 },
    }),
    hw,
  );
  it("the NCO stays on even with interm_freq 0; LOs per output", () => {
    const mw = seqOf(c, "cluster0_module3", "q0:mw-q0.01").settings;
    expect([mw.nco_en, mw.modulation_freq, mw.connect_out]).toEqual([
      true,
      0,
      { out0: "off", out1: "off", out2: "IQ", out3: "off", out4: "off", out5: "off" },
    ]);
    expect(moduleSettings(c, "cluster0_module3").lo_freq).toEqual([7e9, null, 5e9, null, null, null]);
    expect(moduleSettings(c, "cluster0_module3").out_att).toEqual([null, null, 8, null, null, null]);
  });
  it("measure on complex_input_1 → connect_acq in1; measure sequencers first", () => {
    const res = seqOf(c, "cluster0_module3", "q0:res-q0.ro");
    expect([
      res.index,
      res.settings.connected_input_indices,
      res.settings.connect_acq,
      res.settings.modulation_freq,
    ]).toEqual([0, [2, 3], { acq: "in1" }, 200e6]);
    // complex_output_2 is served by sequencers 0 and 4 (and 8–11): 0 is taken by the measurement
    expect(seqOf(c, "cluster0_module3", "q0:mw-q0.01").index).toBe(4);
  });
});

describe("config versions", () => {
  const graph = [["cluster0.module2.complex_output_0", "q0:res"]];
  const sched = schedule([ssb("q0:res", "q0.ro", 0)], RES);
  it('"0.1": an output-only readout port gets complex_input_0 implicitly', () => {
    const c = compile(sched, config({ "2": { instrument_type: "QRM" } }, graph, {}, {}, "0.1"));
    const s = seqOf(c, "cluster0_module2", "q0:res-q0.ro").settings;
    expect([s.channel_name_measure, s.connected_input_indices, s.connect_acq]).toEqual([
      ["complex_input_0"],
      [0, 1],
      { I: "in0", Q: "in1" },
    ]);
  });
  it('"0.2": the same acquisition has no input → ACQUISITION_WITHOUT_INPUT', () => {
    expect(compileError(sched, config({ "2": { instrument_type: "QRM" } }, graph, {}, {}, "0.2")).code).toBe(
      "ACQUISITION_WITHOUT_INPUT",
    );
  });
  it("any other version → UNKNOWN_VERSION with the supported list", () => {
    const e = compileError(sched, config({ "2": { instrument_type: "QRM" } }, graph, {}, {}, "0.3"));
    expect([e.code, e.message, e.hint]).toEqual([
      "UNKNOWN_VERSION",
      "Unknown hardware config version '0.3'.",
      'Supported versions are "0.1", "0.2"; "0.2" makes outputs output-only (measure needs an input edge too).',
    ]);
  });
});
