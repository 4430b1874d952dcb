/**
 * SimulatedJob.plot() into a directory that does not exist: a typed USAGE error naming the file and
 * saying to create the directory (session opened over TCP to the virtual Cluster).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { openSession, type Session } from "../../../src/coordinator/session.js";
import { VirtualCluster } from "../../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "../fixtures.js";

let vc: VirtualCluster | null = null;
let s: Session | null = null;
afterEach(async () => {
  await s?.close();
  await vc?.stop();
  s = null;
  vc = null;
});

it("plot() and a module's plot() into a missing directory throw USAGE with the file path and a hint", async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  s = await openSession(await vc.start(), null, { transport: { timeoutMs: 2000 } });
  const sim = s.simulate(readoutSchedule());
  const dir = mkdtempSync(join(tmpdir(), "q1forge-plot-"));
  const missing = join(dir, "nope");
  const file = join(missing, "all.html");
  let err: unknown = null;
  try {
    sim.plot(file);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect(err).toMatchObject({
    code: "USAGE",
    path: file,
    message: `cannot write the plot ${file}: its directory ${missing} does not exist`,
    hint: `create the directory ${missing} first, or give a path in an existing directory`,
  });
  const qcm = sim.getSimulatedSamples()["cluster0"]!["cluster0_module2"]!;
  const modFile = join(missing, "qcm.html");
  expect(() => qcm.plot(modFile)).toThrow(expect.objectContaining({ code: "USAGE", path: modFile }));
  // a directory as the path
  expect(() => sim.plot(dir)).toThrow(
    expect.objectContaining({ code: "USAGE", path: dir, message: `cannot write the plot ${dir}: it is a directory` }),
  );
  // the existing directory still works
  expect(readFileSync(sim.plot(join(dir, "ok.html")), "utf8").slice(0, 200)).toContain("<title>readout-test</title>");
});
