/**
 * What a job's programs leave on the outputs reverts when the job ends (idle-value lifecycle, issue 14):
 * a `VoltageOffset` in a program (set_awg_offs) and markers it sets (set_mrk) are held by the sequencer
 * after its program stops; the session puts every output the job could have touched back to its idle
 * value when the job completes, is halted or errors. Asserted on the levels the virtual Cluster reports
 * over SCPI/TCP (SLOT#:OUTput#:LEVel? includes the sequencers' held AWG offsets).
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import type { CompiledSchedule } from "../../src/contract/compiled-schedule.js";
import { openSession, type Session } from "../../src/coordinator/session.js";
import { heldTargets, programHolds } from "../../src/coordinator/session-held.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";

const HW: unknown = JSON.parse(readFileSync("hardware-configs/baseband-transmon.json", "utf8"));
/** q0:fl is QCM (slot 1) output 2: the program sets a 0.25 (relative) offset on it and ends holding it */
const FLUX_BIAS = {
  name: "flux-bias",
  repetitions: 1,
  schedulables: [
    {
      operation: { type: "VoltageOffset", offset_path_I: 0.25, offset_path_Q: 0, port: "q0:fl", clock: "cl0.baseband" },
    },
    { operation: { type: "IdlePulse", duration: 2e-6 } },
  ],
};
const CONFIG = {
  modules: { "1": { analog_outputs: { "2": { offset: 0.1 } }, digital_outputs: { "1": { inverted: true } } } },
};
const IDLE = { analog: [0, 0, 0.1, 0], markers: [false, true, false, false] };

let vc: VirtualCluster;
let s: Session;
let compiled: CompiledSchedule;

/** QCM (slot 1) DAC 0..3 and markers 0..3 as the instrument reports them now */
async function levels(): Promise<{ analog: number[]; markers: boolean[] }> {
  const analog: number[] = [];
  const markers: boolean[] = [];
  for (let d = 0; d < 4; d++) analog.push(await s.outputLevel(1, d));
  for (let m = 0; m < 4; m++) markers.push(await s.markerLevel(1, m));
  return { analog, markers };
}

/** Levels once they read `want` (the virtual Cluster may emulate in a worker: the run's result lands a moment after START). */
async function levelsReaching(want: {
  analog: number[];
  markers?: boolean[];
}): Promise<{ analog: number[]; markers: boolean[] }> {
  const t0 = Date.now();
  const same = (l: { analog: number[]; markers: boolean[] }) =>
    JSON.stringify(l.analog) === JSON.stringify(want.analog) &&
    (!want.markers || JSON.stringify(l.markers) === JSON.stringify(want.markers));
  let l = await levels();
  while (!same(l) && Date.now() - t0 < 20_000) {
    await new Promise((r) => setTimeout(r, 5));
    l = await levels();
  }
  return l;
}

beforeEach(async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM", runDurationMs: 250 });
  s = await openSession(await vc.start(), HW, { config: CONFIG, transport: { timeoutMs: 2000 } });
  compiled = compile(FLUX_BIAS, HW);
});
afterEach(async () => {
  await s.close();
  await vc.stop();
});

it("finds the sequencers whose programs can leave an offset or a marker", () => {
  expect(compiled.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!.sequence.program).toContain(
    " set_awg_offs 8192,0 # VoltageOffset offset",
  );
  expect(heldTargets(compiled, "cluster0")).toStrictEqual([{ slot: 1, seq: 0 }]);
  expect(programHolds(" set_mrk 0\n set_awg_offs 0,0\n upd_param 4\n stop\n")).toBe(false);
  expect(programHolds("l: set_awg_offs R1,R2 # a sweep\n stop\n")).toBe(true);
  expect(programHolds(" set_mrk 2 # marker on\n stop\n")).toBe(true);
  // a program that ends on a committed zero offset leaves nothing (a square played as an offset)
  expect(
    programHolds("l: set_awg_offs 8192,0\n upd_param 4\n set_awg_offs 0,0\n play 0,0,4\n loop R0,@l\n stop\n"),
  ).toBe(false);
  expect(programHolds(" set_awg_offs 8192,0\n upd_param 4\n set_awg_offs 0,0 # not committed\n stop\n")).toBe(true);
  expect(programHolds(" set_awg_offs 8192,0\n upd_param 4\n jmp @e\n set_awg_offs 0,0\n upd_param 4\ne: stop\n")).toBe(
    true,
  );
  expect(
    programHolds(" set_cond 1,1,0,4\n set_awg_offs 8192,0\n upd_param 4\n set_awg_offs 0,0\n upd_param 4\n stop\n"),
  ).toBe(true);
});

it(
  "a VoltageOffset in the program applies while the job runs and reverts to the idle value when it ends",
  { timeout: 60_000 },
  async () => {
    expect(await levels()).toStrictEqual(IDLE);
    const job = s.execute(compiled);
    await job.waitForExecution({ timeout: 5 });
    expect(job.status).toBe("running");
    // 8192 / 32768 of the QCM's 2.5 V full scale on top of the 0.1 V idle offset
    expect((await levelsReaching({ analog: [0, 0, 0.1 + 0.625, 0] })).analog).toStrictEqual([0, 0, 0.1 + 0.625, 0]);
    expect(await job.wait()).toBe("completed");
    expect(await levels()).toStrictEqual(IDLE);
    // the same compiled schedule again: nothing uploaded, the offset again applied and reverted
    const programs = vc.countCommands(/:PROGram$/);
    const again = s.execute(compiled);
    await again.waitForExecution({ timeout: 5 });
    expect((await levelsReaching({ analog: [0, 0, 0.1 + 0.625, 0] })).analog).toStrictEqual([0, 0, 0.1 + 0.625, 0]);
    expect(await again.wait()).toBe("completed");
    expect(vc.countCommands(/:PROGram$/)).toBe(programs);
    expect(await levels()).toStrictEqual(IDLE);
    expect(s.lastRestoreError).toBeNull();
  },
);

it("a halted job's program offset reverts too", async () => {
  const job = s.execute(compiled);
  await job.waitForExecution({ timeout: 5 });
  expect((await levelsReaching({ analog: [0, 0, 0.1 + 0.625, 0] })).analog[2]).toBe(0.1 + 0.625);
  expect(await job.halt()).toBe(true);
  expect(job.status).toBe("canceled");
  expect(await levels()).toStrictEqual(IDLE);
});

it("a job that errors after its program set an offset and markers: outputs back at their idle values", async () => {
  const bad = structuredClone(compiled);
  // offsets and markers 0 and 1 set, then a play of a waveform that was never uploaded (error flags)
  bad.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!.sequence.program =
    " set_mrk 3\n set_awg_offs -6554,4096\n upd_param 4\n wait 1000\n play 5,5,4\n stop\n";
  const job = s.execute(bad);
  await job.waitForExecution({ timeout: 5 });
  // marker 0 now high, marker 1 (inverted) low; path 1 of this sequencer reaches no output
  const held = { analog: [0, 0, 0.1 + (-6554 / 32768) * 2.5, 0], markers: [true, false, false, false] };
  expect(await levelsReaching(held)).toStrictEqual(held);
  expect(await job.wait()).toBe("error");
  expect(job.error!.code).toBe("SEQUENCER_ERROR");
  expect(await levels()).toStrictEqual(IDLE);
  expect(s.lastRestoreError).toBeNull();
  // the session stays usable
  expect(await s.execute(compiled).wait()).toBe("completed");
  expect(await levels()).toStrictEqual(IDLE);
});
