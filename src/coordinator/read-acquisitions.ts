/**
 * Reading a finished run's acquisitions: scope data stored first for Trace channels, then each
 * sequencer's bins read once and shaped per acq_channel (contract/acquisition-results.ts, with the
 * bin counts checked against the layout by completeAcquisition).
 */
import { sequencerIntegrationLength } from "../contract/acquisition-results.js";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import { completeAcquisition, type AcquisitionData } from "./acquisitions.js";

export async function readAcquisitions(
  compiled: CompiledSchedule,
  driverOf: (cluster: string) => ClusterDriver,
): Promise<Record<string, AcquisitionData>> {
  const raw = new Map<string, Awaited<ReturnType<ClusterDriver["acquisitions"]>>>();
  const layouts = Object.values(compiled.acquisitions);
  for (const l of layouts.filter((x) => x.protocol === "Trace")) {
    const slot = compiled.clusters[l.cluster]!.modules[l.module]!.slot;
    await driverOf(l.cluster).storeScopeAcquisition(slot, l.sequencer, String(l.qblox_index));
  }
  // every sequencer's list read once, per cluster in one round trip
  const wanted = new Map<string, { slot: number; seq: number; key: string }[]>();
  for (const l of layouts) {
    const mod = compiled.clusters[l.cluster]?.modules[l.module];
    if (!mod) continue;
    const key = `${l.cluster}/${mod.slot}/${l.sequencer}`;
    const list = wanted.get(l.cluster) ?? [];
    if (!list.some((x) => x.key === key)) list.push({ slot: mod.slot, seq: l.sequencer, key });
    wanted.set(l.cluster, list);
  }
  for (const [cluster, list] of wanted) {
    const lists = await driverOf(cluster).acquisitionsOf(list);
    list.forEach((x, i) => raw.set(x.key, lists[i]!));
  }
  const out: Record<string, AcquisitionData> = {};
  for (const [ch, l] of Object.entries(compiled.acquisitions)) {
    const mod = compiled.clusters[l.cluster]?.modules[l.module];
    if (!mod)
      throw new InstrumentError(
        "ACQUISITION_MISSING",
        `acquisition channel "${ch}" refers to module ${l.module} of cluster ${l.cluster}, which the schedule does not use`,
        {
          path: `acquisitions/${ch}`,
          hint: "compile the schedule again with the hardware config it runs on; the compiled schedule's acquisitions must name modules in its clusters",
        },
      );
    const key = `${l.cluster}/${mod.slot}/${l.sequencer}`;
    if (!raw.has(key)) raw.set(key, await driverOf(l.cluster).acquisitions(mod.slot, l.sequencer));
    out[ch] = completeAcquisition(l, raw.get(key)!, sequencerIntegrationLength(compiled, l), compiled.repetitions);
  }
  return out;
}
