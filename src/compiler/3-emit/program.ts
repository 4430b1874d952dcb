/**
 * Stage 5: one Q1ASM program per sequencer (reference 4.2–4.8). The skeleton is quantify's; each
 * operation kind is emitted by its strategy in ../strategies.ts.
 */
import { Q1ForgeError, ResourceLimitError, TimingError } from "../../core/errors.js";
import { imm, lbl, reg } from "../../q1/types.js";
import type { ScheduleOp } from "../../schedule/model.js";
import { ProgramBuilder, type OpRef } from "./builder.js";
import { debugMarkers, emitOperation, isParameterOp, isRealTimeIo, markerDefault, type EmitContext, type TimelineItem } from "./strategies.js";
import { qasmHook } from "./hooks.js";
import { assembleInstructions } from "../../q1/assembler.js";
import type { Instruction } from "../../q1/types.js";
import type { AcqChannelPlan, AssignedSchedule, CompileWarning, FrequencyPlan, SeqNode, SequencerPlan, WaveformPlan } from "../ir/plan.js";

export interface SequencerProgram {
  key: string;
  builder: ProgramBuilder;
  registersUsed: number;
}

export interface ProgramOptions {
  /** relative latency correction per port-clock, ns */
  latencyNs: (portClock: string) => number;
  /** "error" (default) rejects programs over the module's instruction memory; "warn" reports it */
  instructionLimit: "error" | "warn";
  warnings: CompileWarning[];
  rfOutputOn: (seq: SequencerPlan) => boolean;
  /** marker_debug_mode_enable of the sequencer's channel (reference 3.8) */
  markerDebug?: (seq: SequencerPlan) => boolean;
  /** name of the registered Q1ASM hook for the sequencer's port-clock, or null */
  qasmHookName?: (seq: SequencerPlan) => string | null;
}

export function generatePrograms(assigned: AssignedSchedule, freqs: FrequencyPlan, waves: WaveformPlan, opts: ProgramOptions): Map<string, SequencerProgram> {
  const out = new Map<string, SequencerProgram>();
  const channelsBySeq = new Map<string, AcqChannelPlan[]>();
  for (const ch of assigned.acqChannels) {
    const l = channelsBySeq.get(ch.sequencerKey);
    if (l) l.push(ch); else channelsBySeq.set(ch.sequencerKey, [ch]);
  }
  for (const seq of assigned.sequencers) {
    out.set(seq.key, sequencerProgram(seq, assigned, freqs, waves, channelsBySeq.get(seq.key) ?? [], opts));
  }
  return out;
}

