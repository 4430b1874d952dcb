/**
 * The idle-value lifecycle (output-idle-values seed, OPX1000 table), row by row, asserted on the
 * output levels the virtual Cluster reports over SCPI/TCP (SLOT#:OUTput#:LEVel?, SLOT#:MARKer#:LEVel?).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { openSession, type Session } from "../../src/coordinator/session.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "./fixtures.js";

let vc: VirtualCluster;
let addr: { host: string; port: number };
let s: Session;

const CONFIG = {
  modules: {
    "2": {
      analog_outputs: { "0": { offset: 0.1 }, "1": { offset: -0.05 } },
      digital_outputs: { "0": { inverted: true } },
    },
    "4": { analog_outputs: { "1": { offset: 0.02 } } },
  },
};

/** The readout fixture without its own QCM offset (the job holds the idle values). */
function plain(): CompiledSchedule {
  const c = readoutSchedule();
  c.clusters["cluster0"]!.modules["cluster0_module2"]!.settings.offset_ch0_path_I = null;
  return c;
}

/** [QCM DAC0..3, QRM DAC0..1] and QCM markers 0..3, as the instrument reports them now. */
async function levels(): Promise<{ analog: number[]; markers: boolean[] }> {
  const analog: number[] = [];
  for (let d = 0; d < 4; d++) analog.push(await s.outputLevel(2, d));
  for (let d = 0; d < 2; d++) analog.push(await s.outputLevel(4, d));
  const markers: boolean[] = [];
  for (let m = 0; m < 4; m++) markers.push(await s.markerLevel(2, m));
  return { analog, markers };
}
const IDLE = { analog: [0.1, -0.05, 0, 0], markers: [true, false, false, false] };

beforeEach(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", runDurationMs: 250 });
  addr = await vc.start();
  // the outputs hold something else before the session opens
  const d = await ClusterDriver.connect({ ...addr, timeoutMs: 1000 });
  await d.setModuleParam(2, "out2_offset", 0.4);
  await d.setModuleParam(2, "marker3_inv_en", true);
  await d.close();
  s = await openSession(addr, null, { config: CONFIG, transport: { timeoutMs: 2000 } });
});
afterEach(async () => {
  await s.close();
  await vc.stop();
});

