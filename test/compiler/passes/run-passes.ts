/**
 * The compiler passes run one by one (the same calls and order as PIPELINE in src/compiler/index.ts),
 * each result kept, so a test can feed any pass the output of the earlier ones.
 */
import { applyCrosstalk } from "../../../src/compiler/1-schedule/crosstalk.js";
import { stackPulses } from "../../../src/compiler/1-schedule/stacking.js";
import { resolveTiming } from "../../../src/compiler/1-schedule/timing.js";
import { planAcquisitions } from "../../../src/compiler/2-plan/acquisitions.js";
import { solveFrequencies } from "../../../src/compiler/2-plan/frequencies.js";
import { relativeLatencies } from "../../../src/compiler/2-plan/latency.js";
import { assignSequencers } from "../../../src/compiler/2-plan/sequencers.js";
import { softwareFilter } from "../../../src/compiler/3-emit/distortion/software.js";
import type { QasmHooks } from "../../../src/compiler/3-emit/hooks.js";
import { generatePrograms, type ProgramOptions, type SequencerProgram } from "../../../src/compiler/3-emit/program.js";
import { buildSettings, type SettingsResult } from "../../../src/compiler/3-emit/settings.js";
import { generateWaveforms } from "../../../src/compiler/3-emit/waveforms.js";
import type { IrNode, TimedSchedule } from "../../../src/compiler/ir/nodes.js";
import type {
  AcqChannelPlan,
  CompileWarning,
  FrequencyPlan,
  ProgramPlan,
  SequencerPlan,
  SequencerWaveforms,
} from "../../../src/compiler/ir/plan.js";
import { loadHardwareConfig } from "../../../src/hardware/load.js";
import type { HardwareSetup } from "../../../src/hardware/setup.js";
import { parseScheduleDocument } from "../../../src/schedule/parse.js";
import type { ScheduleDocument } from "../../../src/schedule/schema.js";

export interface PlanResults {
  hw: HardwareSetup;
  doc: ScheduleDocument;
  /** after 1-schedule/timing */
  timed: TimedSchedule;
  /** after 1-schedule/crosstalk */
  crosstalked: TimedSchedule;
  /** after 1-schedule/stacking (the TimedSchedule every later pass sees) */
  stacked: TimedSchedule;
  sequencers: SequencerPlan[];
  acqChannels: AcqChannelPlan[];
  frequencies: FrequencyPlan;
  latencyNs: number[];
  plan: ProgramPlan;
  waveforms: SequencerWaveforms[];
}

export interface PassResults extends PlanResults {
  programs: SequencerProgram[];
  settings: SettingsResult;
  warnings: CompileWarning[];
}

export interface RunOptions {
  instructionLimit?: "error" | "warn";
  qasmHooks?: QasmHooks;
  /** false: skip 1-schedule/stacking (to hand later passes input the pipeline would have stacked) */
  stack?: boolean;
}

/** The passes up to and including 3-emit/waveforms, on a schedule document and a hardware config (raw JSON). */
export function planPasses(schedule: unknown, hardware: unknown, options: RunOptions = {}): PlanResults {
  const hw = loadHardwareConfig(hardware);
  const doc = parseScheduleDocument(schedule);
  const timed = resolveTiming(doc);
  const crosstalked = applyCrosstalk(timed, hw);
  const stacked = options.stack === false ? crosstalked : stackPulses(crosstalked);
  const sequencers = assignSequencers(stacked, hw);
  const acqChannels = planAcquisitions(sequencers, stacked.repetitions);
  const frequencies = solveFrequencies(sequencers, stacked, hw);
  const latencyNs = relativeLatencies(sequencers, hw);
  const plan: ProgramPlan = { timed: stacked, sequencers, acqChannels, frequencies, latencyNs };
  const waveforms = generateWaveforms(sequencers, (seq) => softwareFilter(hw, seq.route.portClock));
  return { hw, doc, timed, crosstalked, stacked, sequencers, acqChannels, frequencies, latencyNs, plan, waveforms };
}

export function programOptions(options: RunOptions = {}): ProgramOptions {
  return { instructionLimit: options.instructionLimit ?? "error", qasmHooks: options.qasmHooks ?? {} };
}

/** Every pass of the pipeline, in order (the same calls as PIPELINE in src/compiler/index.ts). */
export function runPasses(schedule: unknown, hardware: unknown, options: RunOptions = {}): PassResults {
  const p = planPasses(schedule, hardware, options);
  const warnings: CompileWarning[] = [];
  const programs = generatePrograms(p.plan, p.waveforms, p.hw, programOptions(options), warnings);
  const settings = buildSettings(p.plan, p.waveforms, programs, p.hw, warnings);
  return { ...p, programs, settings, warnings };
}

/** Every node id of a tree (loops and their bodies), in document order. */
export function allIds(nodes: readonly IrNode[]): number[] {
  const out: number[] = [];
  const visit = (list: readonly IrNode[]): void => {
    for (const n of list) {
      out.push(n.id);
      if (n.kind === "loop") visit(n.body);
    }
  };
  visit(nodes);
  return out;
}

/** The sequencer of a port-clock. */
export function seqIndex(sequencers: readonly SequencerPlan[], portClock: string): number {
  const i = sequencers.findIndex((s) => s.route.portClock === portClock);
  if (i < 0) throw new Error(`no sequencer for ${portClock}`);
  return i;
}
