/**
 * Starting a prepared run (coordinator.ts start()): whether the used modules are still as prepare()
 * left them, then STOP / clear / ARM and START with the sequencers' counters read back; a counter
 * changed by another client while the run is being started is FOREIGN_ACCESS.
 */
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { WriteLog } from "./apply-settings.js";
import type { Generation, UsedSequencer } from "./coordinator-types.js";
import { foreignAccess, verifyHeld } from "./foreign-access.js";
import type { LazyCache } from "./lazy-cache.js";

/** The slots of `cname` that hold used sequencers. */
function slotsOf(used: readonly UsedSequencer[], cname: string): Set<number> {
  return new Set(used.filter((u) => u.cluster === cname).map((u) => u.slot));
}

/**
 * verifyHeld on every module with used sequencers (their counters go into `base`): false when any was
 * written by another client since prepare(). Every module is checked, also after the first false.
 */
export async function verifyAllHeld(
  clusters: Readonly<Record<string, ClusterDriver>>,
  used: readonly UsedSequencer[],
  base: Map<string, Generation>,
  cache: LazyCache,
  record: WriteLog,
): Promise<boolean> {
  let held = true;
  for (const [cname, drv] of Object.entries(clusters))
    for (const slot of slotsOf(used, cname))
      if (!(await verifyHeld(drv, cname, slot, base, cache, record))) held = false;
  return held;
}

/**
 * Per cluster one round trip: STOP, clear the readouts' data, ARM the used sequencers; then START each
 * cluster and read the counters of its sequencers in the same round trip. Each counter is compared with
 * `base` (a change is FOREIGN_ACCESS) and kept in `runGenerations`.
 */
export async function armAndStart(
  clusters: Readonly<Record<string, ClusterDriver>>,
  used: readonly UsedSequencer[],
  base: ReadonlyMap<string, Generation>,
  runGenerations: Map<string, Generation>,
  record: WriteLog,
): Promise<void> {
  for (const [cname, drv] of Object.entries(clusters)) {
    const mine = used.filter((u) => u.cluster === cname);
    if (mine.length > 0) await drv.stopClearArm(mine);
  }
  const after = new Map<string, Generation>();
  for (const [cname, drv] of Object.entries(clusters)) {
    const mine = used.filter((u) => u.cluster === cname);
    if (mine.length > 0) {
      const gens = await drv.startAndReadGenerations(mine);
      mine.forEach((u, i) => {
        const g = gens?.[i];
        if (g) after.set(`${u.cluster}/${u.slot}/${u.seq}`, g);
      });
    }
    record(cname, "start", mine.map((u) => `slot ${u.slot} seq ${u.seq}`).join(", "));
  }
  for (const u of used) {
    const g = after.get(`${u.cluster}/${u.slot}/${u.seq}`);
    if (!g) continue;
    const b = base.get(`${u.cluster}/${u.slot}/${u.seq}`);
    if (!b || g.configOthers !== b.configOthers || g.runOthers !== b.runOthers)
      throw foreignAccess(
        u,
        g.configOthers !== b?.configOthers ? "re-configured" : "armed, started or stopped",
        "while this run was being started",
      );
    runGenerations.set(`${u.cluster}/${u.slot}/${u.seq}`, g);
  }
}
