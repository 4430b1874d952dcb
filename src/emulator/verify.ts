/**
 * The emulator as the compiler's verifier (injected by src/compile.ts for `compile(..., {verify: true})`):
 * run every compiled program in the emulator (no rendering) and turn the first sequencer that stops
 * with status ERROR into an EmulationError naming the Q1ASM line and, through the program's source
 * map, the operation at fault. Warnings (OUTPUT_OVERFLOW, …) are not errors here.
 */
import type { CompiledSchedule, SourceOperation } from "../contract/compiled-schedule.js";
import { compiledModuleToDriverInput } from "../contract/driver-params.js";
import { compiledSequencer, sourceOfLine } from "../contract/source-map.js";
import { EmulationError } from "../core/errors.js";
import { runCluster } from "./cluster.js";

/** @deprecated verifyCompiled reads the source map from the compiled schedule; pass options only. */
/** Stable error code and fix hint per Qblox error flag (reference 9.2). */
const FLAG_CODES: Readonly<Record<string, { code: string; hint: string }>> = {
  SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW: {
    code: "RT_UNDERFLOW",
    hint: "the Q1 core fell behind the real-time timeline: give the operation more time (longer waits between short real-time instructions) or move classical instructions out of the tight loop",
  },
  SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION: {
    code: "Q1_ILLEGAL_INSTRUCTION",
    hint: "the program contains an instruction the sequencer cannot execute, or runs past its end; check the Q1ASM around this line",
  },
  SEQUENCE_PROCESSOR_RT_EXEC_ILLEGAL_INSTRUCTION: {
    code: "RT_ILLEGAL_INSTRUCTION",
    hint: "a real-time instruction has an invalid argument; check the Q1ASM around this line",
  },
  AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_0: {
    code: "WAVEFORM_INDEX_INVALID",
    hint: "the play instruction refers to a waveform index that is not uploaded; add it to sequence.waveforms",
  },
  AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_1: {
    code: "WAVEFORM_INDEX_INVALID",
    hint: "the play instruction refers to a waveform index that is not uploaded; add it to sequence.waveforms",
  },
  ACQ_WEIGHT_PLAYBACK_INDEX_INVALID_PATH_0: {
    code: "WEIGHT_INDEX_INVALID",
    hint: "the acquire_weighed instruction refers to a weight index that is not uploaded; add it to sequence.weights",
  },
  ACQ_WEIGHT_PLAYBACK_INDEX_INVALID_PATH_1: {
    code: "WEIGHT_INDEX_INVALID",
    hint: "the acquire_weighed instruction refers to a weight index that is not uploaded; add it to sequence.weights",
  },
  ACQ_INDEX_INVALID: {
    code: "ACQ_INDEX_INVALID",
    hint: "the acquisition index is not declared in sequence.acquisitions; declare it",
  },
  ACQ_BIN_INDEX_INVALID: {
    code: "ACQ_BIN_INDEX_INVALID",
    hint: "the bin index exceeds num_bins of the acquisition; declare more bins (APPEND needs repetitions × acquisitions)",
  },
  FORCED_STOP: {
    code: "FORCED_STOP",
    hint: "the program did not stop within the emulator's instruction guard; check for an endless loop",
  },
};

export function flagCode(flag: string): { code: string; hint: string } {
  return (
    FLAG_CODES[flag] ?? {
      code: flag.replace(/^SEQUENCE_PROCESSOR_/, ""),
      hint: "see the Qblox sequencer flag documentation for this flag",
    }
  );
}

export interface VerifyOptions {
  /** executed-instruction guard per sequencer (default: the emulator's 50 M) */
  maxInstructions?: number;
}

export interface SequencerFailure {
  cluster: string;
  module: string;
  sequencer: number;
  portClock: string;
  flags: string[];
  line: number | null;
  lineText: string | null;
  log: string[];
}

