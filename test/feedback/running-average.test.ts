/**
 * Values over LINQ (docs/feedback.md "Values over LINQ"): examples/schedules/running-average.json on
 * hardware-configs/baseband-transmon.json. The QRM (slot 2) shares the I and Q values of each
 * measurement (fb_acq_iq_id); the QCM (slot 1) receives them into variables, keeps a running average
 * avg ← (3·avg + x) / 4 with Q1 arithmetic, follows it with the flux line's offset and sends avg back
 * (fb_com_data); the QRM receives it and sets its own output offset, which a probe acquisition reads
 * back over the loopback. Compiled, emulated and run on the virtual Cluster with an outcome model
 * (stimulus 0.25, 0.5, 0.125, 0.375 in the four measurement windows); every value is checked exactly.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { simulate } from "../../src/emulator/simulate.js";
import type { InputSignalModel } from "../../src/emulator/api.js";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { compile as compileRaw } from "../../src/compiler/index.js";

const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), "utf8"));
const HW = read("hardware-configs/baseband-transmon.json");
const example = () => read("examples/schedules/running-average.json") as Record<string, unknown>;

/** the four measurement windows start at 144 ns + k · 1772 ns on the QRM's acquisition time axis */
const STIMULUS = [0.25, 0.5, 0.125, 0.375];
const WINDOW0_NS = 144;
const PERIOD_NS = 1772;
/** the outcome model: the module's own outputs looped back, plus the stimulus around each measurement window */
const outcome: InputSignalModel = ({ fromNs, toNs, input, outputs }) => {
  const o = outputs[input];
  const a = new Float32Array(toNs - fromNs);
  for (let i = 0; i < a.length; i++) {
    const t = fromNs + i - WINDOW0_NS;
    const k = Math.floor((t + 100) / PERIOD_NS);
    const inWindow = k >= 0 && k < STIMULUS.length && t - k * PERIOD_NS >= -100 && t - k * PERIOD_NS < 300;
    a[i] = (o?.[i] ?? 0) + (inWindow ? STIMULUS[k]! : 0);
  }
  return a;
};

/** I (= Q: both inputs get the same signal) as LINQ carries it: floor(Σ · 2^22), Σ = 100 ns · s · √2 */
const X = [148291040, 296582080, 74145520, 222436560];
/** avg ← (3 avg + x) >> 2, from 0 */
const AVG = [37072760, 101950090, 94998947, 126858350];
/** offset codes avg >> 12 (offset = code / 32768) */
const CODE = [9050, 24890, 23193, 30971];
/**
 * what the probe integrates: code / 32768 on both outputs, looped back as float32 samples and
 * averaged over its 100 ns (hence not exactly code / 32768)
 */
const PROBE = [0.2761840844154358, 0.7595825576782227, 0.7077941966056823, 0.9451599359512329];