function sequencerProgram(
  seq: SequencerPlan,
  assigned: AssignedSchedule,
  freqs: FrequencyPlan,
  waves: WaveformPlan,
  channels: AcqChannelPlan[],
  opts: ProgramOptions,
): SequencerProgram {
  const where = `${seq.key} (${seq.route.portClock})`;
  const b = new ProgramBuilder(where, seq.spec.registers, seq.spec.maxInstructions);
  const header: OpRef = { name: "program header", path: null };
  const defaultMarker = markerDefault(seq, opts.rfOutputOn(seq));

  b.emit("set_mrk", [imm(defaultMarker)], `set markers to ${defaultMarker} (init)`, header);
  b.emitRt("wait_sync", [], 4, undefined, header);
  b.emitRt("upd_param", [], 4, undefined, header);
  const binRegister = new Map<string, number>();
  for (const ch of channels) {
    if (ch.binMode !== "append" || ch.protocol === "Trace") continue;
    const r = b.registers.allocate({ name: `acq_channel ${ch.channel}`, path: null });
    binRegister.set(ch.channel, r);
    b.emit("move", [imm(0), reg(r)], `Initialize acquisition bin_idx for acq_channel ${ch.channel}`, header);
  }
  const latency = opts.latencyNs(seq.route.portClock);
  b.emitRt("wait", [], 4 + latency, `latency correction of 4 + ${latency} ns`, header);
  const repReg = b.registers.allocate({ name: "repetition loop", path: null });
  b.emit("move", [imm(assigned.timed.repetitions), reg(repReg)], "iterator for loop with label start", header);
  b.label("start");
  b.emit("reset_ph", [], undefined, header);
  b.emitRt("upd_param", [], 4, undefined, header);
  // The header and the loop header's 4 ns are not part of the schedule's time (reference 4.2).
  b.resetClock();

  const ctx: EmitContext = {
    b,
    seq,
    freq: freqs.bySequencer.get(seq.key)!,
    waves: waves.bySequencer.get(seq.key)!,
    channelOf: new Map(channels.map((c) => [c.channel, c])),
    binRegister,
    defaultMarker,
    debugMarkers: opts.markerDebug?.(seq) ? debugMarkers(seq) : null,
    tempRegisters: null,
    lastGain: null,
    lastPlayEnd: { t: -Infinity, by: null },
    lastAcqStart: { t: -Infinity, by: null },
    lastFreqUpdate: -Infinity,
    lastPhaseUpdate: -Infinity,
    warnings: opts.warnings,
  };
  emitNodes(seq.nodes, ctx);

  const total = assigned.timed.durationNs;
  const endRef: OpRef = { name: "end of repetition", path: null };
  if (b.now > total) {
    throw new TimingError("PROGRAM_LONGER_THAN_REPETITION", `the program of ${where} runs until ${b.now} ns, past the end of the repetition at ${total} ns (a parameter operation at the very end needs a 4 ns upd_param)`, {
      hint: "extend the schedule, e.g. with an IdlePulse of at least 4 ns at the end",
    });
  }
  b.waitUntil(total, endRef);
  b.emit("loop", [reg(repReg), lbl("start")], undefined, endRef);
  b.emit("stop", [], undefined, endRef);

  if (b.limitCrossedBy) {
    const msg = `program of ${where} has ${b.count} instructions, over the ${seq.moduleType} limit of ${seq.spec.maxInstructions}; the limit was crossed at "${b.limitCrossedBy.name}"`;
    if (opts.instructionLimit === "error") {
      throw new ResourceLimitError("INSTRUCTION_LIMIT_EXCEEDED", msg, { path: b.limitCrossedBy.path, hint: "wrap repeated blocks in a LoopOperation instead of unrolling them" });
    }
    opts.warnings.push({ code: "INSTRUCTION_LIMIT_EXCEEDED", message: msg, path: b.limitCrossedBy.path });
  }
  const hookName = opts.qasmHookName?.(seq) ?? null;
  if (hookName !== null) applyHook(b, seq, hookName);
  return { key: seq.key, builder: b, registersUsed: b.registers.peak };
}

/** Replace the builder's instructions by the hook's result, keeping the source map aligned. */
function applyHook(b: ProgramBuilder, seq: SequencerPlan, name: string): void {
  const fn = qasmHook(name, seq.route.portClock);
  const sourceOf = new Map(b.instructions.map((ins, i) => [ins, b.sources[i]!]));
  const hookRef: OpRef = { name: `qasm_hook_func ${name}`, path: `/hardware_options/sequencer_options/${seq.route.portClock}/qasm_hook_func` };
  let edited: Instruction[];
  try {
    edited = fn(b.instructions.slice(), { cluster: seq.cluster, moduleName: seq.moduleName, moduleType: seq.moduleType, sequencer: seq.index, portClock: seq.route.portClock });
    // The hook's program must still be valid Q1ASM for this module (operands, labels, limits, stop).
    assembleInstructions(edited, { moduleType: seq.moduleType });
  } catch (e) {
    const what = e instanceof Q1ForgeError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Q1ForgeError("QASM_HOOK_FAILED", `Q1ASM hook "${name}" failed for ${seq.key} (${seq.route.portClock}): ${what}`, {
      path: hookRef.path,
      hint: "the hook must return a valid instruction list; operands are shared and frozen, so replace them instead of mutating",
      cause: e,
    });
  }
  b.instructions.splice(0, b.instructions.length, ...edited);
  b.sources.splice(0, b.sources.length, ...edited.map((ins) => sourceOf.get(ins) ?? hookRef));
  b.count = edited.filter((ins) => ins.mnemonic !== "").length;
}

