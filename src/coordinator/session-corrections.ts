/**
 * A job's runtime changes by element (src/coordinator/session.ts): mixer corrections and DC offsets
 * of the sequencer playing a port-clock, range-checked and quantised; a correction's old value is
 * kept in the job's Revert, which the session writes back when the job ends.
 */
import type { CompiledSequencer } from "../contract/compiled-schedule.js";
import { InstrumentError, ValueRangeError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { InstrumentCoordinator } from "./coordinator.js";
import type { OutputState } from "./jobs/idle-values.js";
import type { ElementCorrection, Job } from "./jobs/job.js";
import { isRF, writeOffset } from "./session-outputs.js";

/** Qblox mixer-correction ranges; resolution assumed 16-bit (docs/jobs.md) */
const GAIN_RATIO = { min: 0.5, max: 2, step: 2 ** -14 };
const PHASE_DEG = { min: -45, max: 45, step: 45 / 2 ** 15 };
const OFFSET_LIMIT_V = 2.5;

export interface Revert {
  corrections: Map<string, { cluster: string; slot: number; seq: number; gain: number; phase: number }>;
}

export function sequencerFor(
  job: Job,
  clusterName: string,
  portClock: string,
): { slot: number; seq: CompiledSequencer } {
  const c = job.compiled?.clusters[clusterName];
  for (const m of Object.values(c?.modules ?? {}))
    for (const s of Object.values(m.sequencers)) if (s.port_clock === portClock) return { slot: m.slot, seq: s };
  const known = Object.values(c?.modules ?? {}).flatMap((m) => Object.values(m.sequencers).map((s) => s.port_clock));
  throw new InstrumentError("ELEMENT_UNKNOWN", `job ${job.id} has no sequencer for port-clock "${portClock}"`, {
    path: portClock,
    hint: `port-clocks of this job: ${known.join(", ") || "none"}`,
  });
}

export async function setCorrection(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  driver: ClusterDriver,
  rev: Revert,
  job: Job,
  pc: string,
  c: ElementCorrection,
): Promise<ElementCorrection> {
  const { slot, seq } = sequencerFor(job, clusterName, pc);
  const check = (v: number, r: { min: number; max: number }, what: string) => {
    if (!Number.isFinite(v) || v < r.min || v > r.max)
      throw new ValueRangeError("CORRECTION_RANGE", `${what} ${v} for "${pc}" is outside ${r.min} … ${r.max}`, {
        path: `${pc}.${what}`,
        hint: `give a ${what} within ${r.min} … ${r.max}`,
      });
  };
  check(c.gainRatio, GAIN_RATIO, "gainRatio");
  check(c.phaseOffsetDegree, PHASE_DEG, "phaseOffsetDegree");
  const applied: ElementCorrection = {
    gainRatio: Math.round(c.gainRatio / GAIN_RATIO.step) * GAIN_RATIO.step,
    phaseOffsetDegree: Math.round(c.phaseOffsetDegree / PHASE_DEG.step) * PHASE_DEG.step,
  };
  const key = `${slot}/${seq.index}`;
  if (!rev.corrections.has(key)) {
    const p = await driver.sequencerParams(slot, seq.index);
    rev.corrections.set(key, {
      cluster: clusterName,
      slot,
      seq: seq.index,
      gain: p.mixer_corr_gain_ratio ?? 1,
      phase: p.mixer_corr_phase_offset_degree ?? 0,
    });
  }
  await coordinator.writeSequencerParams(clusterName, slot, seq.index, {
    mixer_corr_gain_ratio: applied.gainRatio,
    mixer_corr_phase_offset_degree: applied.phaseOffsetDegree,
  });
  return applied;
}

export async function setDcOffset(
  coordinator: InstrumentCoordinator,
  clusterName: string,
  driver: ClusterDriver,
  held: OutputState,
  job: Job,
  pc: string,
  path: "I" | "Q",
  offset: number,
): Promise<number> {
  const { slot, seq } = sequencerFor(job, clusterName, pc);
  if (!Number.isFinite(offset) || Math.abs(offset) > OFFSET_LIMIT_V)
    throw new ValueRangeError(
      "OFFSET_RANGE",
      `offset ${offset} V for "${pc}" path ${path} is outside ±${OFFSET_LIMIT_V} V`,
      {
        path: pc,
        hint: `give an offset within ±${OFFSET_LIMIT_V} V`,
      },
    );
  const rf = isRF(driver, slot);
  const dacs: number[] = [];
  for (const [out, v] of Object.entries(seq.settings.connect_out)) {
    const k = Number(out.replace(/^out/, ""));
    if (rf && v === "IQ") dacs.push(2 * k + (path === "I" ? 0 : 1));
    else if (!rf && v === path) dacs.push(k);
  }
  if (dacs.length === 0)
    throw new InstrumentError("ELEMENT_UNKNOWN", `"${pc}" has no output on path ${path}`, {
      path: pc,
      hint: `its outputs: ${JSON.stringify(seq.settings.connect_out)}`,
    });
  for (const d of dacs) await writeOffset(coordinator, clusterName, driver, held, slot, d, offset);
  return offset;
}

/** After a job: write back the corrections it changed (their values before the job). */
export async function revertCorrections(coordinator: InstrumentCoordinator, rev: Revert | null): Promise<void> {
  if (rev)
    for (const c of rev.corrections.values())
      await coordinator.writeSequencerParams(c.cluster, c.slot, c.seq, {
        mixer_corr_gain_ratio: c.gain,
        mixer_corr_phase_offset_degree: c.phase,
      });
}