describe("running-average tracker (examples/schedules/running-average.json)", () => {
  it("the arithmetic of the expected values", () => {
    let avg = 0;
    X.forEach((x, k) => {
      expect(x).toBe(Math.floor(100 * STIMULUS[k]! * Math.SQRT2 * 2 ** 22));
      avg = Math.floor((3 * avg + x) / 4);
      expect(avg).toBe(AVG[k]);
      expect(Math.floor(avg / 4096)).toBe(CODE[k]);
    });
  });

  it("compiles: IQ route QRM → QCM (multi-cast, 492 ns), register route QCM → QRM (380 ns), exact programs", () => {
    const c = compile(example(), HW, { verify: true });
    expect(
      c.feedback!.routes.map((r) => [
        r.id,
        r.data_type,
        r.mode,
        r.trigger_label,
        r.iq_shift,
        r.receivers[0]!.latency_ns,
      ]),
    ).toStrictEqual([
      [16, "iq", "multi-cast", "q0", 0, 492],
      [17, "register", "multi-cast", "avg", undefined, 380],
    ]);
    expect(c.feedback!.router).toStrictEqual({
      cluster0: {
        local_routes: [],
        cmm_routes: [
          { id: 16, targets: [{ slot: 1, sequencer: 0 }] },
          { id: 17, targets: [{ slot: 2, sequencer: 0 }] },
        ],
        broadcast: [],
      },
    });
    const prog = (m: string) => c.clusters["cluster0"]!.modules[m]!.sequencers["seq0"]!.sequence.program.split("\n");
    expect(prog("cluster0_module1").slice(7, 27)).toStrictEqual([
      " move 0,R1 # avg = 0",
      " wait 100",
      " move 4,R2 # iterator for loop with label loop9",
      "loop9: wait 700",
      ' fb_pop_data 16,R3 # LINQ id 16: x = I of "q0"',
      ' fb_pop_data 16,R4 # Q of "q0" (not kept)',
      " asl R1,2,R4 # t = avg asl 2",
      " sub R4,R1,R4 # t = t sub avg",
      " add R4,R3,R4 # t = t add x",
      " asr R4,2,R1 # avg = t asr 2",
      " asr R1,12,R5 # o = avg asr 12",
      " wait 100",
      " move 0,R6 # offset path Q 0",
      " set_awg_offs R5,R6 # flux follows avg offset from o",
      " upd_param 4",
      ' fb_com_data 17,R1,4 # LINQ id 17: send "avg"',
      " wait 860",
      " set_awg_offs 0,0 # flux offset 0 offset",
      " upd_param 4",
      " wait 100",
    ]);
    expect(prog("cluster0_module2").slice(11, 27)).toStrictEqual([
      "loop10: wait 12",
      " fb_acq_iq_shift 0,4 # LINQ: send bits 31:0 of the 48-bit IQ accumulators",
      " fb_acq_iq_id 16,4 # LINQ: share the next I and Q values with id 16",
      " acquire 0,R0,4 # ThresholdedAcquisition measure q0 (acq_channel x)",
      " add R0,1,R0 # increment bin for acq_channel x",
      " wait 1240",
      ' fb_pop_data 17,R4 # LINQ id 17: a = "avg"',
      " asr R4,12,R5 # ao = a asr 12",
      " wait 100",
      " set_awg_offs R5,R5 # readout offset = avg offset from ao, ao",
      " upd_param 4",
      " wait 192",
      " fb_acq_iq_id 0,4 # LINQ: do not share the next IQ values",
      " acquire 1,R1,4 # SSBIntegrationComplex probe avg (acq_channel avg)",
      " add R1,1,R1 # increment bin for acq_channel avg",
      " wait 96",
    ]);
  });

  it("emulated: the received words, the running average sent back, the offsets and the probe read-back", () => {
    const r = simulate(compile(example(), HW), { inputModel: outcome });
    const pops = r.events.filter((e) => e.kind === "feedback").map((e) => [e.slot, e.startNs, e.linqId, e.linqValue]);
    const expected: unknown[] = [];
    for (let k = 0; k < 4; k++) {
      // the IQ words reach the QCM 492 ns after the window ends (+ the QRM's 8 ns latency correction)
      expected.push([1, 740 + k * PERIOD_NS, 16, X[k]], [1, 744 + k * PERIOD_NS, 16, X[k]]);
      expected.push([2, 1304 + k * PERIOD_NS, 17, AVG[k]]);
    }
    expect(pops).toStrictEqual(expected);
    // the flux line follows the average: offset code / 32768 from 916 ns + k · period
    const flux = r.events
      .filter((e) => e.kind === "upd_param" && e.slot === 1 && e.offset![0] !== 0)
      .map((e) => [e.startNs, e.offset]);
    expect(flux).toStrictEqual(CODE.map((c, k) => [916 + k * PERIOD_NS, [c / 32768, 0]]));
    // the probe integrates the QRM's own offset (float32 samples of the loopback)
    expect(Array.from(r.acquisitions["avg"]!.re)).toStrictEqual(PROBE);
    PROBE.forEach((p, k) => expect(Math.abs(p - CODE[k]! / 32768)).toBeLessThan(1e-7)); // float32 resolution
    expect(Array.from(r.acquisitions["x"]!.re)).toStrictEqual([1, 1, 1, 1]);
    for (const m of Object.values(r.clusters["cluster0"]!.modules))
      for (const s of Object.values(m.sequencers)) expect([s.status, s.err_flags]).toStrictEqual(["OKAY", []]);
  });

  describe("on the virtual Cluster (SCPI over TCP)", () => {
    let vc: VirtualCluster;
    let ic: InstrumentCoordinator;
    beforeEach(async () => {
      vc = new VirtualCluster({ modules: "1:QCM,2:QRM", inputModel: outcome });
      const addr = await vc.start();
      ic = await InstrumentCoordinator.connect({ cluster0: addr }, { transport: { timeoutMs: 5000 } });
    });
    afterEach(async () => {
      await ic.close();
      await vc.stop();
    });

    it("prepare applies both CMM routes; the run returns the probe read-back of the running average", async () => {
      await ic.prepare(compile(example(), HW));
      expect(vc.countCommands(/^LINQ:ROUTe:CMM$/)).toBe(2);
      await ic.start();
      const st = await ic.waitDone(10000);
      expect(st.map((s) => [s.slot, s.sequencer, s.status, s.errFlags])).toStrictEqual([
        [1, 0, "OKAY", []],
        [2, 0, "OKAY", []],
      ]);
      const acq = await ic.retrieveAcquisitions();
      expect(acq["avg"]!.real).toStrictEqual(PROBE);
    });
  });
});

