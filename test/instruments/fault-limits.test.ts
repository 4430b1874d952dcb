/**
 * The virtual Cluster's limits over real TCP (issue 9): each answered with the SCPI error an instrument
 * gives, the connection stays usable, and a legitimate large upload is parsed in linear time.
 */
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScpiTransport } from "../../src/instruments/transport.js";
import { MAX_ERROR_QUEUE, VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { MAX_LINE_BYTES, ScpiCommandParser } from "../../src/instruments/scpi-command-parser.js";

let vc: VirtualCluster;
let t: ScpiTransport;
beforeEach(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  const addr = await vc.start();
  t = new ScpiTransport({ ...addr, timeoutMs: 5000 });
});
afterEach(async () => {
  await t.close();
  await vc.stop();
});

const f32 = (n: number) => Buffer.from(new Float32Array(n).fill(0.25).buffer);
const nextError = () => t.query("SYSTem:ERRor:NEXT?", { check: false });

describe("waveform memory", () => {
  it("a waveform of 16385 samples (one over the sequencer's memory) → -222, and 16384 are accepted", async () => {
    await t.write('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:NEW "big",16385', { check: false });
    expect(await nextError()).toBe(
      `-222,"Data out of range; waveform 'big' of 16385 samples on slot 2 sequencer 0 needs 16385 of 16384 samples of memory"`,
    );
    await t.write('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:NEW "w",16384');
    expect(await t.query('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:LENGth? "w"')).toBe("16384");
  });

  it("4e9 samples (the campaign's value) → -222 without allocating", async () => {
    await t.write('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:NEW "huge",4000000000', { check: false });
    expect(await nextError()).toMatch(/^-222,"Data out of range; waveform 'huge' of 4000000000 samples/);
    expect(await t.query("SLOT2:SEQuencer0:AWG:WLISt:SIZE?")).toBe("0");
  });

  it("DATA over the memory left by the other waveforms → -222, the old data stays", async () => {
    await t.write('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:NEW "a",10000');
    await t.write('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:NEW "b",4');
    await t.writeBinary('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:DATA "b",', f32(6385), { check: false });
    expect(await nextError()).toBe(
      `-222,"Data out of range; waveform 'b' of 6385 samples on slot 2 sequencer 0 needs 16385 of 16384 samples of memory"`,
    );
    expect(await t.query('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:LENGth? "b"')).toBe("4");
  });

  it("waveform index 1024 and acquisition index 32 → -222", async () => {
    await t.write('SLOT4:SEQuencer0:AWG:WLISt:WAVeform:NEW "w",4');
    await t.write('SLOT4:SEQuencer0:AWG:WLISt:WAVeform:INDex "w",1024', { check: false });
    expect(await nextError()).toBe(
      `-222,"Data out of range; waveform index 1024 of 'w' on slot 4 sequencer 0 (0..1023)"`,
    );
    await t.write('SLOT4:SEQuencer0:ACQ:ALISt:ACQuisition:NEW "a",1');
    await t.write('SLOT4:SEQuencer0:ACQ:ALISt:ACQuisition:INDex "a",32', { check: false });
    expect(await nextError()).toBe(
      `-222,"Data out of range; acquisition index 32 of 'a' on slot 4 sequencer 0 (0..31)"`,
    );
  });
});

describe("queues and buffers", () => {
  it(`the error queue holds ${MAX_ERROR_QUEUE} entries, the last one -350 Queue overflow`, async () => {
    for (let i = 0; i < 150; i++) vc.executeCommand("BOGUS:HEADER");
    expect(vc.errors).toHaveLength(MAX_ERROR_QUEUE);
    expect(await t.query("SYSTem:ERRor:COUNt?", { check: false })).toBe(String(MAX_ERROR_QUEUE));
    expect(vc.errors[MAX_ERROR_QUEUE - 1]).toEqual({ code: -350, message: "Queue overflow" });
    expect(vc.errors[0]).toEqual({ code: -113, message: "Undefined header; BOGUS:HEADER" });
  });

  it("a line over 1 MiB without a newline → -363, the rest of the line is dropped, the next command answers", async () => {
    const s = net.connect(vc.address.port, "127.0.0.1");
    await new Promise<void>((r) => s.once("connect", () => r()));
    s.write("X".repeat(MAX_LINE_BYTES + 10));
    s.write("more garbage on the same line\n*IDN?\n");
    const reply = await new Promise<string>((r) => s.once("data", (d: Buffer) => r(d.toString("latin1"))));
    s.destroy();
    expect(reply.startsWith("Qblox,Cluster MM,")).toBe(true);
    expect(vc.errors[0]).toEqual({
      code: -363,
      message: `Input buffer overrun; a command line longer than ${MAX_LINE_BYTES} bytes`,
    });
  });

  it("a block header announcing 1 GB → -223, its bytes are skipped as they arrive; other clients are served", async () => {
    const s = net.connect(vc.address.port, "127.0.0.1");
    await new Promise<void>((r) => s.once("connect", () => r()));
    s.write('SLOT2:SEQuencer0:AWG:WLISt:WAVeform:DATA "w",#9999999999');
    s.write(Buffer.alloc(1 << 16));
    for (let k = 0; k < 200 && vc.errors.length === 0; k++) await new Promise((r) => setTimeout(r, 5));
    s.destroy();
    expect(vc.errors[0]).toEqual({
      code: -223,
      message:
        'Too much data; block of 999999999 bytes after "SLOT2:SEQuencer0:AWG:WLISt:WAVeform:DATA" (at most 268435456)',
    });
    expect((await t.query("*IDN?", { check: false })).startsWith("Qblox,Cluster MM,")).toBe(true);
  });
});

describe("uploads are parsed in linear time", () => {
  it("a 64 MB block pushed in 64 KiB chunks is joined once (work proportional to its size)", () => {
    const p = new ScpiCommandParser();
    const body = Buffer.alloc(64 << 20, 1);
    const head = Buffer.from(`SLOT2:SEQuencer0:PROGram #8${String(body.length).padStart(8, "0")}`, "latin1");
    const stream = Buffer.concat([head, body, Buffer.from("\n")]);
    const step = 1 << 16;
    let cmd = null;
    for (let at = 0; at < stream.length; at += step) {
      p.push(stream.subarray(at, at + step));
      cmd = p.next() ?? cmd;
    }
    expect(cmd!.header).toBe("SLOT2:SEQuencer0:PROGram");
    expect((cmd!.args[0] as Buffer).length).toBe(64 << 20);
  });
});
