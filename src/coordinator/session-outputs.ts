/**
 * A session's outputs (src/coordinator/session.ts): what every output holds now (`held`, offsets V
 * per DAC and marker inversion by slot), kept in step with every write, so only what differs from a
 * target (the idle values, a job's outputs) is written.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { InstrumentCoordinator } from "./coordinator.js";
import { compiledOffsets, type OutputState } from "./jobs/idle-values.js";

/** Set every output to its idle value (session open); `held` then records them. */
export async function writeIdle(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  driver: ClusterDriver,
  held: OutputState,
  idle: OutputState,
): Promise<void> {
  for (const [slot, st] of idle) {
    const h = { offsets: [...st.offsets], inverted: [...st.inverted] };
    for (let d = 0; d < st.offsets.length; d++)
      await writeOffset(coordinator, clusterName, driver, held, slot, d, st.offsets[d]!);
    for (let m = 0; m < st.inverted.length; m++)
      await writeMarker(coordinator, clusterName, held, slot, m, st.inverted[m]!);
    held.set(slot, h);
  }
}

/** prepare() wrote the module offsets of every module the schedule uses (null → 0). */
export function notePrepared(
  compiled: CompiledSchedule,
  clusterName: string,
  driver: ClusterDriver,
  held: OutputState,
): void {
  for (const m of Object.values(compiled.clusters[clusterName]?.modules ?? {})) {
    const h = held.get(m.slot);
    if (!h) continue;
    const offs = compiledOffsets(compiled, clusterName, m.slot, isRF(driver, m.slot));
    offs.forEach((v, d) => {
      if (d < h.offsets.length) h.offsets[d] = v ?? 0;
    });
  }
}

/**
 * Make the outputs hold `target`, writing only what differs from what they hold. With `compiled`,
 * offsets the compiled schedule sets itself are left as prepare() wrote them.
 */
export async function syncOutputs(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  driver: ClusterDriver,
  held: OutputState,
  target: OutputState,
  compiled?: CompiledSchedule,
): Promise<void> {
  for (const [slot, want] of target) {
    const h = held.get(slot);
    if (!h) continue;
    const own = compiled ? compiledOffsets(compiled, clusterName, slot, isRF(driver, slot)) : [];
    for (let d = 0; d < want.offsets.length; d++) {
      if (own[d] !== undefined && own[d] !== null) continue;
      if (h.offsets[d] !== want.offsets[d])
        await writeOffset(coordinator, clusterName, driver, held, slot, d, want.offsets[d]!);
    }
    for (let m = 0; m < want.inverted.length; m++)
      if (h.inverted[m] !== want.inverted[m])
        await writeMarker(coordinator, clusterName, held, slot, m, want.inverted[m]!);
  }
}

export async function writeOffset(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  driver: ClusterDriver,
  held: OutputState,
  slot: number,
  dac: number,
  volts: number,
): Promise<void> {
  const rf = isRF(driver, slot);
  const name = rf ? `out${Math.floor(dac / 2)}_offset_path${dac % 2}` : `out${dac}_offset`;
  await coordinator.writeModuleParam(clusterName, slot, name, rf ? volts * 1e3 : volts);
  const h = held.get(slot);
  if (h) h.offsets[dac] = volts;
}

export async function writeMarker(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  held: OutputState,
  slot: number,
  marker: number,
  inverted: boolean,
): Promise<void> {
  await coordinator.writeModuleParam(clusterName, slot, `marker${marker}_inv_en`, inverted);
  const h = held.get(slot);
  if (h) h.inverted[marker] = inverted;
}

export function isRF(driver: ClusterDriver, slot: number): boolean {
  return driver.modules.get(slot)?.info.isRF ?? false;
}