describe("values over LINQ: errors", () => {
  function thrown(f: () => unknown): Q1ForgeError {
    try {
      f();
    } catch (e) {
      if (e instanceof Q1ForgeError) return e;
      throw e;
    }
    throw new Error("no error thrown");
  }

  it("receiving the IQ values before they can arrive → FEEDBACK_TOO_EARLY with the minimum gap", () => {
    const sched = example() as { schedulables: { operation: { body: { schedulables: Record<string, unknown>[] } } }[] };
    sched.schedulables[1]!.operation.body.schedulables[2]!["rel_time"] = "500 ns";
    const e = thrown(() => compileRaw(sched, HW));
    expect([e.code, e.path, e.details]).toStrictEqual([
      "FEEDBACK_TOO_EARLY",
      "/schedulables/1/operation/body/schedulables/2/operation",
      { measurement: "measure q0", conditional: "I of q0", min_gap_ns: 556, missing_ns: 64 },
    ]);
  });

  it("a ReceiveFeedback without an earlier source → FEEDBACK_WITHOUT_SOURCE", () => {
    const sched = example() as {
      schedulables: { operation: { body: { schedulables: { operation: Record<string, unknown> }[] } } }[];
    };
    sched.schedulables[1]!.operation.body.schedulables[2]!.operation["label"] = "q7";
    const e = thrown(() => compileRaw(sched, HW));
    expect([e.code, e.path, e.message]).toStrictEqual([
      "FEEDBACK_WITHOUT_SOURCE",
      "/schedulables/1/operation/body/schedulables/2/operation",
      'ReceiveFeedback "I of q0" receives the IQ values of "q7", but no acquisition with feedback_trigger_label "q7" comes earlier in the same schedule or loop body',
    ]);
  });
});

