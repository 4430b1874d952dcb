/**
 * A job whose compiled schedule is unchanged uploads nothing: after the other-client check (the
 * sequencers' generation counters) it only runs — the exact SCPI commands of such a job on the
 * virtual Cluster over TCP, and how they travel (batched: one round trip per step).
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { openSession, type Session } from "../../src/coordinator/session.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "./fixtures.js";

let vc: VirtualCluster;
let s: Session;
beforeEach(async () => {
  // emulated inline (right after START's reply): the run is over at the first status poll, so the
  // exact command list below does not depend on when an emulation worker answers
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM", runDurationMs: 0, emulation: "inline" });
  s = await openSession(await vc.start(), null, { transport: { timeoutMs: 5000 } });
});
afterEach(async () => {
  await s.close();
  await vc.stop();
});

it("an unchanged job: counters checked, nothing written or uploaded, then STOP/ARM/START, status, data", async () => {
  const compiled = readoutSchedule();
  // no output offset of its own (one would be written before and reverted after every job: idle values)
  compiled.clusters["cluster0"]!.modules["cluster0_module2"]!.settings.offset_ch0_path_I = null;
  expect(await s.execute(compiled).wait()).toBe("completed");
  const before = vc.commandLog.length;
  const sent0 = s.driver.transport.stats.bytesSent;
  const job = s.execute(compiled);
  expect(await job.wait()).toBe("completed");
  expect((await job.results())["1"]!.real).toEqual([0.5]);
  const gens = (slot: number, n: number) =>
    Array.from({ length: n }, (_, q) => `SLOT${slot}:SEQuencer${q}:GENeration?`);
  expect(vc.commandLog.slice(before)).toStrictEqual([
    // prepare: nobody else wrote to the used modules (counters of every sequencer), so nothing is written
    ...gens(2, 6),
    ...gens(4, 6),
    // start: the same check again, then stop + clear + arm, then START with the run's counters
    ...gens(2, 6),
    ...gens(4, 6),
    "SLOT:SEQuencer:STOP",
    "SLOT2:SEQuencer0:ARM",
    "SLOT4:SEQuencer0:ACQ:ALISt:ACQuisition:DATA:DELete",
    "SLOT4:SEQuencer0:ARM",
    "SYSTem:ERRor:COUNt?",
    "SLOT:SEQuencer:START",
    "SLOT2:SEQuencer0:GENeration?",
    "SLOT4:SEQuencer0:GENeration?",
    "SYSTem:ERRor:COUNt?",
    // the run is over at the first status poll; nobody touched it; its data; still nobody touched it
    "SLOT2:SEQuencer0:STATE?",
    "SLOT4:SEQuencer0:STATE?",
    "SLOT2:SEQuencer0:GENeration?",
    "SLOT4:SEQuencer0:GENeration?",
    "SLOT4:SEQuencer0:ACQ:ALISt?",
    "SYSTem:ERRor:COUNt?",
    "SLOT2:SEQuencer0:GENeration?",
    "SLOT4:SEQuencer0:GENeration?",
  ]);
  expect(vc.countCommands(/PROGram|WLISt|CONFiguration$|CHANnelmap$|AFE/)).toBeGreaterThan(0); // the first job wrote
  expect(s.driver.transport.stats.bytesSent - sent0).toBeLessThan(2000);
});
