import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { InstrumentConnectionError, MalformedReplyError } from "../../src/instruments/instrument-errors.js";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "../coordinator/fixtures.js";

let vc: VirtualCluster;
let ic: InstrumentCoordinator;

beforeEach(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  const addr = await vc.start();
  ic = await InstrumentCoordinator.connect({ cluster0: addr }, { transport: { timeoutMs: 300 } });
});
afterEach(async () => {
  await ic.close();
  await vc.stop();
});

async function runOnce() {
  await ic.prepare(readoutSchedule());
  await ic.start();
  await ic.waitDone(5000);
  return ic.retrieveAcquisitions();
}

describe("transport and coordinator faults over TCP", () => {
  it("connection refused → CONNECTION_REFUSED", async () => {
    const probe = new VirtualCluster({ modules: "2:QCM" });
    const { port } = await probe.start();
    await probe.stop();
    const err = await ClusterDriver.connect({ host: "127.0.0.1", port, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstrumentConnectionError);
    expect(err).toMatchObject({ code: "CONNECTION_REFUSED", path: `127.0.0.1:${port}` });
  });

  it("refused while the coordinator is connected → typed error, then works once the instrument is back", async () => {
    vc.injectFault({ kind: "refuse" });
    await new Promise((r) => setTimeout(r, 20));
    const err = await ic.prepare(readoutSchedule()).catch((e: unknown) => e);
    expect((err as InstrumentConnectionError).code).toMatch(/^(CONNECTION_LOST|CONNECTION_REFUSED)$/);
    await expect(ic.prepare(readoutSchedule())).rejects.toMatchObject({ code: "CONNECTION_REFUSED" });
    await vc.clearFaults();
    expect((await runOnce())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
  });

  it("instrument not answering → TIMEOUT, then the next run works on a fresh connection", async () => {
    vc.injectFault({ kind: "silent", match: /STATE\?$/ });
    await ic.prepare(readoutSchedule());
    await ic.start();
    const err = await ic.waitDone(5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstrumentConnectionError);
    expect(err).toMatchObject({ code: "TIMEOUT", path: "SLOT2:SEQuencer0:STATE?" });
    await expect(ic.retrieveAcquisitions()).rejects.toMatchObject({ code: "RUN_NOT_DONE" });
    const connects = ic.clusters["cluster0"]!.transport.stats.connects;
    expect((await runOnce())["1"]!.real).toEqual([0.5]);
    expect(ic.clusters["cluster0"]!.transport.stats.connects).toBe(connects + 1);
    expect(ic.hardwareLog.some((e) => e.action === "reconnect")).toBe(true);
  });

  it("connection dropped mid-upload → CONNECTION_LOST, cache cleared, next run re-uploads", async () => {
    vc.injectFault({ kind: "drop", match: /SLOT4:SEQuencer0:PROGram/ });
    const err = await ic.prepare(readoutSchedule()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstrumentConnectionError);
    expect(err).toMatchObject({ code: "CONNECTION_LOST" });
    expect(vc.modules.get(4)!.sequencers[0]!.program).toBeNull();
    expect((await runOnce())["0"]!.imag).toEqual([-0.25, -0.25, -0.25]);
    expect(vc.modules.get(4)!.sequencers[0]!.program).not.toBeNull();
  });

  it("malformed reply → MALFORMED_REPLY, then the next run works", async () => {
    vc.injectFault({ kind: "malformed", match: /ACQ:ALISt\?$/ });
    await ic.prepare(readoutSchedule());
    await ic.start();
    await ic.waitDone(5000);
    const err = await ic.retrieveAcquisitions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedReplyError);
    expect(err).toMatchObject({ code: "MALFORMED_REPLY", path: "SLOT4:SEQuencer0:ACQ:ALISt?" });
    expect((await runOnce())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
  });

  it("malformed text reply is detected by the transport", async () => {
    const t = new ScpiTransport({ host: "127.0.0.1", port: vc.address.port, timeoutMs: 300 });
    vc.injectFault({ kind: "malformed", match: /\*IDN\?/ });
    await expect(t.query("*IDN?")).rejects.toMatchObject({ code: "MALFORMED_REPLY" });
    expect((await t.query("*IDN?")).startsWith("Qblox,Cluster MM,")).toBe(true);
    await t.close();
  });

  it("reports the instrument's error code for a bad command", async () => {
    const t = new ScpiTransport({ host: "127.0.0.1", port: vc.address.port });
    await expect(t.write('SLOT4:SEQuencer0:ACQ:ALISt:ACQuisition:NEW "x",999999')).rejects.toMatchObject({
      code: "INSTRUMENT_ERROR",
      details: { instrumentErrors: [{ code: -222 }] },
    });
    await t.close();
  });
});
