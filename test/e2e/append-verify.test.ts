import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { simulate } from "../../src/emulator/simulate.js";
import { verifyCompiled } from "../../src/emulator/verify.js";
import { EmulationError } from "../../src/core/errors.js";
import { compileJson, hardware, RESOURCES } from "./helpers.js";

describe("e2e: APPEND with 1,000 acquisitions", () => {
  const schedulables = Array.from({ length: 1000 }, (_, k) => ({
    label: `a${k}`,
    operation: {
      type: "SSBIntegrationComplex",
      duration: "500 ns",
      port: "q0:res",
      clock: "q0.ro",
      acq_channel: "iq",
      bin_mode: "append",
    },
    ...(k > 0 ? { ref_schedulable: `a${k - 1}`, ref_pt: "start", rel_time: "1 us" } : {}),
  }));
  const c = compileJson({ name: "append", repetitions: 3, schedulables });
  const period = c.repetition_duration_ns + 4;
  // injected input: a 150 MHz tone whose amplitude encodes (repetition, acquisition index)
  const amp = (rep: number, k: number): number => 0.1 * rep + 0.0005 * (k % 100);
  const phase = (t: number, rep: number): number => 2 * Math.PI * 150e6 * (t - 12 - rep * period) * 1e-9;
  const r = simulate(c, {
    from: 0,
    to: 1e-9,
    inputModel: ({ input, fromNs, toNs }) => {
      const rep = Math.floor((fromNs - 12) / period),
        k = Math.round((fromNs - 16 - rep * period) / 1000);
      const x = new Float32Array(toNs - fromNs);
      for (let i = 0; i < x.length; i++) {
        const ph = phase(fromNs + i, rep);
        x[i] = Math.SQRT1_2 * amp(rep, k) * (input === 0 ? Math.cos(ph) : Math.sin(ph));
      }
      return x;
    },
  });
  it("returns [repetitions, acquisitions] values in execution order", () => {
    expect(period).toBe(999_504);
    const a = r.acquisitions["iq"]!;
    expect(a.shape).toEqual([3, 1000]);
    expect(a.dims).toEqual(["repetition", "acq_index_iq"]);
    expect(a.re.length).toBe(3000);
    let worst = 0;
    for (let rep = 0; rep < 3; rep++) {
      for (let k = 0; k < 1000; k++) {
        worst = Math.max(worst, Math.abs(a.re[rep * 1000 + k]! - amp(rep, k)), Math.abs(a.im[rep * 1000 + k]!));
      }
    }
    expect(worst).toBeLessThan(1e-6);
    expect(a.re[2 * 1000 + 37]).toBeCloseTo(0.2185, 6);
    const seq = r.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!;
    expect([seq.status, seq.err_flags, seq.endTimeNs]).toEqual(["OKAY", [], 16 + 3 * period - 4]);
  });
});

const SINGLE = {
  name: "single",
  repetitions: 4,
  resources: RESOURCES,
  schedulables: [
    { operation: { type: "SquarePulse", amp: 0.25, duration: "40 ns", port: "q0:mw", clock: "q0.01" } },
    { operation: { type: "IdlePulse", duration: "100 ns" } },
  ],
};

/** Replace the program of cluster0_module1.seq0 with `edit(program)`. */
function edited(edit: (program: string) => string): CompiledSchedule {
  const c = structuredClone(compile(SINGLE, hardware()));
  const seq = c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!;
  seq.sequence.program = edit(seq.sequence.program);
  return c;
}

function thrown(fn: () => void): EmulationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulationError) return e;
    throw e;
  }
  throw new Error("expected an EmulationError");
}

describe("verify", () => {
  it("compile(..., {verify: true}) passes on a normal schedule and records the 4-verify stage", () => {
    const c = compile(SINGLE, hardware(), { verify: true });
    expect(Object.keys(c.diagnostics.stage_ms)).toContain("4-verify");
    expect(typeof c.diagnostics.stage_ms["4-verify"]).toBe("number");
  });

  it("turns an RT underflow in a tight loop into RT_UNDERFLOW naming the operation (source map) and line", () => {
    // a tight classical loop around a 4 ns play: the Q1 core needs 8+ ns per 4 ns of RT time
    const c = edited((p) =>
      p.replace(
        / wait 136[^\n]*\n/,
        " move 1000,R5\ntight: play 0,0,4 # play tight loop (4 ns)\n loop R5,@tight\n wait 128\n",
      ),
    );
    const seq = c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!;
    const lines = seq.sequence.program.split("\n");
    const playLine = lines.findIndex((l) => l.startsWith("tight:")) + 1;
    // the edit turned one unowned line (wait 136) into four; the tight play belongs to a new operation
    const map = seq.source_map!;
    const k =
      map.operations.push({ id: 99, name: "X90 q0 (tight loop)", path: "/schedulables/0/operation", label: "x90" }) - 1;
    map.lines.splice(playLine - 2, 1, -1, k, -1, -1);
    const err = thrown(() => verifyCompiled(c));
    expect(err.code).toBe("RT_UNDERFLOW");
    expect(err.path).toBe("/schedulables/0/operation");
    expect(err.message).toBe(
      `cluster0_module1 sequencer 0 (q0:mw-q0.01) stopped with SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW at Q1ASM line ${playLine} (\`tight: play 0,0,4\`) emitted for operation "X90 q0 (tight loop)"`,
    );
    expect(err.hint).toMatch(/tight loop/);
    expect(err.details).toMatchObject({
      module: "cluster0_module1",
      sequencer: 0,
      port_clock: "q0:mw-q0.01",
      line: playLine,
      operation: "X90 q0 (tight loop)",
    });
  });

  it("without a source map the error names the line only", () => {
    const c = edited((p) => p.replace("play 0,0,4", "play 3,0,4"));
    delete c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!.source_map;
    const err = thrown(() => verifyCompiled(c));
    expect([err.code, err.path]).toEqual(["WAVEFORM_INDEX_INVALID", "cluster0/cluster0_module1/seq0/line 9"]);
    expect(err.message).toBe(
      "cluster0_module1 sequencer 0 (q0:mw-q0.01) stopped with AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_0 at Q1ASM line 9 (`play 3,0,4`)",
    );
  });

  it("reports an invalid waveform index as WAVEFORM_INDEX_INVALID, naming the SquarePulse", () => {
    const c = edited((p) => p.replace("play 0,0,4", "play 3,0,4"));
    const err = thrown(() => verifyCompiled(c));
    expect([err.code, err.path]).toEqual(["WAVEFORM_INDEX_INVALID", "/schedulables/0/operation"]);
    expect(err.message).toContain(
      'AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_0 at Q1ASM line 9 (`play 3,0,4`) emitted for operation "SquarePulse"',
    );
  });

  it("ignores warnings (OUTPUT_OVERFLOW) and passes", () => {
    const c = edited((p) => p.replace("set_awg_gain 8192,0", "set_awg_gain 32767,32767\n set_awg_offs 32767,0"));
    expect(() => verifyCompiled(c)).not.toThrow();
    const s = simulate(c).clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!;
    expect([s.status, s.warn_flags]).toEqual(["WARNING", ["OUTPUT_OVERFLOW"]]);
  });
});
