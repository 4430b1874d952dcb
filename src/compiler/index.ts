/**
 * compile(): runs the stages in order, collecting per-stage timings and diagnostics.
 *   0 validate inputs → 1 timing → 2 assign → 3 frequencies → 4 waveforms → 5 programs → 6 settings
 */
import { performance } from "node:perf_hooks";
import { TimingError } from "../core/errors.js";
import { loadHardwareConfig } from "../hardware/load.js";
import type { HardwareSetup } from "../hardware/setup.js";
import { parseScheduleDocument } from "../schedule/parse.js";
import type { ScheduleDocument } from "../schedule/schema.js";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { resolveTiming } from "./1-schedule/timing.js";
import { applyCrosstalk } from "./1-schedule/crosstalk.js";
import { stackPulses } from "./1-schedule/stacking.js";
import { assignSequencers } from "./2-plan/sequencers.js";
import { solveFrequencies } from "./2-plan/frequencies.js";
import { generateWaveforms } from "./3-emit/waveforms.js";
import { generatePrograms } from "./3-emit/program.js";
import { buildSettings } from "./3-emit/settings.js";
import type { CompileWarning } from "./ir/plan.js";
import { softwareFilter } from "./3-emit/distortion/software.js";
import type { OpRef } from "./3-emit/builder.js";
import { verifyCompiled } from "../emulator/verify.js";

export interface CompileOptions {
  /** "error" (default): a program over the module's instruction memory is a compile error; "warn": a diagnostic */
  instructionLimit?: "error" | "warn";
  /** run every compiled program in the emulator; runtime errors become compile errors naming the operation */
  verify?: boolean;
}

export function compile(schedule: unknown, hardware: unknown, options: CompileOptions = {}): CompiledSchedule {
  const stageMs: Record<string, number> = {};
  const warnings: CompileWarning[] = [];
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    stageMs[name] = Math.round((now - t) * 1000) / 1000;
    t = now;
  };

  const hw: HardwareSetup = isHardwareSetup(hardware) ? hardware : loadHardwareConfig(hardware);
  const doc: ScheduleDocument = parseScheduleDocument(schedule);
  lap("0-validate");
  const timed = stackPulses(applyCrosstalk(resolveTiming(doc), hw));
  lap("1-timing");
  const assigned = assignSequencers(timed, hw);
  lap("2-assign");
  const freqs = solveFrequencies(assigned, hw);
  lap("3-frequencies");
  const waves = generateWaveforms(assigned, (seq) => softwareFilter(hw, seq.route.portClock));
  lap("4-waveforms");
  const latency = relativeLatencies(assigned.sequencers.map((s) => s.route.portClock), hw);
  const programs = generatePrograms(assigned, freqs, waves, {
    latencyNs: (pc) => latency.get(pc) ?? 0,
    instructionLimit: options.instructionLimit ?? "error",
    warnings,
    markerDebug: (seq) => hw.model.channel(seq.cluster, seq.slot, seq.route.channelName).markerDebugModeEnable,
    qasmHookName: (seq) => hw.model.portClock(seq.route.portClock).qasmHookFunc,
    rfOutputOn: (seq) => seq.spec.isRF && (hw.model.module(seq.cluster, seq.slot)?.rfOutputOn ?? true),
  });
  lap("5-program");
  const settings = buildSettings(assigned, freqs, waves, programs, hw, warnings);
  lap("6-settings");

  const resources = assigned.sequencers.map((seq) => {
    const prog = programs.get(seq.key)!;
    const bins = assigned.acqChannels.filter((c) => c.sequencerKey === seq.key).reduce((n, c) => n + c.numBins, 0);
    return {
      cluster: seq.cluster,
      module: seq.moduleName,
      sequencer: seq.index,
      port_clock: seq.route.portClock,
      instructions: prog.builder.count,
      instruction_limit: seq.spec.maxInstructions,
      waveform_samples: waves.bySequencer.get(seq.key)!.totalSamples,
      waveform_sample_limit: seq.spec.waveformSampleLimit,
      registers: prog.registersUsed,
      register_limit: seq.spec.registers,
      bins,
      bin_limit: seq.spec.maxBins,
    };
  });
  const compiled: CompiledSchedule = {
    format: "q1forge.compiled-schedule",
    version: 1,
    name: timed.name,
    repetitions: timed.repetitions,
    repetition_duration_ns: timed.durationNs,
    clusters: settings.clusters,
    local_oscillators: settings.localOscillators,
    acquisitions: settings.acquisitions,
    diagnostics: { warnings, stage_ms: stageMs, resources },
  };
  if (options.verify) {
    // Source map: program line (1-based) → the operation that emitted it.
    const byModuleSeq = new Map<string, OpRef[]>();
    for (const seq of assigned.sequencers) byModuleSeq.set(`${seq.moduleName}/${seq.index}`, programs.get(seq.key)!.builder.sources);
    verifyCompiled(compiled, (module, sequencer, line) => byModuleSeq.get(`${module}/${sequencer}`)?.[line - 1] ?? null);
    lap("7-verify");
  }
  return compiled;
}

function isHardwareSetup(x: unknown): x is HardwareSetup {
  return typeof x === "object" && x !== null && typeof (x as { routeFor?: unknown }).routeFor === "function";
}

/** Latency corrections made relative (reference 3.1 f.2): subtract the minimum over used port-clocks. */
function relativeLatencies(portClocks: string[], hw: HardwareSetup): Map<string, number> {
  const ns = new Map<string, number>();
  for (const pc of portClocks) {
    const s = hw.model.portClock(pc).latencyCorrectionS;
    const v = Math.round(s * 1e9);
    if (Math.abs(s * 1e9 - v) > 0.0011) {
      throw new TimingError("OFF_GRID", `latency_corrections for ${pc} is ${s} s, not a multiple of 1 ns`, { path: `/hardware_options/latency_corrections/${pc}`, hint: "use whole nanoseconds, e.g. 8e-9" });
    }
    ns.set(pc, v);
  }
  const min = ns.size > 0 ? Math.min(...ns.values()) : 0;
  for (const [pc, v] of ns) ns.set(pc, v - min);
  return ns;
}
