/**
 * compile(): the pipeline, declared once as data. Each pass is a pure function of earlier IRs and
 * the typed hardware model; the pipeline stores its result in the compile state and times it under
 * its name in `diagnostics.stage_ms` ("<phase>/<pass>"). Verification is an injected option: the
 * compiler never imports the emulator (src/index.ts passes the emulator's verifier for
 * `verify: true`).
 */
import { performance } from "node:perf_hooks";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { loadHardwareConfig } from "../hardware/load.js";
import { HardwareSetup } from "../hardware/setup.js";
import { parseScheduleDocument } from "../schedule/parse.js";
import { importQuantifySchedule, isQuantifySchedule } from "../schedule/quantify-import.js";
import type { ScheduleDocument } from "../schedule/schema.js";
import { loadDeviceForCompile } from "../device/compile-cache.js";
import { applyCrosstalk } from "./1-schedule/crosstalk.js";
import { lowerGates } from "./1-schedule/gates.js";
import { stackPulses } from "./1-schedule/stacking.js";
import { stitchLongRamps } from "./1-schedule/long-ramps.js";
import { autoRfSwitch } from "./1-schedule/auto-rf-switch.js";
import { resolveTiming } from "./1-schedule/timing.js";
import { planAcquisitions } from "./2-plan/acquisitions.js";
import { solveFrequencies } from "./2-plan/frequencies.js";
import { relativeLatencies } from "./2-plan/latency.js";
import { assignSequencers } from "./2-plan/sequencers.js";
import { planSweeps, type SweepPlan } from "./2-plan/sweeps.js";
import { sweepResults } from "./3-emit/sweep-results.js";
import { planFeedback, type FeedbackPlan } from "./2-plan/feedback.js";
import {
  checkFeedbackCompileOptions,
  feedbackOptions,
  feedbackWarnings,
  insertFeedbackWaits,
} from "./2-plan/feedback.js";
import { planTriggerNetwork, type FeedbackMode, type TriggerNetworkPlan } from "./2-plan/trigger-network.js";
import { applyTriggerSettings } from "./3-emit/trigger-network.js";
import { expandConditionalResets } from "./1-schedule/conditional.js";
import { softwareFilter } from "./3-emit/distortion/software.js";
import type { QasmHooks } from "./3-emit/hooks.js";
import { compiledSchedule } from "./3-emit/output.js";
import { generatePrograms, type SequencerProgram } from "./3-emit/program.js";
import { buildSettings, type SettingsResult } from "./3-emit/settings.js";
import { generateWaveforms } from "./3-emit/waveforms.js";
import type { TimedSchedule } from "./ir/nodes.js";
import type {
  AcqChannelPlan,
  CompileWarning,
  FrequencyPlan,
  ProgramPlan,
  SequencerPlan,
  SequencerWaveforms,
} from "./ir/plan.js";

/** Runs compiled programs (e.g. in the emulator) and throws a typed error naming the operation at fault. */
export type Verifier = (compiled: CompiledSchedule) => void;

export interface CompileOptions {
  /** "error" (default): a program over the module's instruction memory is a compile error; "warn": a diagnostic */
  instructionLimit?: "error" | "warn";
  /**
   * Check every compiled program before returning it. The compiler takes the verifier as a function;
   * the package's root `compile` also accepts `true` for the built-in emulator.
   */
  verify?: Verifier | false;
  /** Q1ASM hooks by the name `sequencer_options.qasm_hook_func` uses */
  qasmHooks?: QasmHooks;
  /**
   * The quantum device for gate-level schedules (docs/device.md): quantify's serialized QuantumDevice,
   * the q1forge device JSON (both parsed), or a loaded QuantumDevice.
   */
  device?: unknown;
  /** LINQ: insert the missing wait instead of FEEDBACK_TOO_EARLY (default: compiler_options.feedback_insert_wait) */
  feedbackInsertWait?: boolean;
  /** LINQ: write-combine readouts that end together (default: compiler_options.feedback_write_combine) */
  feedbackWriteCombine?: boolean;
  /**
   * How ConditionalOperation gets its measurement when the schedule has no `feedback_mode`: "linq"
   * (default) or "trigger_network" (quantify's conditional playback; docs/feedback.md).
   */
  feedbackMode?: FeedbackMode;
}