describe("feed-forward on a value: qubit B's pulse on the QCM depends on qubit A's I on the QRM", () => {
  /** measure q0 (QRM) sharing IQ; the QCM receives I and plays the flux pulse only if I ≥ threshold */
  const schedule = (comparison: ">=" | "<") => ({
    name: "feed-forward-on-I",
    resources: { "q0.ro": { freq: 0 } },
    schedulables: [
      { operation: { type: "IdlePulse", duration: "20 ns" } },
      {
        operation: {
          type: "ThresholdedAcquisition",
          name: "measure q0",
          port: "q0:res",
          clock: "q0.ro",
          duration: "200 ns",
          feedback_trigger_label: "q0",
        },
      },
      {
        rel_time: "600 ns",
        operation: { type: "ReceiveFeedback", name: "I of q0", port: "q0:fl", label: "q0", data: "iq", variable: "i" },
      },
      {
        rel_time: "100 ns",
        operation: {
          type: "ConditionalOperation",
          name: "flux if I is large",
          variable: "i",
          comparison,
          threshold: 200000000,
          body: {
            schedulables: [
              {
                operation: {
                  type: "SquarePulse",
                  name: "flux q0",
                  amp: 0.3,
                  duration: "40 ns",
                  port: "q0:fl",
                  clock: "cl0.baseband",
                },
              },
            ],
          },
        },
      },
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  });
  const constant =
    (v: number): InputSignalModel =>
    ({ fromNs, toNs }) =>
      new Float32Array(toNs - fromNs).fill(v);
  const fluxPlays = (r: ReturnType<typeof simulate>) =>
    r.events.filter((e) => e.kind === "play" && e.slot === 1).map((e) => [e.startNs, e.durationNs]);

  it("compiles to a register compare around the body (no pop at the conditional)", () => {
    const c = compile(schedule(">="), HW, { verify: true });
    const qcm = c.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!.sequence.program.split("\n");
    expect(qcm.slice(7, 20)).toStrictEqual([
      " wait 820",
      ' fb_pop_data 16,R1 # LINQ id 16: i = I of "q0"',
      ' fb_pop_data 16,R2 # Q of "q0" (not kept)',
      " wait 100",
      " jlt R1,200000000,@cond10_skip # play the body only if i >= 200000000",
      " set_awg_gain 9830,0",
      " play 0,0,4 # play flux q0 (40 ns)",
      " wait 36",
      " jmp @cond10_end",
      "cond10_skip: wait 40",
      "cond10_end: wait 100",
      " loop R0,@start",
      " stop",
    ]);
  });

  it("emulated: I = 296582080 (0.25 over 200 ns) plays the flux pulse at 936 ns, I = 148291040 (0.125) does not; '<' inverts", () => {
    const c = compile(schedule(">="), HW);
    const hi = simulate(c, { inputModel: constant(0.25) });
    expect(hi.events.filter((e) => e.kind === "feedback").map((e) => e.linqValue)).toStrictEqual([
      296582080, 296582080,
    ]);
    expect(fluxPlays(hi)).toStrictEqual([[936, 40]]);
    const lo = simulate(c, { inputModel: constant(0.125) });
    expect(lo.events.filter((e) => e.kind === "feedback").map((e) => e.linqValue)).toStrictEqual([
      148291040, 148291040,
    ]);
    expect(fluxPlays(lo)).toStrictEqual([]);
    const inv = compile(schedule("<"), HW);
    expect(fluxPlays(simulate(inv, { inputModel: constant(0.125) }))).toStrictEqual([[936, 40]]);
    expect(fluxPlays(simulate(inv, { inputModel: constant(0.25) }))).toStrictEqual([]);
  });

  it("a variable the body's sequencer never set → VARIABLE_UNDEFINED", () => {
    const s = schedule(">=") as { schedulables: { operation: Record<string, unknown> }[] };
    s.schedulables[3]!.operation["variable"] = "j";
    const e = (() => {
      try {
        compileRaw(s, HW);
      } catch (x) {
        return x as Q1ForgeError;
      }
      throw new Error("no error");
    })();
    expect([e.code, e.path, e.message]).toStrictEqual([
      "VARIABLE_UNDEFINED",
      "/schedulables/3/operation",
      'ConditionalOperation "flux if I is large" compares variable "j" on cluster0_module1.seq0, where no earlier operation sets it (variables belong to one sequencer)',
    ]);
  });
});
