/**
 * LINQ where the firmware supports it, the trigger network where it does not: q1forge's openSession
 * compiles schedules without `feedback_mode` for the Cluster it is connected to (firmware from `*IDN?`).
 * Real TCP to the virtual Cluster; an older firmware is emulated with `firmwareVersion` / `linq: false`.
 */
import { afterEach, expect, it } from "vitest";
import { openSession } from "../../src/open-session.js";
import type { Session } from "../../src/coordinator/session.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { feedForward, feedbackHardware } from "./fixtures.js";

let vc: VirtualCluster | null = null;
let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  await vc?.stop();
  session = null;
  vc = null;
});

/** −0.3 on both inputs: the thresholded bit is 1 on this configuration (feedback.test.ts) */
const one = ({ fromNs, toNs }: { fromNs: number; toNs: number }) => new Float32Array(toNs - fromNs).fill(-0.3);

it("firmware without LINQ: the session compiles ConditionalOperation over the trigger network and runs it", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", firmwareVersion: "0.10.2", linq: false, inputModel: one });
  session = await openSession(await vc.start(), feedbackHardware());
  const job = session.execute(feedForward(600));
  expect(await job.wait({ timeout: 20 })).toBe("completed");
  const c = job.compiled!;
  expect(c.feedback).toBeUndefined();
  const qcm = c.clusters.cluster0!.modules.cluster0_module1!.sequencers.seq0!;
  expect(qcm.sequence.program).toContain("set_cond 1,1,0,4");
  expect(qcm.settings.thresholded_acq_trigger_read_settings).toStrictEqual({
    "1": { thresholded_acq_trigger_invert: false, thresholded_acq_trigger_count: 1 },
  });
  expect(
    c.clusters.cluster0!.modules.cluster0_module2!.sequencers.seq0!.settings.thresholded_acq_trigger_write_address,
  ).toBe(1);
  expect(vc.countCommands(/^LINQ:/)).toBe(0);
});

it("firmware with LINQ: the same schedule compiles to LINQ; an explicit feedback_mode wins", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", inputModel: one });
  session = await openSession(await vc.start(), feedbackHardware());
  const linq = session.execute(feedForward(600));
  expect(await linq.wait({ timeout: 20 })).toBe("completed");
  expect(linq.compiled!.feedback!.routes.map((r) => [r.id, r.mode])).toStrictEqual([[16, "multi-cast"]]);
  const tn = session.execute({ ...feedForward(600), feedback_mode: "trigger_network" });
  expect(await tn.wait({ timeout: 20 })).toBe("completed");
  expect(tn.compiled!.feedback).toBeUndefined();
});
