/**
 * Q1ASM programs, one per sequencer (reference 4.2–4.8). The skeleton is quantify's; each operation
 * is emitted by its handler in ../ops/. Output per sequencer: the instruction list, the IR node of
 * every line (the source map) and the resources used.
 */
import { ResourceLimitError, TimingError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import { InstructionTable } from "../../q1/intern.js";
import { imm, lbl, reg, type Instruction } from "../../q1/types.js";
import type { IrNode } from "../ir/nodes.js";
import type { AcqChannelPlan, CompileWarning, ProgramPlan, SequencerPlan, SequencerWaveforms } from "../ir/plan.js";
import { handlerOf, isAcquisition, isWaveformPulse, type EmitContext, type TimelineItem } from "../ops/index.js";
import { debugMarkers, markerDefault } from "../ops/emit-context.js";
import { ProgramBuilder, type OpRef } from "./builder.js";
import { checkProgramAssembles } from "./final-check.js";
import { applyHook, type QasmHooks } from "./hooks.js";
import { headerFrequencyReset } from "./frequency-reset.js";
import { emitSweep, sweepOverrides, sweepRecords, type SweepEmitRecord } from "./sweeps.js";
import { beforeAcquisition, emitConditional, headerTbId } from "./feedback.js";
import { emitLatchEnable, emitTriggerConditional } from "./trigger-network.js";

/** Phase 3 program output of one sequencer (plain data). */
export interface SequencerProgram {
  instructions: Instruction[];
  /** IR node id per program line (index = line − 1), −1 for lines no operation owns */
  lineNodes: number[];
  /** executable instructions (rows with a mnemonic) */
  instructionCount: number;
  registersUsed: number;
  /** register sweeps emitted on this sequencer: cost and played values per parameter (3-emit/sweeps.ts) */
  sweeps?: SweepEmitRecord[];
}

export interface ProgramOptions {
  /** "error" rejects programs over the module's instruction memory; "warn" reports it */
  instructionLimit: "error" | "warn";
  qasmHooks: QasmHooks;
}

/** Output aligned with `plan.sequencers`. */
export function generatePrograms(
  plan: ProgramPlan,
  waves: readonly SequencerWaveforms[],
  hw: HardwareSetup,
  opts: ProgramOptions,
  warnings: CompileWarning[],
): SequencerProgram[] {
  const channelsBySeq = plan.sequencers.map((): AcqChannelPlan[] => []);
  for (const ch of plan.acqChannels) channelsBySeq[ch.sequencer]!.push(ch);
  const table = new InstructionTable(); // the programs of one compilation share their rows
  return plan.sequencers.map((seq, i) =>
    sequencerProgram(seq, i, plan, waves[i]!, channelsBySeq[i]!, hw, opts, warnings, table),
  );
}

function sequencerProgram(
  seq: SequencerPlan,
  i: number,
  plan: ProgramPlan,
  waves: SequencerWaveforms,
  channels: AcqChannelPlan[],
  hw: HardwareSetup,
  opts: ProgramOptions,
  warnings: CompileWarning[],
  table: InstructionTable,
): SequencerProgram {
  const where = `${seq.key} (${seq.route.portClock})`;
  const b = new ProgramBuilder(where, seq.spec.registers, seq.spec.maxInstructions, table);
  const header: OpRef = { name: "program header", path: null };
  const rfOutputOn = seq.spec.isRF && (hw.model.module(seq.cluster, seq.slot)?.rfOutputOn ?? true);
  const defaultMarker = markerDefault(seq, rfOutputOn);

  b.emit("set_mrk", [imm(defaultMarker)], `set markers to ${defaultMarker} (init)`, header);
  emitLatchEnable(plan, i, b, header);
  b.emitRt("wait_sync", [], 4, undefined, header);
  b.emitRt("upd_param", [], 4, undefined, header);
  const binRegister = new Map<string, number>();
  for (const ch of channels) {
    if (ch.binMode !== "append" || ch.protocol === "Trace") continue;
    const r = b.registers.allocate({ name: `acq_channel ${ch.channel}`, path: null });
    binRegister.set(ch.channel, r);
    b.emit("move", [imm(0), reg(r)], `Initialize acquisition bin_idx for acq_channel ${ch.channel}`, header);
  }
  const latency = plan.latencyNs[i]!;
  const feedback = plan.feedback ? { plan: plan.feedback, sequencer: i } : undefined;
  const tbId = feedback ? headerTbId({ feedback } as EmitContext) : 0;
  if (tbId === 0) b.emitRt("wait", [], 4 + latency, `latency correction of 4 + ${latency} ns`, header);
  else
    b.emitRt(
      "fb_acq_tb_id",
      [imm(tbId)],
      4 + latency,
      `LINQ: share thresholded bits with id ${tbId}; latency correction of 4 + ${latency} ns`,
      header,
    );
  const repReg = b.registers.allocate({ name: "repetition loop", path: null });
  b.emit("move", [imm(plan.timed.repetitions), reg(repReg)], "iterator for loop with label start", {
    name: "repetitions",
    path: "/repetitions",
  });
  b.label("start");
  b.emit("reset_ph", [], undefined, header);
  const facts = nodeFacts(seq);
  const freqReset = headerFrequencyReset(seq, plan.frequencies.bySequencer[i]!, facts.setsFrequency);
  if (freqReset) b.emit("set_freq", [imm(freqReset.steps)], `every repetition starts at ${freqReset.hz} Hz`, header);
  b.emitRt("upd_param", [], 4, undefined, header);
  // The header and the loop header's 4 ns are not part of the schedule's time (reference 4.2).
  b.resetClock();

  const ctx: EmitContext = {
    b,
    seq,
    freq: plan.frequencies.bySequencer[i]!,
    waves,
    channelOf: new Map(channels.map((c) => [c.channel, c])),
    binRegister,
    defaultMarker,
    debugMarkers: hw.model.channel(seq.cluster, seq.slot, seq.route.channelName).markerDebugModeEnable
      ? debugMarkers(seq)
      : null,
    tempRegisters: null,
    lastGain: null,
    lastPlayEnd: { t: -Infinity, by: null },
    playOperands: [],
    hasMarkerPulses: facts.hasMarkerPulses,
    lastAcqStart: { t: -Infinity, by: null },
    lastFreqUpdate: -Infinity,
    lastPhaseUpdate: -Infinity,
    warnings,
    ...(feedback ? { feedback } : {}),
    ...(plan.triggerNetwork ? { triggerNetwork: plan.triggerNetwork } : {}),
  };
  emitNodes(seq.nodes, ctx);
  b.currentNode = -1;

  const total = plan.timed.durationNs;
  const endRef: OpRef = { name: "end of repetition", path: null };
  if (b.now > total) {
    throw new TimingError(
      "PROGRAM_LONGER_THAN_REPETITION",
      `the program of ${where} runs until ${b.now} ns, past the end of the repetition at ${total} ns (a parameter operation at the very end needs a 4 ns upd_param)`,
      {
        path: seq.route.portClock,
        hint: "extend the schedule, e.g. with an IdlePulse of at least 4 ns at the end",
      },
    );
  }
  b.waitUntil(total, endRef);
  b.emit("loop", [reg(repReg), lbl("start")], undefined, endRef);
  b.emit("stop", [], undefined, endRef);

  if (b.limitCrossedBy) {
    const msg = `program of ${where} has ${b.count} instructions, over the ${seq.moduleType} limit of ${seq.spec.maxInstructions}; the limit was crossed at "${b.limitCrossedBy.name}"`;
    if (opts.instructionLimit === "error") {
      throw new ResourceLimitError("INSTRUCTION_LIMIT_EXCEEDED", msg, {
        path: b.limitCrossedBy.path,
        hint: "wrap repeated blocks in a LoopOperation instead of unrolling them",
      });
    }
    warnings.push({ code: "INSTRUCTION_LIMIT_EXCEEDED", message: msg, path: b.limitCrossedBy.path });
  }
  const lineNodes = b.lineNodes;
  checkProgramAssembles(b.instructions, lineNodes, seq.nodes, where, opts.instructionLimit);
  const program: SequencerProgram = {
    instructions: b.instructions,
    lineNodes,
    instructionCount: b.count,
    registersUsed: b.registers.peak,
    sweeps: sweepRecords(ctx),
  };
  const hookName = hw.model.portClock(seq.route.portClock).qasmHookFunc;
  return hookName === null ? program : applyHook(program, seq, hookName, opts.qasmHooks);
}

/** What the header and the timeline need to know about a sequencer's nodes: one walk, not one per question. */
interface NodeFacts {
  setsFrequency: boolean;
  hasMarkerPulses: boolean;
}

/** From the types 2-plan/sequencers noted for the list (`opTypes`), else from one walk of it. */
function nodeFacts(seq: SequencerPlan): NodeFacts {
  const types = seq.opTypes;
  if (types === undefined) return scanNodes(seq.nodes, { setsFrequency: false, hasMarkerPulses: false });
  return { setsFrequency: types.includes("SetClockFrequency"), hasMarkerPulses: types.includes("MarkerPulse") };
}

function scanNodes(nodes: readonly IrNode[], facts: NodeFacts): NodeFacts {
  for (let i = 0; i < nodes.length && !(facts.setsFrequency && facts.hasMarkerPulses); i++) {
    const node = nodes[i]!;
    if (node.kind !== "op") scanNodes(node.body, facts);
    else if (node.op.type === "SetClockFrequency") facts.setsFrequency = true;
    else if (node.op.type === "MarkerPulse") facts.hasMarkerPulses = true;
  }
  return facts;
}

/** Expand marker pulses into edges, keeping time order (stable); `markers` false: the program has none. */
function timeline(nodes: IrNode[], markers = true): TimelineItem[] {
  if (!markers || !nodes.some((n) => n.kind === "op" && n.op.type === "MarkerPulse")) return nodes;
  const items: TimelineItem[] = [];
  let needsSort = false;
  for (const n of nodes) {
    if (n.kind !== "op") {
      items.push(n);
      continue;
    }
    if (n.op.type === "MarkerPulse") {
      items.push({ kind: "marker", id: n.id, startNs: n.startNs, high: true, op: n.op });
      items.push({ kind: "marker", id: n.id, startNs: n.startNs + n.op.durationNs, high: false, op: n.op });
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
function startsWithRealTimeIo(nodes: IrNode[], t: number): boolean {
  for (const it of timeline(nodes)) {
    if (it.startNs !== t) return false;
    if (it.kind === "loop" || it.kind === "sweep") return startsWithRealTimeIo(it.body, t);
    if (it.kind === "conditional") return false;
    if (isRealTimeIo(it)) return true;
    if (!isParameterItem(it)) return false;
  }
  return false;
}

/**
 * Whether a sweep body commits parameters at `t` itself (a play/acquire, or a parameter operation
 * whose upd_param then commits the ones latched before the sweep too): every point re-latches them.
 */
function commitsAt(nodes: IrNode[], t: number): boolean {
  for (const it of timeline(nodes)) {
    if (it.startNs !== t) return false;
    if (it.kind === "loop" || it.kind === "sweep") return commitsAt(it.body, t);
    if (it.kind === "conditional") return false;
    if (isRealTimeIo(it) || isParameterItem(it)) return true;
  }
  return false;
}

/** A parameter instruction: committed by upd_param or the next play / acquire (reference 3.10). */
function isParameterItem(it: TimelineItem): boolean {
  return it.kind === "marker" || (it.kind === "op" && handlerOf(it.op).family === "parameter");
}

/** play / acquire (they commit latched parameters themselves). */
function isRealTimeIo(it: TimelineItem): boolean {
  return it.kind === "op" && (isWaveformPulse(it.op) || isAcquisition(it.op));
}

function emitNodes(nodes: IrNode[], ctx: EmitContext): void {
  const items = timeline(nodes, ctx.hasMarkerPulses);
  const b = ctx.b;
  // register-sweep overrides of operations (registered by emitSweep before it emits a body)
  let overrides = sweepOverrides(ctx);
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
      if (pending && pending.t === it.startNs && startsWithRealTimeIo(it.body, it.startNs)) pending = null;
      else flush();
      const by = { name: it.name, path: it.path };
      b.currentNode = it.id;
      b.waitUntil(it.startNs, by, "loop");
      if (it.bodyDurationNs <= 0)
        throw new TimingError("EMPTY_LOOP", `loop "${it.name}" has a body of ${it.bodyDurationNs} ns`, {
          path: it.path,
          hint: "a loop body needs a positive duration",
        });
      const r = b.registers.allocate(by);
      const name = `loop${b.count}`;
      b.emit("move", [imm(it.repetitions), reg(r)], `iterator for loop with label ${name}`, by);
      b.label(name);
      b.enterLoop();
      ctx.lastGain = null;
      emitNodes(it.body, ctx);
      b.currentNode = it.id;
      b.waitUntil(it.startNs + it.bodyDurationNs, by, "end of loop body of");
      b.emit("loop", [reg(r), lbl(name)], undefined, by);
      b.exitLoop(it.repetitions);
      b.registers.release(r);
      ctx.lastGain = null;
      continue;
    }
    if (it.kind === "sweep") {
      // a parameter change right at the sweep start is committed by the body's first play/acquire
      if (pending && pending.t === it.startNs && commitsAt(it.body, it.startNs)) pending = null;
      else flush();
      emitSweep(it, ctx, emitNodes);
      overrides = sweepOverrides(ctx);
      continue;
    }
    if (it.kind === "conditional") {
      flush();
      (ctx.triggerNetwork ? emitTriggerConditional : emitConditional)(it, ctx, emitNodes);
      continue;
    }
    const op = it.op;
    const by: OpRef = op;
    // one handler lookup per item (a marker edge's MarkerPulse is a parameter operation)
    const handler = handlerOf(op);
    const family = handler.family;
    const isParameter = family === "parameter";
    const isRealTime = it.kind === "op" && (family === "pulse" || family === "acquisition");
    if (pending && (it.startNs !== pending.t || !(isParameter || isRealTime))) flush();
    if (it.startNs < b.now && isParameter) {
      throw new TimingError(
        "PARAMETER_AFTER_REALTIME",
        `parameter operation "${op.name}" at ${it.startNs} ns comes after a real-time instruction on ${ctx.seq.key} that occupies the sequencer until ${b.now} ns`,
        {
          path: op.path,
          hint: "schedule clock/offset/marker operations before (or ≥ 4 ns after) pulses that start at the same time",
        },
      );
    }
    b.currentNode = it.id;
    if (it.kind === "op" && family === "acquisition") beforeAcquisition(it, ctx);
    b.waitUntil(it.startNs, by);
    const override = overrides?.get(it.id);
    // the handler's emit, as emitItem (ops/index.ts) calls it, without a second lookup
    const committed = override ? override(it, ctx) : handler.emit(op as never, it, ctx);
    if (committed === "needs-update") pending = { t: it.startNs, by };
    else if (isRealTime) pending = null; // play/acquire commit the latched parameters
    const next = items[i + 1];
    if (
      pending &&
      next &&
      next.kind === "loop" &&
      next.startNs === pending.t &&
      !startsWithRealTimeIo(next.body, pending.t)
    ) {
      throw new TimingError(
        "PARAMETER_AT_CONTROL_FLOW_BOUNDARY",
        `parameter operation "${op.name}" at ${it.startNs} ns is at the same time as the start of loop "${next.name}", whose body does not start with a pulse or acquisition that could apply it`,
        {
          path: op.path,
          hint: "move the operation into the loop body or ≥ 4 ns before the loop",
        },
      );
    }
  }
  flush();
}
