/**
 * Execution report of a job (QM's `job.execution_report()`): the runtime errors and warnings the
 * sequencers flagged (underflow, FIFO, illegal instruction, …), each mapped through the compiled
 * program's source map to the operation that emitted the offending Q1ASM line.
 */
import type { CompiledSchedule, SourceOperation } from "../../contract/compiled-schedule.js";
import { compiledSequencer, sourceOfLine } from "../../contract/source-map.js";
import type { SequencerRunStatus } from "../coordinator.js";

export interface ExecutionReportEntry {
  cluster: string;
  module: string;
  slot: number;
  sequencer: number;
  port_clock: string | null;
  severity: "error" | "warning";
  flags: string[];
  /** the instrument's status log of the sequencer */
  log: string;
  /** 1-based Q1ASM line named in the log, or null */
  line: number | null;
  /** the operation that emitted that line (from the source map), or null */
  operation: SourceOperation | null;
}

/** Flags that report normal completion, not problems. */
const BENIGN = /^(ACQ_BINNING_DONE|ACQ_SCOPE_DONE_PATH_\d|FORCED_STOP)$/;

export class ExecutionReport {
  readonly entries: ExecutionReportEntry[];

  constructor(entries: ExecutionReportEntry[] = []) {
    this.entries = entries;
  }

  static fromStatuses(compiled: CompiledSchedule, statuses: readonly SequencerRunStatus[]): ExecutionReport {
    const entries: ExecutionReportEntry[] = [];
    for (const s of statuses) {
      const warn = [...s.warnFlags, ...s.infoFlags].filter((f) => !BENIGN.test(f));
      const err = s.errFlags;
      const hasError = err.length > 0 || s.status === "ERROR";
      if (!hasError && warn.length === 0) continue;
      const line = Number(s.log.match(/line (\d+)/)?.[1] ?? NaN);
      const seq = compiledSequencer(compiled, s.cluster, s.module, s.sequencer);
      entries.push({
        cluster: s.cluster,
        module: s.module,
        slot: s.slot,
        sequencer: s.sequencer,
        port_clock: seq?.port_clock ?? null,
        severity: hasError ? "error" : "warning",
        flags: hasError ? (err.length > 0 ? [...err] : ["ERROR"]) : warn,
        log: s.log,
        line: Number.isFinite(line) ? line : null,
        operation: Number.isFinite(line) ? sourceOfLine(seq, line) : null,
      });
    }
    return new ExecutionReport(entries);
  }

  hasErrors(): boolean {
    return this.entries.some((e) => e.severity === "error");
  }
  errors(): ExecutionReportEntry[] {
    return this.entries.filter((e) => e.severity === "error");
  }

  /** One line per entry: where, flags, and the operation. */
  toString(): string {
    if (this.entries.length === 0) return "no runtime errors";
    return this.entries
      .map(
        (e) =>
          `${e.severity}: ${e.module} seq${e.sequencer}${e.port_clock ? ` (${e.port_clock})` : ""}: ${e.flags.join(", ")}` +
          (e.line !== null ? ` at line ${e.line}` : "") +
          (e.operation
            ? ` — operation "${e.operation.name}"${e.operation.label ? ` [${e.operation.label}]` : ""}`
            : ""),
      )
      .join("\n");
  }

  toJSON(): { has_errors: boolean; entries: ExecutionReportEntry[] } {
    return { has_errors: this.hasErrors(), entries: this.entries };
  }
}