describe("idle values: the OPX1000 lifecycle table on a Qblox Cluster", () => {
  it("session opened → every output set to its idle value (unlisted: 0 V, not inverted)", async () => {
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    expect(s.idleValues()["2"]).toEqual({ offsets: [0.1, -0.05, 0, 0], inverted: [true, false, false, false] });
  });

  it("between jobs the outputs hold; a job starts holding them; job end reverts (nothing to do)", async () => {
    const job = s.execute(plain());
    await job.waitForExecution({ timeout: 5 });
    expect(job.status).toBe("running");
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    expect(await job.wait()).toBe("completed");
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    // a second identical job uploads nothing and writes no output offsets
    const progs = vc.countCommands(/:PROGram$/);
    const offsets = vc.countCommands(/AFE:OFFSet/);
    expect(await s.execute(plain()).wait()).toBe("completed");
    expect(vc.countCommands(/:PROGram$/)).toBe(progs);
    expect(vc.countCommands(/AFE:OFFSet/)).toBe(offsets);
  });

  it("a job that sets an offset itself overwrites the idle value while it runs; it reverts when the job ends", async () => {
    const job = s.execute(readoutSchedule()); // QCM offset_ch0_path_I = 0.01
    await job.waitForExecution({ timeout: 5 });
    expect((await levels()).analog).toEqual([0.01, -0.05, 0, 0, 0, 0.02]);
    await job.wait();
    expect((await levels()).analog).toEqual([0.1, -0.05, 0, 0, 0, 0.02]);
  });

  it("job API while the job runs (setOutputDcOffsetByElement) → applied immediately, reverted at the end", async () => {
    const job = s.execute(plain());
    await job.waitForExecution({ timeout: 5 });
    expect(await job.setOutputDcOffsetByElement("q0:mw-q0.01", "I", 0.3)).toBe(0.3);
    expect(await job.setOutputDcOffsetByElement("q0:mw-q0.01", "Q", -0.2)).toBe(-0.2);
    expect((await levels()).analog).toEqual([0.3, -0.2, 0, 0, 0, 0.02]);
    await expect(job.setOutputDcOffsetByElement("q0:mw-q0.01", "I", 3)).rejects.toMatchObject({
      code: "OFFSET_RANGE",
    });
    expect(await job.wait()).toBe("completed");
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    expect(s.idleValues()["2"]!.offsets).toEqual([0.1, -0.05, 0, 0]);
  });

  it("a controllerConfig passed with a job applies for that job only (offsets and marker polarity)", async () => {
    const job = s.execute(plain(), {
      controllerConfig: {
        modules: {
          "2": {
            analog_outputs: { "1": { offset: 0.2 }, "3": { offset: -0.3 } },
            digital_outputs: { "0": { inverted: false }, "1": { inverted: true } },
          },
        },
      },
    });
    await job.waitForExecution({ timeout: 5 });
    expect(await levels()).toEqual({ analog: [0.1, 0.2, 0, -0.3, 0, 0.02], markers: [false, true, false, false] });
    await job.wait();
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    // the next job without a controllerConfig holds the idle values again
    const next = s.execute(plain());
    await next.waitForExecution({ timeout: 5 });
    expect((await levels()).analog).toEqual([0.1, -0.05, 0, 0, 0, 0.02]);
    await next.wait();
  });

  it("updateConfig during a job: the running job's outputs unchanged, the new idle value taken after it", async () => {
    const job = s.execute(plain());
    await job.waitForExecution({ timeout: 5 });
    await s.updateConfig({
      modules: { "2": { analog_outputs: { "0": { offset: 0.15 } }, digital_outputs: { "2": { inverted: true } } } },
    });
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    await job.wait();
    expect(await levels()).toEqual({ analog: [0.15, -0.05, 0, 0, 0, 0.02], markers: [true, false, true, false] });
    expect(s.sessionConfig.modules?.["2"]?.analog_outputs?.["0"]).toEqual({ offset: 0.15 });
  });

  it("updateConfig between jobs → applied immediately; a bad one is refused and changes nothing", async () => {
    await s.updateConfig({ modules: { "2": { analog_outputs: { "2": { offset: 0.25 } } } } });
    expect((await levels()).analog).toEqual([0.1, -0.05, 0.25, 0, 0, 0.02]);
    await expect(
      s.updateConfig({ modules: { "2": { analog_outputs: { "7": { offset: 0.1 } } } } }),
    ).rejects.toMatchObject({
      code: "OUTPUT_UNKNOWN",
      path: "/modules/2/analog_outputs/7",
    });
    await expect(
      s.updateConfig({ modules: { "2": { analog_outputs: { "0": { offset: 9 } } } } }),
    ).rejects.toMatchObject({
      code: "OFFSET_RANGE",
    });
    await expect(s.updateConfig({ modules: { "2": { analog: {} } } })).rejects.toMatchObject({
      code: "SCHEMA_VALIDATION",
    });
    expect((await levels()).analog).toEqual([0.1, -0.05, 0.25, 0, 0, 0.02]);
    // the next job holds the updated value
    const job = s.execute(plain());
    await job.waitForExecution({ timeout: 5 });
    expect((await levels()).analog).toEqual([0.1, -0.05, 0.25, 0, 0, 0.02]);
    await job.wait();
  });

  it("a job that errors leaves the outputs at their idle values and the session usable", async () => {
    const bad = plain();
    bad.clusters["cluster0"]!.modules["cluster0_module2"]!.sequencers["seq0"]!.sequence.program =
      " move 2000,R0\nl: play 0,0,4\n loop R0,@l\n stop\n";
    const job = s.execute(bad, {
      controllerConfig: { modules: { "2": { analog_outputs: { "0": { offset: 0.33 } } } } },
    });
    expect(await job.wait()).toBe("error");
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    expect(s.lastRestoreError).toBeNull();
    expect(await s.execute(plain()).wait()).toBe("completed");
  });

  it("a job whose connection drops mid-run errors; the outputs return to their idle values and the next job runs", async () => {
    const job = s.execute(plain(), {
      controllerConfig: { modules: { "2": { analog_outputs: { "2": { offset: 0.4 } } } } },
    });
    await job.waitForExecution({ timeout: 5 });
    expect((await levels()).analog).toEqual([0.1, -0.05, 0.4, 0, 0, 0.02]);
    vc.injectFault({ kind: "drop", match: /STATE\?$/ });
    expect(await job.wait({ timeout: 5 })).toBe("error");
    expect(job.error!.code).toBe("CONNECTION_LOST");
    expect(s.lastRestoreError).toBeNull();
    expect(await levels()).toEqual({ analog: [0.1, -0.05, 0, 0, 0, 0.02], markers: IDLE.markers });
    const next = s.execute(plain());
    expect(await next.wait({ timeout: 5 })).toBe("completed");
    expect((await next.results())["1"]!.real).toEqual([0.5]);
  });

  it("session closed → outputs back to 0 V and not inverted", async () => {
    await s.close();
    const d = await ClusterDriver.connect({ ...addr, timeoutMs: 1000 });
    try {
      for (let k = 0; k < 4; k++) expect(await d.outputLevel(2, k)).toBe(0);
      expect(await d.outputLevel(4, 1)).toBe(0);
      for (let m = 0; m < 4; m++) expect(await d.markerLevel(2, m)).toBe(false);
    } finally {
      await d.close();
    }
  });

  it("close({ keepDcOffsets: true }) leaves the idle values on the outputs", async () => {
    await s.close({ keepDcOffsets: true });
    const d = await ClusterDriver.connect({ ...addr, timeoutMs: 1000 });
    try {
      expect([await d.outputLevel(2, 0), await d.outputLevel(2, 1), await d.outputLevel(4, 1)]).toEqual([
        0.1, -0.05, 0.02,
      ]);
      expect(await d.markerLevel(2, 0)).toBe(true);
    } finally {
      await d.close();
    }
  });

  it("a session config naming a missing module or output is refused at open", async () => {
    await s.close();
    await expect(openSession(addr, null, { config: { modules: { "9": {} } } })).rejects.toMatchObject({
      code: "OUTPUT_UNKNOWN",
      path: "/modules/9",
    });
    await expect(
      openSession(addr, null, { config: { modules: { "2": { digital_outputs: { "4": { inverted: true } } } } } }),
    ).rejects.toMatchObject({ code: "OUTPUT_UNKNOWN", path: "/modules/2/digital_outputs/4" });
  });
});
