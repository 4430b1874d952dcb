/**
 * The compiled schedule (src/contract/) assembled from the plan and the emit passes' outputs, with
 * the per-sequencer resource report.
 */
import type { CompiledSchedule } from "../../contract/compiled-schedule.js";
import type { CompileWarning, ProgramPlan, SequencerWaveforms } from "../ir/plan.js";
import type { SequencerProgram } from "./program.js";
import type { SettingsResult } from "./settings.js";
import { feedbackSection, feedbackWaitDiagnostics } from "./feedback.js";
import { Q1FORGE_VERSION } from "../../core/version.js";

export function compiledSchedule(
  plan: ProgramPlan,
  waves: readonly SequencerWaveforms[],
  programs: readonly SequencerProgram[],
  settings: SettingsResult,
  warnings: CompileWarning[],
  stageMs: Record<string, number>,
): CompiledSchedule {
  const binsBySeq = plan.sequencers.map(() => 0);
  for (const ch of plan.acqChannels) binsBySeq[ch.sequencer]! += ch.numBins;
  const resources = plan.sequencers.map((seq, i) => ({
    cluster: seq.cluster,
    module: seq.moduleName,
    sequencer: seq.index,
    port_clock: seq.route.portClock,
    instructions: programs[i]!.instructionCount,
    instruction_limit: seq.spec.maxInstructions,
    waveform_samples: waves[i]!.totalSamples,
    waveform_sample_limit: seq.spec.waveformSampleLimit,
    registers: programs[i]!.registersUsed,
    register_limit: seq.spec.registers,
    bins: binsBySeq[i]!,
    bin_limit: seq.spec.maxBins,
  }));
  const feedback = feedbackSection(plan);
  const waits = feedbackWaitDiagnostics(plan);
  return {
    format: "q1forge.compiled-schedule",
    version: 1,
    compiler_version: Q1FORGE_VERSION,
    name: plan.timed.name,
    repetitions: plan.timed.repetitions,
    repetition_duration_ns: plan.timed.durationNs,
    clusters: settings.clusters,
    local_oscillators: settings.localOscillators,
    acquisitions: settings.acquisitions,
    ...(feedback ? { feedback } : {}),
    diagnostics: { warnings, stage_ms: stageMs, resources, ...(waits ? { feedback_waits: waits } : {}) },
  };
}
