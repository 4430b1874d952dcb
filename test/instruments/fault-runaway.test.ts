/**
 * A runaway program on the virtual Cluster (issue 9): the per-START instruction budget stops it with a
 * clear state (STOPPED, FORCED_STOP, the emulator's message in the log), the coordinator reports it
 * as SEQUENCER_ERROR naming the sequencer and the flag, and the instrument keeps answering.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "../coordinator/fixtures.js";

let vc: VirtualCluster;
let ic: InstrumentCoordinator;
beforeEach(async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", runInstructionBudget: 200_000 });
  await vc.start();
  ic = await InstrumentCoordinator.connect({ cluster0: vc.address }, { transport: { timeoutMs: 5000 } });
});
afterEach(async () => {
  await ic.close();
  await vc.stop();
});

it("an endless loop is stopped by the run's instruction budget: SEQUENCER_ERROR naming the sequencer", async () => {
  const compiled = readoutSchedule({ qcmProgram: " wait_sync 4\nspin: add R0,1,R0\n jmp @spin\n stop\n" });
  await ic.prepare(compiled);
  await ic.start();
  const err = await ic.waitDone(10_000).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Q1ForgeError);
  expect((err as Q1ForgeError).code).toBe("SEQUENCER_ERROR");
  expect((err as Q1ForgeError).path).toBe("cluster0_module2/seq0");
  // two sequencers share the budget of 200000 instructions
  expect((err as Q1ForgeError).message).toMatch(
    /^sequencer error during the run: cluster0_module2 seq0: FORCED_STOP \(.*stopped after 100000 executed instructions \(emulator guard\)/,
  );
  const seq = vc.modules.get(2)!.sequencers[0]!;
  expect(seq.state).toBe("STOPPED");
  expect(seq.infoFlags.concat(seq.errFlags)).toContain("FORCED_STOP");
  // the instrument still answers, and the next (sane) run works
  const again = readoutSchedule();
  await ic.prepare(again);
  await ic.start();
  await ic.waitDone(10_000);
  expect((await ic.retrieveAcquisitions())["0"]!.real).toEqual([0.5, 0.5, 0.5]);
});