/** Expand marker pulses into edges, keeping time order (stable). */
function timeline(nodes: SeqNode[]): TimelineItem[] {
  if (!nodes.some((n) => n.kind === "op" && n.op.type === "MarkerPulse")) return nodes;
  const items: TimelineItem[] = [];
  let needsSort = false;
  for (const n of nodes) {
    if (n.kind === "loop") { items.push(n); continue; }
    if (n.op.type === "MarkerPulse") {
      items.push({ kind: "marker", startNs: n.startNs, high: true, op: n.op });
      items.push({ kind: "marker", startNs: n.startNs + n.op.durationNs, high: false, op: n.op });
      needsSort = true;
    } else items.push(n);
  }
  if (needsSort) {
    items.sort((x, y) => x.startNs - y.startNs); // Array.prototype.sort is stable (ES2019)
  }
  return items;
}

/**
 * Whether the first real-time instruction of a loop body at time `t` is a play/acquire (after any
 * parameter instructions at `t`): that instruction then commits parameters latched just before the
 * loop, so no upd_param (which would take the loop's first 4 ns) is needed.
 */
function startsWithRealTimeIo(nodes: SeqNode[], t: number, ctx: EmitContext): boolean {
  for (const it of timeline(nodes)) {
    if (it.startNs !== t) return false;
    if (it.kind === "loop") return startsWithRealTimeIo(it.body, t, ctx);
    if (isRealTimeIo(it, ctx)) return true;
    if (!isParameterOp(it)) return false;
  }
  return false;
}

function opOf(it: TimelineItem): ScheduleOp | null {
  return it.kind === "op" || it.kind === "marker" ? it.op : null;
}

function emitNodes(nodes: SeqNode[], ctx: EmitContext): void {
  const items = timeline(nodes);
  const b = ctx.b;
  // A parameter instruction is committed by an upd_param unless a play/acquire follows at the same time (reference 3.10).
  let pending: { t: number; by: OpRef } | null = null;
  const flush = (): void => {
    if (!pending) return;
    b.emitRt("upd_param", [], 4, undefined, pending.by);
    pending = null;
  };
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.kind === "loop") {
      // A parameter change right at the loop start is committed by the body's first play/acquire.
      if (pending && pending.t === it.startNs && startsWithRealTimeIo(it.body, it.startNs, ctx)) pending = null;
      else flush();
      const by = { name: it.name, path: it.path };
      b.waitUntil(it.startNs, by, "loop");
      if (it.bodyDurationNs <= 0) throw new TimingError("EMPTY_LOOP", `loop "${it.name}" has a body of ${it.bodyDurationNs} ns`, { path: it.path, hint: "a loop body needs a positive duration" });
      const r = b.registers.allocate(by);
      const name = `loop${b.count}`;
      b.emit("move", [imm(it.repetitions), reg(r)], `iterator for loop with label ${name}`, by);
      b.label(name);
      b.enterLoop();
      ctx.lastGain = null;
      emitNodes(it.body, ctx);
      b.waitUntil(it.startNs + it.bodyDurationNs, by, "end of loop body of");
      b.emit("loop", [reg(r), lbl(name)], undefined, by);
      b.exitLoop(it.repetitions);
      b.registers.release(r);
      ctx.lastGain = null;
      continue;
    }
    const op = opOf(it)!;
    const by: OpRef = op;
    if (pending && (it.startNs !== pending.t || !(isParameterOp(it) || isRealTimeIo(it, ctx)))) flush();
    if (it.startNs < b.now && isParameterOp(it)) {
      throw new TimingError("PARAMETER_AFTER_REALTIME", `parameter operation "${op.name}" at ${it.startNs} ns comes after a real-time instruction on ${ctx.seq.key} that occupies the sequencer until ${b.now} ns`, {
        path: op.path,
        hint: "schedule clock/offset/marker operations before (or ≥ 4 ns after) pulses that start at the same time",
      });
    }
    b.waitUntil(it.startNs, by);
    const committed = emitOperation(it, ctx);
    if (committed === "needs-update") pending = { t: it.startNs, by };
    else if (isRealTimeIo(it, ctx)) pending = null; // play/acquire commit the latched parameters
    const next = items[i + 1];
    if (pending && next && next.kind === "loop" && next.startNs === pending.t && !startsWithRealTimeIo(next.body, pending.t, ctx)) {
      throw new TimingError("PARAMETER_AT_CONTROL_FLOW_BOUNDARY", `parameter operation "${op.name}" at ${it.startNs} ns is at the same time as the start of loop "${next.name}", whose body does not start with a pulse or acquisition that could apply it`, {
        path: op.path,
        hint: "move the operation into the loop body or ≥ 4 ns before the loop",
      });
    }
  }
  flush();
}
