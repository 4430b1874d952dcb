/**
 * The writes of InstrumentCoordinator.prepare() (src/coordinator/coordinator.ts): every used module's
 * settings and sequences (lazily, after checking nobody else wrote to them), the local oscillators and
 * the LINQ routing of a compiled schedule.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import { prepareModule, type WriteLog } from "./apply-settings.js";
import type { Generation, UsedSequencer } from "./coordinator-types.js";
import { recordHeld, verifyHeld } from "./foreign-access.js";
import type { LazyCache } from "./lazy-cache.js";
import { VirtualLocalOscillator, type LocalOscillatorDriver } from "./local-oscillator.js";

/**
 * prepare() without the guard. Before trusting the lazy cache for a module it checks that nobody
 * else wrote to the instrument since this coordinator did (the sequencers' generation counters count
 * other connections' writes apart); a module touched by anyone else, or on an instrument that keeps
 * no counter, is rewritten in full. A write by someone else during the writes makes it start over
 * (3 attempts, then FOREIGN_ACCESS).
 */
export async function prepareClusters(
  compiled: CompiledSchedule,
  driverOf: (cluster: string) => ClusterDriver,
  cache: LazyCache,
  forceSet: boolean,
  localOscillators: Record<string, LocalOscillatorDriver>,
  record: WriteLog,
): Promise<{ used: UsedSequencer[]; writes: number }> {
  for (let attempt = 1; ; attempt++) {
    const used: UsedSequencer[] = [];
    const seen = new Map<string, Generation>();
    let writes = 0;
    let interfered: string | null = null;
    for (const [cname, cluster] of Object.entries(compiled.clusters)) {
      const drv = driverOf(cname);
      let stale = false;
      for (const mod of Object.values(cluster.modules))
        if (!(await verifyHeld(drv, cname, mod.slot, seen, cache, record))) stale = true;
      if (stale) cache.clear(`${cname}/reference_source`);
      const ref = cluster.settings.reference_source;
      if (forceSet || cache.changed(`${cname}/reference_source`, ref)) {
        await drv.setReferenceSource(ref);
        cache.remember(`${cname}/reference_source`, ref);
        writes++;
      }
      const written = new Set<number>();
      for (const [mname, mod] of Object.entries(cluster.modules)) {
        drv.module(mod.slot);
        const w = await prepareModule(drv, cname, mod, cache, forceSet, (target, action, detail) =>
          record(`${cname} ${target}`, action, detail),
        );
        if (w > 0) written.add(mod.slot);
        writes += w;
        for (const s of Object.values(mod.sequencers)) {
          used.push({
            cluster: cname,
            module: mname,
            slot: mod.slot,
            seq: s.index,
            readout: drv.module(mod.slot).info.supportsAcquisition,
            integrationLength: s.settings.integration_length_acq,
          });
        }
      }
      // a module this prepare wrote nothing to still holds the counters verifyHeld just read (and cached)
      for (const [mname, mod] of Object.entries(cluster.modules))
        if (written.has(mod.slot) && !(await recordHeld(drv, cname, mod.slot, seen, cache))) {
          interfered ??= mname;
          cache.clear(`${cname}/reference_source`);
        }
    }
    if (interfered !== null) {
      if (attempt >= 3)
        throw new InstrumentError(
          "FOREIGN_ACCESS",
          `another client kept writing to ${interfered} while prepare() wrote it (${attempt} attempts)`,
          {
            path: interfered,
            hint: "two clients share this module: run the schedules one after the other (or on different modules)",
          },
        );
      record(
        interfered,
        "foreign",
        `written by another client during prepare(); writing again (attempt ${attempt + 1})`,
      );
      continue;
    }
    for (const [name, lo] of Object.entries(compiled.local_oscillators))
      writes += await prepareLocalOscillator(name, lo, localOscillators, cache, forceSet, record);
    // LINQ routing (docs/feedback.md): the compiled router configuration, applied before arming
    for (const [cname, router] of Object.entries(compiled.feedback?.router ?? {})) {
      await driverOf(cname).applyRouting(router);
      record(
        cname,
        "linq",
        `router: ${router.local_routes.length} local, ${router.cmm_routes.length} CMM, ${router.broadcast.length} broadcast`,
      );
      writes++;
    }
    return { used, writes };
  }
}

export async function prepareLocalOscillator(
  name: string,
  lo: CompiledSchedule["local_oscillators"][string],
  localOscillators: Record<string, LocalOscillatorDriver>,
  cache: LazyCache,
  forceSet: boolean,
  record: WriteLog,
): Promise<number> {
  let drv = localOscillators[name];
  if (!drv) {
    drv = new VirtualLocalOscillator(name);
    localOscillators[name] = drv;
    record(name, "info", "no LocalOscillatorDriver registered; using a VirtualLocalOscillator");
  }
  let writes = 0;
  const set = async (key: string, v: unknown, write: () => Promise<void>) => {
    if (!forceSet && !cache.changed(`lo/${name}/${key}`, v)) return;
    await write();
    cache.remember(`lo/${name}/${key}`, v);
    record(name, "set", `${key}=${String(v)}`);
    writes++;
  };
  if (lo.frequency !== null) await set("frequency", lo.frequency, () => drv.setFrequency(lo.frequency!));
  if (lo.power !== null) await set("power", lo.power, () => drv.setPower(lo.power!));
  await set("status", lo.status, () => drv.setOutput(lo.status));
  return writes;
}