/** Run every cluster of `compiled` and return the sequencers that ended with status ERROR. */
export function findRuntimeErrors(compiled: CompiledSchedule, opts: VerifyOptions = {}): SequencerFailure[] {
  const failures: SequencerFailure[] = [];
  for (const [clusterName, cluster] of Object.entries(compiled.clusters)) {
    const names = Object.keys(cluster.modules);
    const inputs = names.map((n) => compiledModuleToDriverInput(cluster.modules[n]!));
    const run = runCluster(inputs, {
      skipSignals: true,
      ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
      ...(compiled.feedback?.router[clusterName] ? { linq: compiled.feedback.router[clusterName] } : {}),
    });
    run.modules.forEach((m, i) => {
      const name = names[i]!;
      for (const s of m.sequencers) {
        if (s.status.status !== "ERROR") continue;
        const seq = Object.values(cluster.modules[name]!.sequencers).find((c) => c.index === s.index);
        const line = s.errorLine ?? null;
        const text =
          line !== null ? (seq?.sequence.program.split(/\r?\n/)[line - 1]?.replace(/#.*$/, "").trim() ?? null) : null;
        failures.push({
          cluster: clusterName,
          module: name,
          sequencer: s.index,
          portClock: seq?.port_clock ?? "?",
          flags: s.status.err_flags,
          line,
          lineText: text,
          log: s.status.log,
        });
      }
    });
  }
  return failures;
}

/**
 * A sequencer stopped (endless wait after `wait 0`, or an RT underflow) while its Q1 core was blocked
 * in fb_pop_data / fb_pull_data: the hint names the blocked instruction and the missing LINQ data.
 */
function blockedPopHint(f: SequencerFailure): { code: string; hint: string } | null {
  const flag = f.flags[0];
  if (flag !== "FORCED_STOP" && flag !== "SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW") return null;
  const m = /^(?:[\w.]+:\s*)?(fb_pop_data|fb_pull_data)\b\s*([^,\s]*)/.exec(f.lineText ?? "");
  if (!m) return null;
  const at = `\`${f.lineText}\` (line ${f.line})`;
  return {
    code: flagCode(flag).code,
    hint:
      m[1] === "fb_pop_data"
        ? `the sequencer is blocked in ${at}: no LINQ data was routed to id ${m[2]} for it; route id ${m[2]} to this sequencer (ids 16–255 need a route) and check that the source sends with that id`
        : `the sequencer is blocked in ${at}: no LINQ data was routed to it; route the source's id to this sequencer and check that the source sends`,
  };
}

/** The EmulationError for one failing sequencer (shared by verify and the simulate CLI). */
export function failureError(
  f: SequencerFailure,
  source: { name: string; path: string | null } | null,
  more = 0,
): EmulationError {
  const flag = f.flags[0] ?? "UNKNOWN";
  const { code, hint } = blockedPopHint(f) ?? flagCode(flag);
  const where = f.line !== null ? ` at Q1ASM line ${f.line}${f.lineText ? ` (\`${f.lineText}\`)` : ""}` : "";
  const op = source ? ` emitted for operation "${source.name}"` : "";
  const msg =
    `${f.module} sequencer ${f.sequencer} (${f.portClock}) stopped with ${f.flags.join(", ")}${where}${op}` +
    (more > 0 ? `; ${more} more sequencer(s) failed too` : "");
  return new EmulationError(code, msg, {
    path: source?.path ?? `${f.cluster}/${f.module}/seq${f.sequencer}${f.line !== null ? `/line ${f.line}` : ""}`,
    hint,
    details: {
      cluster: f.cluster,
      module: f.module,
      sequencer: f.sequencer,
      port_clock: f.portClock,
      flags: f.flags,
      line: f.line,
      log: f.log,
      ...(source ? { operation: source.name } : {}),
    },
  });
}

/** The operation that emitted the failing line, from the compiled source map (null without one). */
export function failureSource(compiled: CompiledSchedule, f: SequencerFailure): SourceOperation | null {
  return f.line === null ? null : sourceOfLine(compiledSequencer(compiled, f.cluster, f.module, f.sequencer), f.line);
}

/**
 * Throws an EmulationError for the first sequencer that ends with status ERROR (code per flag, e.g.
 * RT_UNDERFLOW; message with module, sequencer, port-clock, flag, Q1ASM line and, when the compiled
 * schedule has a source map, the operation and its JSON path).
 */
export function verifyCompiled(compiled: CompiledSchedule, opts: VerifyOptions = {}): void {
  const failures = findRuntimeErrors(compiled, opts);
  const first = failures[0];
  if (!first) return;
  throw failureError(first, failureSource(compiled, first), failures.length - 1);
}
