/**
 * Reading the source map the compiler emits per sequencer (compiled-schedule.ts SourceMapSchema):
 * program line → the operation that emitted it. Compiled schedules written by other tools have no
 * source map; every lookup then answers null (callers show no label and name the line only).
 */
import type { CompiledSchedule, CompiledSequencer, SourceOperation } from "./compiled-schedule.js";

/** The operation that emitted 1-based program `line` of `seq`, or null (no source map, or a line no operation owns). */
export function sourceOfLine(
  seq: Pick<CompiledSequencer, "source_map"> | undefined,
  line: number,
): SourceOperation | null {
  const map = seq?.source_map;
  if (!map) return null;
  const k = map.lines[line - 1] ?? -1;
  return k < 0 ? null : (map.operations[k] ?? null);
}

/** Sequencer `index` of `module` in `cluster` of a compiled schedule. */
export function compiledSequencer(
  compiled: CompiledSchedule,
  cluster: string,
  module: string,
  index: number,
): CompiledSequencer | undefined {
  const mod = compiled.clusters[cluster]?.modules[module];
  return mod ? Object.values(mod.sequencers).find((s) => s.index === index) : undefined;
}
