/**
 * LINQ-only features on the trigger network (docs/feedback.md): a ConditionalOperation on a variable
 * compiles (a register compare), SendFeedback / ReceiveFeedback are TRIGGER_NETWORK_LINQ_ONLY and
 * RepeatUntilSuccess TRIGGER_NETWORK_REPEAT_UNSUPPORTED; in a session whose Cluster firmware has no LINQ
 * the hint does not send the user to LINQ. Real TCP to the virtual Cluster.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { openSession } from "../../src/open-session.js";
import type { Session } from "../../src/coordinator/session.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { feedbackHardware, repeatUntilSuccess } from "./fixtures.js";

const read = (p: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), "utf8")) as Record<string, unknown>;
const HW = read("hardware-configs/baseband-transmon.json");

function thrown(f: () => unknown): Q1ForgeError {
  try {
    f();
  } catch (e) {
    if (e instanceof Q1ForgeError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

let vc: VirtualCluster | null = null;
let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  await vc?.stop();
  session = null;
  vc = null;
});

describe("LINQ-only features on the trigger network", () => {
  it("a ConditionalOperation on a variable compiles to a register compare (no network needed)", () => {
    const c = compile(
      {
        name: "vc",
        feedback_mode: "trigger_network",
        schedulables: [
          { operation: { type: "SetVariable", port: "q0:fl", variable: "v", value: 5 } },
          {
            operation: {
              type: "ConditionalOperation",
              variable: "v",
              threshold: 3,
              body: {
                schedulables: [
                  {
                    operation: {
                      type: "SquarePulse",
                      amp: 0.1,
                      duration: "20 ns",
                      port: "q0:fl",
                      clock: "cl0.baseband",
                    },
                  },
                ],
              },
            },
          },
        ],
      },
      HW,
    );
    const program = c.clusters.cluster0!.modules.cluster0_module1!.sequencers.seq0!.sequence.program;
    expect(program).toContain("jlt R");
    expect(program).not.toContain("set_cond");
  });

  it("SendFeedback on the trigger network: TRIGGER_NETWORK_LINQ_ONLY", () => {
    const e = thrown(() =>
      compile(
        {
          name: "send",
          feedback_mode: "trigger_network",
          schedulables: [
            { operation: { type: "SetVariable", port: "q0:fl", variable: "v", value: 5 } },
            { operation: { type: "SendFeedback", port: "q0:fl", label: "v", variable: "v" } },
          ],
        },
        HW,
      ),
    );
    expect([e.name, e.code, e.path, e.hint]).toStrictEqual([
      "ScheduleError",
      "TRIGGER_NETWORK_LINQ_ONLY",
      "/schedulables/1/operation",
      'use "feedback_mode": "linq" (the default) for SendFeedback / ReceiveFeedback',
    ]);
  });

  it("examples/schedules/running-average.json with feedbackMode trigger_network: TRIGGER_NETWORK_LINQ_ONLY at its first ReceiveFeedback", () => {
    const e = thrown(() =>
      compile(read("examples/schedules/running-average.json"), HW, { feedbackMode: "trigger_network" }),
    );
    expect([e.code, e.path]).toStrictEqual([
      "TRIGGER_NETWORK_LINQ_ONLY",
      "/schedulables/1/operation/body/schedulables/2/operation",
    ]);
  });

  it("a session on firmware without LINQ: RepeatUntilSuccess fails with a hint that does not send the user to LINQ", async () => {
    vc = new VirtualCluster({ modules: "1:QCM,2:QRM", firmwareVersion: "0.10.2", linq: false });
    session = await openSession(await vc.start(), feedbackHardware());
    let e: unknown;
    try {
      const job = session.execute(repeatUntilSuccess(3));
      await job.wait({ timeout: 20 });
      e = job.error;
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(Q1ForgeError);
    const q = e as Q1ForgeError;
    expect([q.code, q.path]).toStrictEqual(["TRIGGER_NETWORK_REPEAT_UNSUPPORTED", "/schedulables/0/operation"]);
    expect(q.message).toContain(
      "; this session's Cluster runs firmware 0.10.2, which has no LINQ (needs 0.11.0 or later), so the session compiles over the trigger network",
    );
    expect(q.hint).toBe(
      "on this Cluster remove the operation (the trigger network offers only ConditionalOperation on a measured bit, or on a variable); or update the Cluster firmware to 0.11.0 or later, which has LINQ",
    );
    expect(q.hint).not.toContain("feedback_mode");
  });
});
