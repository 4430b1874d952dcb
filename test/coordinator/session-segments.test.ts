/**
 * Pause points and input streams as program segments (docs/jobs.md): the job stops at a top-level
 * point, waits for resume() / pushed values, and the host compiles, uploads and re-arms the next
 * segment. Over real TCP against the virtual Cluster, with the package root's openSession (compiles).
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSession, type Session } from "../../src/index.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";

const hw = JSON.parse(
  readFileSync(new URL("../../hardware-configs/baseband-transmon.json", import.meta.url), "utf8"),
) as unknown;
const RESOURCES = { "q0.01": { freq: "6.0 GHz" }, "q0.ro": { freq: "150 MHz" } };

function measure(acqChannel: number, amp: unknown, label: string) {
  return {
    label,
    operation: {
      type: "Composite",
      name: "Measure q0",
      pulse_info: [
        { type: "ResetClockPhase", clock: "q0.ro" },
        { type: "SquarePulse", amp, duration: "300 ns", port: "q0:res", clock: "q0.ro" },
      ],
      acquisition_info: [
        {
          type: "SSBIntegrationComplex",
          t0: "100 ns",
          duration: "1 us",
          port: "q0:res",
          clock: "q0.ro",
          acq_channel: acqChannel,
          bin_mode: "average",
        },
      ],
    },
  };
}

function segmented() {
  return {
    name: "segmented",
    repetitions: 1,
    resources: RESOURCES,
    schedulables: [
      measure(0, 0.25, "m0"),
      { operation: { type: "Pause", name: "calibrate" } },
      measure(1, 0.2, "m1"),
      { operation: { type: "InputStream", name: "amps", size: 2 } },
      measure(2, { $input: "amps", index: 1 }, "m2"),
    ],
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 2));
  }
}

let vc: VirtualCluster;
let s: Session;
beforeEach(async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  s = await openSession(await vc.start(), hw);
});
afterEach(async () => {
  await s.close();
  await vc.stop();
});

describe("pause points and input streams (program segments)", () => {
  it("stops at the pause, resumes, waits for the stream's values, and runs the next segment with them", async () => {
    const job = s.execute(segmented());
    await until(() => job.isPaused());
    expect(job.status).toBe("running");
    expect(job.pausedAt).toBe("calibrate");
    expect(job.resultHandles.keys()).toEqual(["0"]);
    expect(job.resultHandles.get("0").isProcessing()).toBe(false);
    expect(vc.modules.get(2)!.sequencers[0]!.state).toBe("STOPPED");
    const starts = vc.countCommands(/:START$/);
    expect(job.resume()).toBe(true);
    expect(job.resume()).toBe(false);
    await until(() => job.resultHandles.keys().length === 2 && !job.resultHandles.get("1").isProcessing());
    expect(job.isPaused()).toBe(false);
    expect(job.status).toBe("running");
    expect(vc.countCommands(/:START$/)).toBe(starts + 1);
    expect(() => job.pushToInputStream("amps", [0.1])).toThrow(
      expect.objectContaining({
        code: "INPUT_SIZE",
        message: 'input stream "amps" takes 2 finite numbers per push, got 1',
      }),
    );
    expect(() => job.pushToInputStream("volts", [0.1, 0.2])).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    job.pushToInputStream("amps", [0.9, 0.1]);
    expect(await job.wait({ timeout: 10 })).toBe("completed");
    expect(vc.countCommands(/:START$/)).toBe(starts + 2);
    const results = await job.results();
    expect(Object.keys(results).sort()).toEqual(["0", "1", "2"]);
    // segment 2 ran with amp = the pushed value at index 1: the same numbers as simulating that measurement alone
    const alone = s.simulate({
      name: "alone",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [measure(2, 0.1, "m2")],
    });
    const sim = alone.result.acquisitions["2"]!;
    expect(results["2"]!.real).toEqual(Array.from(sim.re));
    expect(results["2"]!.imag).toEqual(Array.from(sim.im));
    const first = s.simulate({
      name: "first",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [measure(0, 0.25, "m0")],
    });
    expect(results["0"]!.real).toEqual(Array.from(first.result.acquisitions["0"]!.re));
    expect(results["2"]!.real[0]! / results["0"]!.real[0]!).toBeCloseTo(0.4, 3);
    expect(job.provenance.segment_boundary_ms.length).toBe(2);
    expect(job.provenance.segment_boundary_ms.every((ms) => ms > 0)).toBe(true);
  });

  it("takes values pushed before the job reaches the stream point; halting a paused job cancels it", async () => {
    const job = s.execute(segmented());
    job.pushToInputStream("amps", [0.5, 0.3]);
    await until(() => job.isPaused());
    const halted = s.execute(segmented());
    job.resume();
    expect(await job.wait({ timeout: 10 })).toBe("completed");
    const alone = s.simulate({
      name: "alone",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [measure(2, 0.3, "m2")],
    });
    expect((await job.results())["2"]!.real).toEqual(Array.from(alone.result.acquisitions["2"]!.re));
    await until(() => halted.isPaused());
    expect(await halted.halt()).toBe(true);
    expect(halted.status).toBe("canceled");
    expect(halted.isPaused()).toBe(false);
    // the session is usable after the halt
    expect(await s.execute({ ...segmented(), schedulables: [measure(0, 0.25, "m0")] }).wait()).toBe("completed");
  });

  it("rejects unsupported placements before anything runs (SEGMENT_PLACEMENT, naming the JSON path)", () => {
    const base = segmented();
    const cases: [unknown, string, string][] = [
      [
        {
          ...base,
          schedulables: [
            measure(0, 0.25, "m0"),
            {
              operation: {
                type: "LoopOperation",
                repetitions: 3,
                body: { schedulables: [{ operation: { type: "Pause" } }] },
              },
            },
          ],
        },
        "/schedulables/1/operation/body/schedulables/0/operation",
        "is not a top-level schedulable",
      ],
      [{ ...base, repetitions: 2 }, "/repetitions", "a point would sit inside the repetition loop"],
      [
        { ...base, schedulables: [{ operation: { type: "Pause", name: "p" } }, ...base.schedulables] },
        "/schedulables/0",
        "starts the schedule",
      ],
      [
        { ...base, schedulables: [...base.schedulables, { operation: { type: "Pause", name: "z" } }] },
        "/schedulables/5",
        "ends the schedule",
      ],
      [
        { ...base, schedulables: [measure(0, { $input: "amps" }, "m0"), ...base.schedulables.slice(1)] },
        "/schedulables/0/operation/pulse_info/1/amp",
        "is not declared by an input-stream point before it",
      ],
      [
        { ...base, schedulables: [...base.schedulables.slice(0, 4), measure(2, { $input: "amps", index: 2 }, "m2")] },
        "/schedulables/4/operation/pulse_info/1/amp",
        "outside the stream's size 2",
      ],
      [
        {
          ...base,
          schedulables: [
            ...base.schedulables.slice(0, 2),
            { ...measure(1, 0.2, "m1"), ref_schedulable: "m0" },
            ...base.schedulables.slice(3),
          ],
        },
        "/schedulables/2",
        'refers to "m0", which is not in its segment',
      ],
      [
        {
          ...base,
          schedulables: [...base.schedulables.slice(0, 2), measure(0, 0.2, "m1"), ...base.schedulables.slice(3)],
        },
        "/schedulables/2/operation/acquisition_info/0",
        "acquisition channel 0 is acquired in segments 0 and 1",
      ],
    ];
    for (const [doc, path, text] of cases) {
      let err: unknown = null;
      try {
        s.execute(doc);
      } catch (e) {
        err = e;
      }
      expect(err, path).toMatchObject({ code: "SEGMENT_PLACEMENT", path });
      expect((err as Error).message).toContain(text);
    }
    expect(s.queue.count).toBe(0);
    expect(() => s.simulate(base)).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
  });
});