/** What the passes have produced so far; each pass fills its own field. */
interface CompileState {
  readonly scheduleInput: unknown;
  readonly hardwareInput: unknown;
  readonly options: CompileOptions;
  readonly warnings: CompileWarning[];
  hw?: HardwareSetup;
  doc?: ScheduleDocument;
  timed?: TimedSchedule;
  sequencers?: SequencerPlan[];
  acqChannels?: AcqChannelPlan[];
  frequencies?: FrequencyPlan;
  latencyNs?: number[];
  sweeps?: SweepPlan;
  feedback?: FeedbackPlan;
  triggerNetwork?: TriggerNetworkPlan;
  waveforms?: SequencerWaveforms[];
  programs?: SequencerProgram[];
  settings?: SettingsResult;
  compiled?: CompiledSchedule;
}

interface Pass {
  /** "<phase>/<pass>", the key in diagnostics.stage_ms */
  name: string;
  run: (s: CompileState) => void;
}

/** A field a previous pass must have filled (the pipeline order guarantees it). */
function need<T>(value: T | undefined): T {
  return value as T;
}

function plan(s: CompileState): ProgramPlan {
  return {
    timed: need(s.timed),
    sequencers: need(s.sequencers),
    acqChannels: need(s.acqChannels),
    frequencies: need(s.frequencies),
    latencyNs: need(s.latencyNs),
    ...(s.feedback ? { feedback: s.feedback } : {}),
    ...(s.triggerNetwork ? { triggerNetwork: s.triggerNetwork } : {}),
  };
}

/** The schedule's feedback_mode, else the compile option, else LINQ. */
function feedbackMode(s: CompileState): FeedbackMode {
  return s.doc?.feedback_mode ?? s.options.feedbackMode ?? "linq";
}

