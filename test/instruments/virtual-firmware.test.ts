/**
 * The virtual Cluster's firmware options agree with what sessions check (review defect): `linq: false`
 * reports a pre-LINQ firmware version (unless one is given), so a session falls back to the trigger
 * network; a firmware version below LINQ_MIN_FIRMWARE answers the LINQ routing commands as an old
 * instrument does (-113 undefined header). Real TCP to the virtual Cluster.
 */
import { afterEach, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import type { Session } from "../../src/coordinator/session.js";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { openSession } from "../../src/open-session.js";
import { feedForward, feedbackHardware } from "../feedback/fixtures.js";

let vc: VirtualCluster | null = null;
let session: Session | null = null;
const transports: ScpiTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  await session?.close();
  await vc?.stop();
  session = null;
  vc = null;
});

/** −0.3 on both inputs: the thresholded bit is 1 on this configuration (test/feedback/feedback.test.ts) */
const one = ({ fromNs, toNs }: { fromNs: number; toNs: number }) => new Float32Array(toNs - fromNs).fill(-0.3);

async function client(addr: { host: string; port: number }): Promise<ScpiTransport> {
  const t = new ScpiTransport({ ...addr, timeoutMs: 5000 });
  transports.push(t);
  return t;
}

it("linq: false alone reports firmware 0.10.0: a session compiles the conditional over the trigger network and runs it", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", linq: false, inputModel: one });
  expect(vc.firmware).toStrictEqual({ version: "0.10.0", linq: false });
  const addr = await vc.start();
  expect(await (await client(addr)).query("*IDN?")).toMatch(/^Qblox,Cluster MM,00015_2422_001,fwVersion=0\.10\.0 /);
  session = await openSession(addr, feedbackHardware());
  const job = session.execute(feedForward(600));
  expect(await job.wait({ timeout: 20 })).toBe("completed");
  expect(job.compiled!.feedback).toBeUndefined();
  expect(job.compiled!.clusters.cluster0!.modules.cluster0_module1!.sequencers.seq0!.sequence.program).toContain(
    "set_cond 1,1,0,4",
  );
  expect(vc.countCommands(/^LINQ:/)).toBe(0);
});

it("firmwareVersion 0.9.0 alone has no LINQ router: -113 for its commands, UNSUPPORTED_FIRMWARE for a LINQ schedule, trigger network in a session", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", firmwareVersion: "0.9.0", inputModel: one });
  expect(vc.firmware).toStrictEqual({ version: "0.9.0", linq: false });
  const addr = await vc.start();
  const t = await client(addr);
  await t.write('LINQ:ROUTe:CMM 16,"2:0"', { check: false });
  await t.write("SLOT1:LINQ:ROUTer:CLEar", { check: false });
  expect(await t.query("SYSTem:ERRor:NEXT?", { check: false })).toBe('-113,"Undefined header; LINQ:ROUTE:CMM"');
  expect(await t.query("SYSTem:ERRor:NEXT?", { check: false })).toBe(
    '-113,"Undefined header; LINQ:ROUTER:CLEAR on slot 1 (QCM)"',
  );
  expect(await t.query("SYSTem:ERRor:NEXT?", { check: false })).toBe('0,"No error"');
  // a schedule compiled for LINQ is refused at prepare(), naming the firmware
  const ic = await InstrumentCoordinator.connect({ cluster0: addr }, { transport: { timeoutMs: 5000 } });
  try {
    const e = await ic.prepare(compile(feedForward(600), feedbackHardware())).catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: "UNSUPPORTED_FIRMWARE",
      message: `the Cluster at ${addr.host}:${addr.port} (firmware 0.9.0) does not accept LINQ routing commands, but the schedule uses real-time feedback routed over LINQ (ids 16)`,
    });
  } finally {
    await ic.close();
  }
  // a session learns the firmware from *IDN? and compiles for the trigger network
  session = await openSession(addr, feedbackHardware());
  const job = session.execute(feedForward(600));
  expect(await job.wait({ timeout: 20 })).toBe("completed");
  expect(job.compiled!.feedback).toBeUndefined();
});

it("linq: true with a pre-LINQ firmware is refused with a typed error; unknown versions keep linq as asked", () => {
  expect(() => new VirtualCluster({ modules: "1:QCM", linq: true, firmwareVersion: "0.10.2" })).toThrow(
    expect.objectContaining({
      code: "USAGE",
      path: "linq",
      message: "firmware 0.10.2 has no LINQ (it needs 0.11.0 or later), but linq: true was given",
    }),
  );
  expect(new VirtualCluster({ modules: "1:QCM" }).firmware).toStrictEqual({ version: "0.11.0", linq: true });
  expect(new VirtualCluster({ modules: "1:QCM", firmwareVersion: "1.2.0" }).firmware).toStrictEqual({
    version: "1.2.0",
    linq: true,
  });
  expect(new VirtualCluster({ modules: "1:QCM", linq: false, firmwareVersion: "1.2.0" }).firmware).toStrictEqual({
    version: "1.2.0",
    linq: false,
  });
});
