/**
 * LINQ capability probe (issue 14): the driver learns at connect, from the firmware version in
 * `*IDN?`, whether the Cluster supports LINQ feedback; a session refuses a compiled schedule whose
 * feedback section routes LINQ ids on a Cluster without it (CAPABILITY_MISSING, naming the module and
 * the firmware), before anything is queued or written. Real TCP to the virtual Cluster, which
 * emulates an older instrument with `firmwareVersion`.
 */
import { afterEach, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { openSession, type Session } from "../../src/coordinator/session.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { compareVersions, linqSupport } from "../../src/instruments/versions.js";
import { feedForward, feedbackHardware } from "../feedback/fixtures.js";

let vc: VirtualCluster | null = null;
let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  await vc?.stop();
  session = null;
  vc = null;
});

it("compares firmware versions numerically", () => {
  expect([
    compareVersions("0.10.2", "0.11.0"),
    compareVersions("0.11.0", "0.11"),
    compareVersions("1.0", "0.11.0"),
  ]).toStrictEqual([-1, 0, 1]);
  expect(compareVersions("0.11.0-rc1", "0.11.0")).toBe(null);
  expect(linqSupport(null)).toStrictEqual({ supported: true, firmware: null, source: "unknown" });
});

it("learns LINQ support from *IDN? at connect", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  const d1 = await ClusterDriver.connect({ ...(await vc.start()), timeoutMs: 2000 });
  expect(d1.capabilities.linq).toStrictEqual({ supported: true, firmware: "0.11.0", source: "firmware" });
  await d1.close();
  await vc.stop();
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", firmwareVersion: "0.10.2", linq: false });
  const d2 = await ClusterDriver.connect({ ...(await vc.start()), timeoutMs: 2000 });
  expect(d2.capabilities.linq).toStrictEqual({ supported: false, firmware: "0.10.2", source: "firmware" });
  await d2.close();
});

it("a session on a Cluster without LINQ refuses a schedule with feedback routes: typed, naming module and firmware", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", firmwareVersion: "0.10.2", linq: false });
  const addr = await vc.start();
  session = await openSession(addr, null);
  const compiled = compile(feedForward(600), feedbackHardware());
  const route = compiled.feedback!.routes[0]!;
  expect([route.id, route.mode, route.source.module, route.source.slot, route.source.sequencer]).toStrictEqual([
    16,
    "multi-cast",
    "cluster0_module2",
    2,
    0,
  ]);
  const before = vc.commandLog.length;
  const e = (() => {
    try {
      session.execute(compiled);
      return null;
    } catch (x) {
      return x;
    }
  })();
  expect(e).toBeInstanceOf(Q1ForgeError);
  const err = e as Q1ForgeError;
  expect([err.code, err.path, err.message, err.hint]).toStrictEqual([
    "CAPABILITY_MISSING",
    "/feedback/routes/0",
    `compiled schedule "feed-forward" needs LINQ feedback: cluster0_module2 (slot 2) sequencer 0 sends LINQ id 16 (multi-cast, "q0"); the Cluster "cluster0" at ${addr.host}:${addr.port} runs firmware 0.10.2, which has no LINQ (needs 0.11.0 or later)`,
    'update the Cluster firmware to 0.11.0 or later, or compile the schedule with "feedback_mode": "trigger_network" (what a session compiles by default on this firmware)',
  ]);
  expect(session.queue.count).toBe(0);
  expect(vc.commandLog.length).toBe(before); // nothing sent to the instrument
  // the same schedule without feedback runs on that Cluster
  const plain = compile(
    {
      name: "plain",
      resources: { "q0.ro": { freq: 150e6 } },
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.1, duration: 100e-9, port: "q0:res", clock: "q0.ro" } },
      ],
    },
    feedbackHardware(),
  );
  expect(await session.execute(plain).wait()).toBe("completed");
});

it("a session on a Cluster with LINQ accepts and runs the same schedule", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  session = await openSession(await vc.start(), null);
  const job = session.execute(compile(feedForward(600), feedbackHardware()));
  expect(await job.wait()).toBe("completed");
});