export const PIPELINE: readonly Pass[] = [
  {
    name: "0-input/hardware",
    run: (s) => {
      s.hw = s.hardwareInput instanceof HardwareSetup ? s.hardwareInput : loadHardwareConfig(s.hardwareInput);
      s.warnings.push(...s.hw.loadWarnings); // conversions, qblox-scheduler keys, semantic findings
    },
  },
  {
    name: "0-input/schedule",
    run: (s) => {
      const input = isQuantifySchedule(s.scheduleInput) ? importQuantifySchedule(s.scheduleInput) : s.scheduleInput;
      s.doc = parseScheduleDocument(input);
    },
  },
  {
    name: "1-schedule/gates",
    run: (s) => {
      // without a device a pulse-level schedule passes untouched (a gate then fails in timing, named)
      if (s.options.device !== undefined)
        s.doc = lowerGates(
          expandConditionalResets(need(s.doc), feedbackMode(s)),
          loadDeviceForCompile(s.options.device),
        );
    },
  },
  {
    name: "1-schedule/timing",
    run: (s) => {
      s.timed = resolveTiming(need(s.doc));
    },
  },
  {
    name: "1-schedule/crosstalk",
    run: (s) => {
      s.timed = applyCrosstalk(need(s.timed), need(s.hw));
    },
  },
  {
    name: "1-schedule/stacking",
    run: (s) => {
      s.timed = stackPulses(need(s.timed), s.warnings);
    },
  },
  {
    name: "1-schedule/long-ramps",
    run: (s) => {
      s.timed = stitchLongRamps(need(s.timed), need(s.hw));
    },
  },
  {
    name: "1-schedule/auto-rf-switch",
    run: (s) => {
      s.timed = autoRfSwitch(need(s.timed), need(s.hw), s.warnings);
    },
  },
  {
    name: "2-plan/sweeps",
    run: (s) => {
      s.sweeps = planSweeps(need(s.timed));
      s.timed = s.sweeps.timed;
    },
  },
  {
    name: "2-plan/sequencers",
    run: (s) => {
      s.sequencers = assignSequencers(need(s.timed), need(s.hw));
    },
  },
  {
    name: "2-plan/acquisitions",
    run: (s) => {
      s.acqChannels = planAcquisitions(need(s.sequencers), need(s.timed).repetitions);
    },
  },
  {
    name: "2-plan/frequencies",
    run: (s) => {
      s.frequencies = solveFrequencies(need(s.sequencers), need(s.timed), need(s.hw));
    },
  },
  {
    name: "2-plan/latency",
    run: (s) => {
      s.latencyNs = relativeLatencies(need(s.sequencers), need(s.hw));
    },
  },
  {
    name: "2-plan/feedback",
    run: (s) => {
      if (feedbackMode(s) === "trigger_network") return;
      const o = feedbackOptions(s.options, need(s.hw).model.compilerOptions);
      const shifted = o.insertWait
        ? insertFeedbackWaits(need(s.timed), need(s.sequencers), need(s.latencyNs), o, (t) => replan(s, t))
        : null;
      s.feedback = planFeedback(need(s.timed).nodes, need(s.sequencers), need(s.latencyNs), o);
      if (shifted) s.feedback.insertedWaits = shifted.waits;
      s.warnings.push(...feedbackWarnings(s.feedback));
    },
  },
  {
    name: "2-plan/trigger-network",
    run: (s) => {
      if (feedbackMode(s) !== "trigger_network") return;
      const r = planTriggerNetwork(need(s.timed), need(s.sequencers), need(s.latencyNs));
      s.triggerNetwork = r.plan;
      s.sequencers = r.sequencers;
      s.timed = { ...need(s.timed), nextNodeId: r.nextNodeId };
    },
  },
  {
    name: "3-emit/waveforms",
    run: (s) => {
      const hw = need(s.hw);
      s.waveforms = generateWaveforms(need(s.sequencers), (seq) => softwareFilter(hw, seq.route.portClock));
    },
  },
  {
    name: "3-emit/programs",
    run: (s) => {
      const opts = { instructionLimit: s.options.instructionLimit ?? "error", qasmHooks: s.options.qasmHooks ?? {} };
      s.programs = generatePrograms(plan(s), need(s.waveforms), need(s.hw), opts, s.warnings);
    },
  },
  {
    name: "3-emit/settings",
    run: (s) => {
      const p = plan(s);
      s.settings = applyTriggerSettings(
        buildSettings(p, need(s.waveforms), need(s.programs), need(s.hw), s.warnings),
        p,
      );
    },
  },
];

/** feedback_insert_wait shifted the schedule: re-run the plans that depend on its times. */
function replan(s: CompileState, timed: TimedSchedule): { sequencers: SequencerPlan[]; latencyNs: number[] } {
  s.timed = timed;
  for (const p of PIPELINE)
    if (
      p.name === "2-plan/sequencers" ||
      p.name === "2-plan/acquisitions" ||
      p.name === "2-plan/frequencies" ||
      p.name === "2-plan/latency"
    )
      p.run(s);
  return { sequencers: need(s.sequencers), latencyNs: need(s.latencyNs) };
}

export function compile(schedule: unknown, hardware: unknown, options: CompileOptions = {}): CompiledSchedule {
  checkFeedbackCompileOptions(options);
  const state: CompileState = { scheduleInput: schedule, hardwareInput: hardware, options, warnings: [] };
  const stageMs: Record<string, number> = {};
  for (const pass of PIPELINE) {
    const t0 = performance.now();
    pass.run(state);
    stageMs[pass.name] = Math.round((performance.now() - t0) * 1000) / 1000;
  }
  const compiled = compiledSchedule(
    plan(state),
    need(state.waveforms),
    need(state.programs),
    need(state.settings),
    state.warnings,
    stageMs,
  );
  const t1 = performance.now();
  sweepResults(compiled, plan(state), need(state.sweeps), need(state.programs));
  stageMs["3-emit/sweep-results"] = Math.round((performance.now() - t1) * 1000) / 1000;
  if (options.verify) {
    const t0 = performance.now();
    options.verify(compiled);
    stageMs["4-verify"] = Math.round((performance.now() - t0) * 1000) / 1000;
  }
  return compiled;
}
