/**
 * Malformed replies from an instrument (issue 9): a `*DESCribe?` reply of `null` (the campaign's
 * finding) and module entries that are not objects give typed errors or are skipped, never a
 * TypeError. The instrument is a minimal SCPI server over real TCP that answers fixed replies.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Q1ForgeError } from "../../src/core/errors.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";

const IDN = "Qblox,Cluster MM,00015_2422_001,fwVersion=0.11.0 swSCPIVersion=1.0";
let server: net.Server | null = null;

/** A SCPI server that answers *IDN?, BP:MODules? and *DESCribe? (with `describe` as its block). */
async function fakeCluster(describe: string): Promise<{ host: string; port: number }> {
  server = net.createServer((s) => {
    let buf = "";
    s.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const cmd = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (cmd === "*IDN?") s.write(IDN + "\r\n");
        else if (cmd === "BP:MODules?") s.write("2\r\n");
        else if (cmd === "SYSTem:ERRor:NEXT?") s.write('0,"No error"\r\n');
        else if (cmd === "SYSTem:ERRor:COUNt?") s.write("0\r\n");
        else if (cmd === "*DESCribe?") {
          const body = Buffer.from(describe, "utf8");
          s.write(`#${String(body.length).length}${body.length}`);
          s.write(body);
          s.write("\r\n");
        }
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return { host: "127.0.0.1", port: (server.address() as net.AddressInfo).port };
}
afterEach(async () => {
  const s = server;
  server = null;
  if (s) await new Promise<void>((r) => s.close(() => r()));
});

describe("malformed *DESCribe? replies", () => {
  it("null → MALFORMED_REPLY naming the query, not a TypeError", async () => {
    const addr = await fakeCluster("null");
    const err = await ClusterDriver.connect({ ...addr, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Q1ForgeError);
    expect((err as Q1ForgeError).path).toBe("*DESCribe?");
    expect((err as Q1ForgeError).message).toBe("*DESCribe? returned null, expected a JSON object or array");
  });

  it("a module entry that is null is skipped (no module in that slot)", async () => {
    const addr = await fakeCluster('{"modules": {"2": null}}');
    const d = await ClusterDriver.connect({ ...addr, timeoutMs: 2000 });
    try {
      expect([...d.modules.keys()]).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
