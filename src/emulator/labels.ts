/**
 * Operation labels for the waveform report, the plot and runtime errors, read from the source map the
 * compiler emits (contract/source-map.ts): an event's Q1ASM line names the operation that emitted it.
 * Acquisition windows also name their protocol and acq_channel (from the compiled acquisition layout).
 * Programs without a source map (raw sequences, other tools) have no labels.
 */
import type { AcquisitionChannelLayout, CompiledSchedule } from "../contract/compiled-schedule.js";
import { compiledSequencer, sourceOfLine } from "../contract/source-map.js";
import type { EmuEvent } from "./api.js";

const ACQUIRE_KINDS: ReadonlySet<EmuEvent["kind"]> = new Set(["acquire", "acquire_weighed", "acquire_ttl"]);

/** Labels the events of one compiled schedule: "<operation>", or "<protocol> <operation> (acq_channel <ch>)" for acquisitions. */
export class EventLabeler {
  /** acquisition layout by "cluster/module/sequencer/qblox index" */
  private readonly layouts = new Map<string, AcquisitionChannelLayout>();

  constructor(private readonly compiled: CompiledSchedule) {
    for (const l of Object.values(compiled.acquisitions))
      this.layouts.set(`${l.cluster}/${l.module}/${l.sequencer}/${l.qblox_index}`, l);
  }

  label(cluster: string, module: string, e: Pick<EmuEvent, "kind" | "sequencer" | "line" | "acqIndex">): string {
    if (e.line === undefined) return "";
    const op = sourceOfLine(compiledSequencer(this.compiled, cluster, module, e.sequencer), e.line);
    if (!op) return "";
    if (!ACQUIRE_KINDS.has(e.kind) || e.acqIndex === undefined) return op.name;
    const layout = this.layouts.get(`${cluster}/${module}/${e.sequencer}/${e.acqIndex}`);
    if (!layout) return op.name;
    // an acquisition without a name of its own is named by its protocol: say it once
    const what = op.name === layout.protocol ? op.name : `${layout.protocol} ${op.name}`;
    return `${what} (acq_channel ${layout.acq_channel})`;
  }
}
