/**
 * Version handling at connect: a Cluster speaking another SCPI major version is refused by the
 * driver (and so by openSession) with a message naming the version and the firmware. The Cluster is
 * a minimal SCPI server on real TCP that answers like a Cluster of another firmware generation.
 */
import net from "node:net";
import { afterEach, expect, it } from "vitest";
import { openSession } from "../../src/coordinator/session.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";

let server: net.Server | null = null;
afterEach(async () => {
  const s = server;
  server = null;
  if (s) await new Promise<void>((r) => s.close(() => r()));
});

/** Answers *IDN? with `scpi` as swSCPIVersion and every error-queue query with an empty queue. */
async function otherFirmware(scpi: string): Promise<{ host: string; port: number }> {
  const sockets = new Set<net.Socket>();
  server = net.createServer((sock) => {
    sockets.add(sock);
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line === "*IDN?")
          sock.write(
            `Qblox,Cluster MM,00015_2422_009,fwVersion=1.2.0 fwBuild=x fwHash=0x1 fwDirty=0 swSCPIVersion=${scpi}\r\n`,
          );
        else if (line === "SYSTem:ERRor:COUNt?") sock.write("0\r\n");
        else if (line.endsWith("?")) sock.write("0\r\n");
      }
    });
    sock.on("close", () => sockets.delete(sock));
  });
  const srv = server;
  srv.on("close", () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const a = srv.address() as net.AddressInfo;
  // close() waits for open sockets: destroy them first
  const close = srv.close.bind(srv);
  srv.close = ((cb?: (err?: Error) => void) => {
    sockets.forEach((s) => s.destroy());
    return close(cb);
  }) as typeof srv.close;
  return { host: "127.0.0.1", port: a.port };
}

it("refuses a Cluster that speaks SCPI 2.x, naming the version and firmware", async () => {
  const addr = await otherFirmware("2.0");
  const msg = `the Cluster at 127.0.0.1:${addr.port} speaks SCPI version 2.0 (firmware 1.2.0); this driver speaks 1.x`;
  await expect(ClusterDriver.connect({ ...addr, timeoutMs: 1000 })).rejects.toMatchObject({
    code: "UNSUPPORTED_FIRMWARE",
    message: msg,
  });
  await expect(openSession(addr, null, { transport: { timeoutMs: 1000 } })).rejects.toMatchObject({
    code: "UNSUPPORTED_FIRMWARE",
    message: msg,
  });
  // the refused session did not keep the Cluster claimed
  await expect(openSession(addr, null, { transport: { timeoutMs: 1000 } })).rejects.toMatchObject({
    code: "UNSUPPORTED_FIRMWARE",
  });
});

it("reads firmware and SCPI versions at connect (driver.identity)", async () => {
  const vc = new VirtualCluster({ modules: "2:QCM" });
  const addr = await vc.start();
  const d = await ClusterDriver.connect({ ...addr, timeoutMs: 1000 });
  try {
    expect(d.identity!.build["fwVersion"]).toBe("0.11.0");
    expect(d.identity!.build["swSCPIVersion"]).toBe("1.0");
  } finally {
    await d.close();
    await vc.stop();
  }
});
