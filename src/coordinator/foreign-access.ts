/**
 * Other clients' writes (src/coordinator/coordinator.ts): the sequencers' generation counters, read
 * before and after the coordinator's writes and across a run, tell whether anybody else configured,
 * armed, started or stopped a sequencer the coordinator holds; FOREIGN_ACCESS names the first one.
 */
import { InstrumentError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { WriteLog } from "./apply-settings.js";
import { genKey, type Generation, type UsedSequencer } from "./coordinator-types.js";
import type { LazyCache } from "./lazy-cache.js";

/**
 * true when no other client wrote to any sequencer of the module since this coordinator recorded
 * its writes (the `configOthers` count is unchanged). Otherwise the module's cache entries are
 * dropped (so prepare rewrites them): someone else wrote to it, it was reset, or the instrument
 * keeps no counter. The counters read are added to `seen`.
 */
export async function verifyHeld(
  drv: ClusterDriver,
  cname: string,
  slot: number,
  seen: Map<string, Generation>,
  cache: LazyCache,
  record: WriteLog,
): Promise<boolean> {
  const gens = await drv.generations(moduleSequencers(drv, slot));
  if (gens === null) {
    cache.clear(`${cname}/${slot}/`);
    record(
      `${cname} slot ${slot}`,
      "info",
      "the instrument keeps no generation counter: every setting and sequence is written",
    );
    return false;
  }
  let held = true;
  for (let q = 0; q < gens.length; q++) {
    const key = genKey(cname, slot, q);
    const g = gens[q]!;
    seen.set(`${cname}/${slot}/${q}`, g);
    if (!cache.changed(key, g.configOthers)) continue;
    if (held && cache.has(key))
      record(
        `${cname} slot ${slot}`,
        "foreign",
        `sequencer ${q} was written by another client since this coordinator wrote it; rewriting the module`,
      );
    held = false;
  }
  if (!held) cache.clear(`${cname}/${slot}/`);
  return held;
}

/**
 * After this coordinator's writes: remember every sequencer's `configOthers` count, or return false
 * (and forget the module) when another client wrote to it since `seen` was read.
 */
export async function recordHeld(
  drv: ClusterDriver,
  cname: string,
  slot: number,
  seen: Map<string, Generation>,
  cache: LazyCache,
): Promise<boolean> {
  const gens = await drv.generations(moduleSequencers(drv, slot));
  if (gens === null) return true;
  for (let q = 0; q < gens.length; q++) {
    const g = gens[q]!;
    if (g.configOthers !== seen.get(`${cname}/${slot}/${q}`)?.configOthers) {
      cache.clear(`${cname}/${slot}/`);
      return false;
    }
    cache.remember(genKey(cname, slot, q), g.configOthers);
  }
  return true;
}

/**
 * The run's sequencers must still hold this run: nobody else wrote settings or sequences, armed,
 * started, stopped or deleted data since this coordinator's START. Throws FOREIGN_ACCESS naming the
 * first sequencer touched.
 */
export async function verifyRun(
  used: UsedSequencer[],
  runGenerations: Map<string, Generation>,
  driverOf: (cluster: string) => ClusterDriver,
  when: string,
): Promise<void> {
  const byCluster = new Map<string, UsedSequencer[]>();
  for (const u of used) {
    if (!runGenerations.has(`${u.cluster}/${u.slot}/${u.seq}`)) continue;
    const list = byCluster.get(u.cluster);
    if (list) list.push(u);
    else byCluster.set(u.cluster, [u]);
  }
  for (const [cluster, list] of byCluster) {
    const gens = await driverOf(cluster).generations(list);
    if (gens === null) continue;
    for (let i = 0; i < list.length; i++) {
      const u = list[i]!,
        g = gens[i]!;
      const mine = runGenerations.get(`${u.cluster}/${u.slot}/${u.seq}`)!;
      if (g.configOthers === mine.configOthers && g.runOthers === mine.runOthers) continue;
      throw foreignAccess(
        u,
        g.configOthers !== mine.configOthers ? "re-configured or re-uploaded" : "armed, started, stopped or cleared",
        when,
        { expected: mine, found: g },
      );
    }
  }
}

/** Every sequencer of the module in `slot`. */
function moduleSequencers(drv: ClusterDriver, slot: number): { slot: number; seq: number }[] {
  return Array.from({ length: drv.module(slot).info.sequencers }, (_, seq) => ({ slot, seq }));
}

export function foreignAccess(
  u: UsedSequencer,
  what: string,
  when: string,
  details: Record<string, unknown> = {},
): InstrumentError {
  return new InstrumentError(
    "FOREIGN_ACCESS",
    `sequencer ${u.seq} of ${u.module} (slot ${u.slot}) was ${what} by another client ${when}; its data is not this run's`,
    {
      path: `${u.module}/seq${u.seq}`,
      hint: "two clients share this sequencer: run the schedules one after the other (or on different sequencers), then prepare and start again",
      details: { cluster: u.cluster, slot: u.slot, sequencer: u.seq, ...details },
    },
  );
}
