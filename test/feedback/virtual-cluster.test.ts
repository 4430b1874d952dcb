/**
 * LINQ routing on the virtual Cluster over real TCP (src/instruments/linq-scpi.ts): the coordinator
 * applies the compiled router configuration before arming, the driver reads it back, the emulated
 * run routes the measurement to the other module; without the route the receiver underflows.
 */
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { feedForward, feedbackHardware } from "./fixtures.js";

let vc: VirtualCluster;
let address: { host: string; port: number };

/** Send SCPI lines over a fresh TCP connection and return the first reply line. */
function rawScpi(lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(address.port, address.host, () => sock.write(lines.join("\n") + "\n"));
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        sock.end();
        resolve(buf.slice(0, nl).replace(/\r$/, ""));
      }
    });
    sock.on("error", reject);
  });
}
let ic: InstrumentCoordinator;
let drv: ClusterDriver;

beforeEach(async () => {
  // −0.3 on both inputs: the thresholded bit is 1 (see feedback.test.ts)
  vc = new VirtualCluster({
    modules: "1:QCM,2:QRM",
    inputModel: ({ fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(-0.3),
  });
  const addr = await vc.start();
  address = addr;
  ic = await InstrumentCoordinator.connect({ cluster0: addr }, { transport: { timeoutMs: 2000 } });
  drv = await ClusterDriver.connect({ ...addr, timeoutMs: 2000 });
});
afterEach(async () => {
  await drv.close();
  await ic.close();
  await vc.stop();
});

const brief = (s: { slot: number; sequencer: number; status: string; errFlags: string[] }) => [
  s.slot,
  s.sequencer,
  s.status,
  s.errFlags,
];

describe("LINQ routing on the virtual Cluster", () => {
  it("prepare() clears the router and writes the CMM route; the run feeds q0's bit forward to the QCM", async () => {
    const compiled = compile(feedForward(600), feedbackHardware());
    await ic.prepare(compiled);
    expect(vc.countCommands(/^LINQ:ROUTer:CLEar$/)).toBe(1);
    expect(vc.countCommands(/^LINQ:ROUTe:CMM$/)).toBe(1); // the log keeps headers: 16,"1:0" is read back below
    expect(await drv.routerConfig(1)).toStrictEqual({
      local_routes: [],
      cmm_routes: [{ id: 16, targets: [{ slot: 1, sequencer: 0 }] }],
      broadcast: [],
    });
    await ic.start();
    const st = await ic.waitDone(5000);
    expect(st.map(brief)).toStrictEqual([
      [1, 0, "OKAY", []],
      [2, 0, "OKAY", []],
    ]);
    const acq = await ic.retrieveAcquisitions();
    expect(acq["0"]!.real).toStrictEqual([1]);
  });

  it("without the route (cleared after prepare) the receiver waits for data that never comes and underflows", async () => {
    await ic.prepare(compile(feedForward(600), feedbackHardware()));
    await drv.clearRouter();
    await ic.start();
    const e = await ic.waitDone(5000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Q1ForgeError);
    expect((e as Q1ForgeError).code).toBe("SEQUENCER_ERROR");
    expect((e as Q1ForgeError).message).toBe(
      'sequencer error during the run: cluster0_module1 seq0: SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW (RT queue underflow at 916 ns: the Q1 core blocks in line 9: `fb_pop_data 16,R1 # LINQ id 16: thresholded bit of "q0" (3 = 1, 2 = 0)` waiting for LINQ data that never arrives; check the routing (ids 16-255 are dropped unless routed) and that the source sends with this id)',
    );
  });

  it("routes to a module that does not exist: the driver refuses (MODULE_MISSING), the Cluster answers -241", async () => {
    const e = await drv.setCmmRoute(16, [{ slot: 5, sequencer: 0 }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Q1ForgeError);
    expect((e as Q1ForgeError).code).toBe("MODULE_MISSING");
    // sent anyway (raw SCPI over TCP), the command lands in the Cluster's error queue
    expect(await rawScpi(['LINQ:ROUTe:CMM 16,"5:0"', "SYSTem:ERRor:NEXT?"])).toBe(
      '-241,"Hardware missing; CMM route 16 to slot 5, which has no module"',
    );
  });

  it("firmware without LINQ (routing commands are undefined headers) → UNSUPPORTED_FIRMWARE at prepare()", async () => {
    const old = new VirtualCluster({ modules: "1:QCM,2:QRM", linq: false });
    const addr = await old.start();
    const ic2 = await InstrumentCoordinator.connect({ cluster0: addr }, { transport: { timeoutMs: 2000 } });
    try {
      const e = await ic2.prepare(compile(feedForward(600), feedbackHardware())).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(Q1ForgeError);
      expect([(e as Q1ForgeError).code, (e as Q1ForgeError).message]).toStrictEqual([
        "UNSUPPORTED_FIRMWARE",
        `the Cluster at ${addr.host}:${addr.port} (firmware 0.10.0) does not accept LINQ routing commands, but the schedule uses real-time feedback routed over LINQ (ids 16)`,
      ]);
    } finally {
      await ic2.close();
      await old.stop();
    }
  });
});
