import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { runExperiment } from "../../src/coordinator/run-experiment.js";
import { VirtualLocalOscillator } from "../../src/coordinator/local-oscillator.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "./fixtures.js";

let vc: VirtualCluster;
let ic: InstrumentCoordinator;
let lo: VirtualLocalOscillator;

beforeEach(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  const addr = await vc.start();
  lo = new VirtualLocalOscillator("lo_ext");
  ic = await InstrumentCoordinator.connect(
    { cluster0: addr },
    { localOscillators: { lo_ext: lo }, transport: { timeoutMs: 1000 } },
  );
});
afterEach(async () => {
  await ic.close();
  await vc.stop();
});

async function runOnce(compiled = readoutSchedule()) {
  await ic.prepare(compiled);
  await ic.start();
  await ic.waitDone(5000);
  return ic.retrieveAcquisitions();
}

describe("InstrumentCoordinator on the VirtualCluster (emulated loopback)", () => {
  it("returns acquisitions shaped per layout: APPEND [3,1], AVERAGE [1], divided by the integration length", async () => {
    const acq = await runOnce();
    expect(acq["0"]).toEqual({
      acq_channel: "0",
      protocol: "SSBIntegrationComplex",
      bin_mode: "append",
      dims: ["repetition", "acq_index_0"],
      shape: [3, 1],
      real: [0.5, 0.5, 0.5],
      imag: [-0.25, -0.25, -0.25],
    });
    expect(acq["1"]!.shape).toEqual([1]);
    expect(acq["1"]!.real).toEqual([0.5]);
    expect(acq["1"]!.imag).toEqual([-0.25]);
  });

  it("arms only the sequencers in use and starts them together", async () => {
    await runOnce();
    expect(vc.countCommands(/:ARM$/)).toBe(2);
    expect(vc.countCommands(/^SLOT2:SEQuencer0:ARM$/)).toBe(1);
    expect(vc.countCommands(/^SLOT4:SEQuencer0:ARM$/)).toBe(1);
    expect(vc.countCommands(/^SLOT:SEQuencer:START$/)).toBe(1);
    expect(vc.modules.get(2)!.sequencers.map((s) => s.state)).toEqual([
      "STOPPED",
      "IDLE",
      "IDLE",
      "IDLE",
      "IDLE",
      "IDLE",
    ]);
    expect(vc.modules.get(2)!.sequencers[1]!.config.seq_proc.sync_en).toBe(false);
    expect(vc.modules.get(2)!.sequencers[0]!.config.seq_proc.sync_en).toBe(true);
  });

  it("writes settings lazily: a second prepare of the same schedule writes nothing, a changed gain writes one parameter", async () => {
    await ic.prepare(readoutSchedule());
    const first = ic.lastPrepareWrites;
    expect(first).toBeGreaterThan(0);
    const progs = vc.countCommands(/:PROGram$/);
    const configs = vc.countCommands(/:CONFiguration$/);
    expect(lo.writes).toBe(3);
    await ic.prepare(readoutSchedule());
    expect(ic.lastPrepareWrites).toBe(0);
    expect(vc.countCommands(/:PROGram$/)).toBe(progs);
    expect(vc.countCommands(/:CONFiguration$/)).toBe(configs);
    expect(lo.writes).toBe(3);
    await ic.prepare(readoutSchedule({ qcmGain: 0.5 }));
    expect(ic.lastPrepareWrites).toBe(1);
    expect(vc.countCommands(/:CONFiguration$/)).toBe(configs + 1);
    expect(vc.modules.get(2)!.sequencers[0]!.config.awg[0]!.gain_path).toEqual([0.5, 1]);
    expect(await lo.state()).toEqual({ frequency: 6e9, power: 10, status: true });
    expect(vc.modules.get(2)!.params["out0_offset"]).toBe(0.01);
    // reset invalidates the cache: everything is written again
    await ic.reset();
    await ic.prepare(readoutSchedule({ qcmGain: 0.5 }));
    expect(ic.lastPrepareWrites).toBe(first);
  });

  it("refuses acquisitions before the run is done (RUN_NOT_DONE) and never returns partial data", async () => {
    await expect(ic.retrieveAcquisitions()).rejects.toMatchObject({ code: "RUN_NOT_DONE" });
    await vc.stop();
    const slow = new VirtualCluster({ modules: "2:QCM,4:QRM", runDurationMs: 400 });
    const addr = await slow.start();
    const ic2 = await InstrumentCoordinator.connect({ cluster0: addr });
    try {
      await ic2.prepare(readoutSchedule());
      await ic2.start();
      await expect(ic2.retrieveAcquisitions()).rejects.toMatchObject({
        code: "RUN_NOT_DONE",
        hint: "call waitDone() first",
      });
      await expect(ic2.waitDone(50)).rejects.toMatchObject({ code: "RUN_TIMEOUT" });
      await expect(ic2.retrieveAcquisitions()).rejects.toMatchObject({ code: "RUN_NOT_DONE" });
      // next run works
      await ic2.prepare(readoutSchedule());
      await ic2.start();
      await ic2.waitDone(5000);
      expect((await ic2.retrieveAcquisitions())["1"]!.real).toEqual([0.5]);
    } finally {
      await ic2.close();
      await slow.stop();
    }
  });

  it("reports sequencer error flags at run time (underflow) as SEQUENCER_ERROR, then runs the next job", async () => {
    const underflow = " move 2000,R0\nl: play 0,0,4\n loop R0,@l\n stop\n";
    await ic.prepare(readoutSchedule({ qcmProgram: underflow }));
    await ic.start();
    const err = await ic.waitDone(5000).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "SEQUENCER_ERROR", path: "cluster0_module2/seq0" });
    expect(String((err as Error).message)).toContain("SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW");
    await expect(ic.retrieveAcquisitions()).rejects.toMatchObject({ code: "RUN_NOT_DONE" });
    expect((await runOnce())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
  });

  it("reports a program the instrument cannot assemble with the instrument's code, then runs the next job", async () => {
    const err = await ic
      .prepare(readoutSchedule({ qcmProgram: " wait_sync 4\n bogus 1\n stop\n" }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "INSTRUMENT_ERROR",
      path: "slot 2 sequencer 0 program",
      details: { instrumentErrors: [{ code: -285 }] },
    });
    expect(ic.runState).toBe("failed");
    expect((await runOnce())["1"]!.imag).toEqual([-0.25]);
  });

  it("runExperiment starts an in-process VirtualCluster when no cluster is given", async () => {
    const seen: number[] = [];
    const res = await runExperiment(readoutSchedule(), { onProgress: (f) => seen.push(f) });
    expect(res.cluster).toBe("virtual");
    expect(res.acquisitions["0"]!.real).toEqual([0.5, 0.5, 0.5]);
    expect(res.sequencers.map((s) => `${s.slot}/${s.sequencer}:${s.state}`)).toEqual(["2/0:STOPPED", "4/0:STOPPED"]);
    expect(seen[seen.length - 1]).toBe(1);
    const remote = await runExperiment(readoutSchedule(), { cluster: `127.0.0.1:${vc.address.port}` });
    expect(remote.acquisitions["1"]!.real).toEqual([0.5]);
  });
});
