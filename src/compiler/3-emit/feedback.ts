/**
 * Q1ASM for LINQ feedback (docs/feedback.md): the id a sequencer attaches to its thresholded bits
 * (`fb_acq_tb_id`), and the receiving side of ConditionalOperation / RepeatUntilSuccess
 * (`fb_pop_data`, then `jlt` / `jge` around the body). Thresholded bits arrive as 2-bit values
 * (bit 1 = valid, bit 0 = result): 3 = result 1, 2 = result 0.
 *
 * Timing stays deterministic: the plan (2-plan/feedback.ts) has checked that every result arrives
 * FEEDBACK_Q1_ALLOWANCE_NS before it is popped, so no `wait 0` is needed; a skipped body idles for
 * its duration, and a RepeatUntilSuccess that succeeds early idles for the bodies it did not need.
 */
import { ScheduleError, TimingError } from "../../core/errors.js";
import { imm, lbl, reg, type Operand } from "../../q1/types.js";
import type { Mnemonic } from "../../q1/instructions.js";
import type { ConditionalNode, IrNode, OpNode } from "../ir/nodes.js";
import type { EmitContext } from "../ops/emit-context.js";
import type { OpRef } from "./builder.js";
import type { ProgramPlan } from "../ir/plan.js";
import { existingVariableRegister } from "../ops/feedback-data.js";
import type { FeedbackSection, FeedbackWait, LinqRoute, LinqRouterConfig } from "../../contract/linq.js";

/** TB value of a valid result 1 (bit 1 = valid, bit 0 = result). */
const TB_ONE = 3;
/** TB value of a valid result 0. */
const TB_ZERO = 2;

/** The id to set once in the header (0: none; per-acquisition sharing is set before each acquisition). */
export function headerTbId(ctx: EmitContext): number {
  const f = ctx.feedback;
  if (!f) return 0;
  const share = f.plan.tbShare[f.sequencer] ?? 0;
  return share === "per-acquisition" ? 0 : share;
}

/**
 * On a sequencer whose acquisitions share with different ids: `fb_acq_tb_id` in the 4 ns before
 * each acquisition (emitted before the program waits until the acquisition). On a sequencer that
 * takes part in write-combine, `fb_acq_tb_cfg` (its bit position and the payload length, or 0 for
 * an acquisition that is not combined) and `fb_acq_tb_id` in the 8 ns before each acquisition.
 * On a sequencer with a shared acquisition marked `feedback_valid: false`, `fb_acq_tb_valid 0` or
 * `1` in the 4 ns before each shared acquisition (the bit is sticky, so each one sets its own).
 */
export function beforeAcquisition(it: OpNode, ctx: EmitContext): void {
  const f = ctx.feedback;
  if (!f || it.op.type === "Trace") return;
  const plan = f.plan;
  const ins: { m: Mnemonic; args: Operand[]; comment: string }[] = [];
  const id = plan.tbIdOfNode[it.id] ?? 0;
  if (plan.tbShare[f.sequencer] === "per-acquisition") {
    if (plan.tbWriteCombine?.[f.sequencer] === true) {
      const cfg = plan.tbCfgOfNode?.[it.id];
      ins.push({
        m: "fb_acq_tb_cfg",
        args: cfg ? [imm(1), imm(cfg.bitPos), imm(cfg.lengthBytes)] : [imm(0), imm(0), imm(0)],
        comment: cfg
          ? `LINQ write-combine: the next thresholded bits go to bits ${cfg.bitPos + 1}:${cfg.bitPos} of a ${cfg.lengthBytes}-byte payload`
          : "LINQ: no write-combine for the next thresholded bits",
      });
    }
    ins.push({
      m: "fb_acq_tb_id",
      args: [imm(id)],
      comment:
        id === 0
          ? "LINQ: do not share the next thresholded bits"
          : `LINQ: share the next thresholded bits with id ${id}`,
    });
  }
  if (plan.tbValidPerAcquisition?.[f.sequencer] === true && id !== 0) {
    const valid = plan.tbValidOfNode?.[it.id] !== false;
    ins.push({
      m: "fb_acq_tb_valid",
      args: [imm(valid ? 1 : 0)],
      comment: valid
        ? "LINQ: the next thresholded bits are valid"
        : "LINQ: the next thresholded bits are invalid (feedback_valid false): no conditional acts on them",
    });
  }
  if (plan.iqShare?.[f.sequencer] === true) {
    const iq = plan.iqIdOfNode?.[it.id] ?? 0;
    const shift = plan.iqShiftOfNode?.[it.id] ?? 0;
    if (iq !== 0)
      ins.push({
        m: "fb_acq_iq_shift",
        args: [imm(shift)],
        comment: `LINQ: send bits ${31 + shift}:${shift} of the 48-bit IQ accumulators`,
      });
    ins.push({
      m: "fb_acq_iq_id",
      args: [imm(iq)],
      comment: iq === 0 ? "LINQ: do not share the next IQ values" : `LINQ: share the next I and Q values with id ${iq}`,
    });
  }
  if (ins.length === 0) return;
  const b = ctx.b;
  const at = it.startNs - 4 * ins.length;
  if (b.now > at) {
    const why =
      at < 0
        ? `but it starts ${it.startNs} ns after the start of the schedule, so ${-at} ns of them would come before it`
        : `but the sequencer is busy until ${b.now} ns`;
    throw new TimingError(
      "FEEDBACK_NO_ROOM_FOR_ID",
      `acquisition "${it.op.name}" at ${it.startNs} ns on ${ctx.seq.key} needs the ${4 * ins.length} ns before it free for ${ins.map((x) => x.m).join(", ")} (its LINQ ids), ${why}`,
      {
        path: it.op.path,
        hint:
          at < 0
            ? `start "${it.op.name}" at ${4 * ins.length} ns or later (for example with an IdlePulse of ${4 * ins.length - it.startNs} ns before it)`
            : `leave ${4 * ins.length} ns before each acquisition on a sequencer whose measurements share results with different ids, are write-combined, share IQ values or set feedback_valid`,
      },
    );
  }
  b.waitUntil(at, it.op);
  for (const x of ins) b.emitRt(x.m, x.args, 4, x.comment, it.op);
}

/** Registers holding a result popped ahead of its conditional (pop order), per builder and conditional node id. */
const prefetchRegisters = new WeakMap<object, Map<number, number>>();

/** Registers holding a write-combined payload between its first and last consumer, per builder and group. */
const payloadRegisters = new WeakMap<object, Map<number, number>>();

/** Emit a ConditionalOperation ("if") or RepeatUntilSuccess ("repeat") on this sequencer. */
export function emitConditional(
  node: ConditionalNode,
  ctx: EmitContext,
  emitBody: (nodes: IrNode[], ctx: EmitContext) => void,
): void {
  const b = ctx.b;
  const by: OpRef = { name: node.name, path: node.path };
  if (node.condition) {
    emitVariableConditional(node, node.condition, ctx, emitBody);
    return;
  }
  const id = ctx.feedback?.plan.idOfConditional[node.id];
  if (id === undefined)
    throw new ScheduleError(
      "FEEDBACK_NOT_PLANNED",
      `"${node.name}" on ${ctx.seq.key} has no LINQ id (no measurement with feedback_trigger_label "${node.triggerLabel}" feeds it)`,
      { path: node.path, hint: "measure the qubit with a ThresholdedAcquisition labelled for feedback first" },
    );
  const D = node.bodyDurationNs;
  const tag = `${b.count}`;
  b.currentNode = node.id;
  b.waitUntil(node.startNs, by, "conditional");
  const popComment = `LINQ id ${id}: thresholded bit of "${node.triggerLabel}" (3 = 1, 2 = 0)`;
  if (node.mode === "if") {
    const skip = `cond${tag}_skip`,
      end = `cond${tag}_end`;
    const plan = ctx.feedback?.plan;
    const seqIndex = ctx.feedback?.sequencer ?? -1;
    let held = prefetchRegisters.get(b);
    const early = held?.get(node.id);
    // a result that arrived before another one popped earlier on this sequencer was popped then (2-plan/feedback.ts, pop order)
    const r = early ?? b.registers.allocate(by);
    held?.delete(node.id);
    for (const other of plan?.prefetchOfConditional?.[seqIndex]?.[node.id] ?? []) {
      const otherId = plan!.idOfConditional[other]!;
      if (!held) prefetchRegisters.set(b, (held = new Map()));
      const h = b.registers.allocate({ name: `LINQ id ${otherId}, popped before id ${id}`, path: node.path });
      held.set(other, h);
      b.emit(
        "fb_pop_data",
        [imm(otherId), reg(h)],
        `LINQ id ${otherId}: arrived before id ${id}, kept for a later conditional (pop in arrival order)`,
        by,
      );
    }
    const c = ctx.feedback?.plan.combinedReadOfConditional?.[node.id];
    if (c) {
      // write-combine: the first consumer pops the payload; each extracts its 2 bits
      let regs = payloadRegisters.get(b);
      if (!regs) payloadRegisters.set(b, (regs = new Map()));
      let p = regs.get(c.group);
      if (c.first || p === undefined) {
        p = b.registers.allocate({ name: `write-combined payload of LINQ id ${id}`, path: node.path });
        regs.set(c.group, p);
        b.emit("fb_pop_data", [imm(id), reg(p)], `LINQ id ${id}: write-combined thresholded bits`, by);
      }
      if (c.bitPos > 0) {
        b.emit("asr", [reg(p), imm(c.bitPos), reg(r)], `bits ${c.bitPos + 1}:${c.bitPos}: "${node.triggerLabel}"`, by);
        b.emit("and", [reg(r), imm(3), reg(r)], "(3 = 1, 2 = 0)", by);
      } else b.emit("and", [reg(p), imm(3), reg(r)], `bits 1:0: "${node.triggerLabel}" (3 = 1, 2 = 0)`, by);
      if (c.last) {
        b.registers.release(p);
        regs.delete(c.group);
      }
    } else if (early === undefined) b.emit("fb_pop_data", [imm(id), reg(r)], popComment, by);
    if (node.value === 1) b.emit("jlt", [reg(r), imm(TB_ONE), lbl(skip)], "play the body only if the bit is 1", by);
    else {
      b.emit("jge", [reg(r), imm(TB_ONE), lbl(skip)], "play the body only if the bit is 0", by);
      b.emit("jlt", [reg(r), imm(TB_ZERO), lbl(skip)], undefined, by);
    }
    b.registers.release(r);
    ctx.lastGain = null;
    emitBody(node.body, ctx);
    b.currentNode = node.id;
    b.waitUntil(node.startNs + D, by, "end of conditional body of");
    b.emit("jmp", [lbl(end)], undefined, by);
    b.label(skip);
    b.restartAt(node.startNs);
    b.wait(D, by);
    b.label(end);
    ctx.lastGain = null;
    return;
  }
  const again = `rus${tag}`,
    done = `rus${tag}_done`,
    pad = `rus${tag}_pad`,
    end = `rus${tag}_end`;
  const rIt = b.registers.allocate(by);
  const rV = b.registers.allocate(by);
  b.emit("move", [imm(node.maxRepetitions), reg(rIt)], `RepeatUntilSuccess: at most ${node.maxRepetitions} bodies`, by);
  b.label(again);
  ctx.lastGain = null;
  emitBody(node.body, ctx);
  b.currentNode = node.id;
  b.waitUntil(node.startNs + D, by, "end of repeat-until-success body of");
  b.emit("fb_pop_data", [imm(id), reg(rV)], popComment, by);
  if (node.value === 1) b.emit("jge", [reg(rV), imm(TB_ONE), lbl(done)], "success: the bit is 1", by);
  else {
    b.emit("jge", [reg(rV), imm(TB_ONE), lbl(`${again}_next`)], undefined, by);
    b.emit("jge", [reg(rV), imm(TB_ZERO), lbl(done)], "success: the bit is 0", by);
    b.label(`${again}_next`);
  }
  b.emit("loop", [reg(rIt), lbl(again)], "no success yet: repeat", by);
  b.emit("jmp", [lbl(end)], "no success within the maximum", by);
  b.label(done);
  b.emit("loop", [reg(rIt), lbl(pad)], "idle for the bodies not needed", by);
  b.emit("jmp", [lbl(end)], undefined, by);
  b.label(pad);
  b.restartAt(node.startNs);
  b.wait(D, by);
  b.emit("loop", [reg(rIt), lbl(pad)], undefined, by);
  b.label(end);
  b.restartAt(node.startNs + node.maxRepetitions * D);
  b.registers.release(rV);
  b.registers.release(rIt);
  ctx.lastGain = null;
}

/**
 * A ConditionalOperation on a variable: on each sequencer of the body, compare the variable's register
 * (unsigned) with the threshold and play the body or idle for its duration.
 */
function emitVariableConditional(
  node: ConditionalNode,
  c: NonNullable<ConditionalNode["condition"]>,
  ctx: EmitContext,
  emitBody: (nodes: IrNode[], ctx: EmitContext) => void,
): void {
  const b = ctx.b;
  const by: OpRef = { name: node.name, path: node.path };
  const r = existingVariableRegister(ctx, c.variable);
  if (r === undefined)
    throw new ScheduleError(
      "VARIABLE_UNDEFINED",
      `ConditionalOperation "${node.name}" compares variable "${c.variable}" on ${ctx.seq.key}, where no earlier operation sets it (variables belong to one sequencer)`,
      {
        path: node.path,
        hint: `set or receive "${c.variable}" on ${ctx.seq.route.portClock} before the ConditionalOperation, or keep the body on the sequencer that has it`,
      },
    );
  const D = node.bodyDurationNs;
  const tag = `${b.count}`;
  const skip = `cond${tag}_skip`,
    end = `cond${tag}_end`;
  b.currentNode = node.id;
  b.waitUntil(node.startNs, by, "conditional");
  b.emit(
    c.comparison === ">=" ? "jlt" : "jge",
    [reg(r), imm(c.threshold), lbl(skip)],
    `play the body only if ${c.variable} ${c.comparison} ${c.threshold}`,
    by,
  );
  ctx.lastGain = null;
  emitBody(node.body, ctx);
  b.currentNode = node.id;
  b.waitUntil(node.startNs + D, by, "end of conditional body of");
  b.emit("jmp", [lbl(end)], undefined, by);
  b.label(skip);
  b.restartAt(node.startNs);
  b.wait(D, by);
  b.label(end);
  ctx.lastGain = null;
}

/** The compiled schedule's `feedback` section: routes and the router configuration per cluster. */
export function feedbackSection(plan: ProgramPlan): FeedbackSection | undefined {
  const fb = plan.feedback;
  if (!fb || fb.routes.length === 0) return undefined;
  const seqs = plan.sequencers;
  const routes: LinqRoute[] = [];
  const router: Record<string, LinqRouterConfig> = {};
  for (const r of fb.routes) {
    const src = seqs[r.source]!;
    routes.push({
      id: r.id,
      mode: r.mode,
      trigger_label: r.triggerLabel,
      data_type: r.dataType,
      ...(r.iqShift !== undefined ? { iq_shift: r.iqShift } : {}),
      source: { cluster: src.cluster, module: src.moduleName, slot: src.slot, sequencer: src.index },
      receivers: r.receivers.map((x) => {
        const s = seqs[x.sequencer]!;
        return { module: s.moduleName, slot: s.slot, sequencer: s.index, path: x.path, latency_ns: x.latencyNs };
      }),
      ...(r.combine
        ? {
            write_combine: {
              length_bytes: r.combine.lengthBytes,
              parts: r.combine.parts.map((x) => ({
                trigger_label: x.triggerLabel,
                slot: seqs[x.source]!.slot,
                sequencer: seqs[x.source]!.index,
                bit_pos: x.bitPos,
              })),
            },
          }
        : {}),
    });
    if (r.mode === "self-cast") continue;
    const cfg = (router[src.cluster] ??= { local_routes: [], cmm_routes: [], broadcast: [] });
    if (r.mode === "broadcast") {
      cfg.broadcast.push(r.id);
      continue;
    }
    const local = r.receivers.filter((x) => x.path === "intra-cast").map((x) => seqs[x.sequencer]!.index);
    if (local.length > 0)
      cfg.local_routes.push({ module: src.moduleName, slot: src.slot, id: r.id, sequencers: local });
    const far = r.receivers.filter((x) => x.path === "multi-cast");
    if (far.length > 0)
      cfg.cmm_routes.push({
        id: r.id,
        targets: far.map((x) => ({ slot: seqs[x.sequencer]!.slot, sequencer: seqs[x.sequencer]!.index })),
      });
  }
  return { routes, router };
}

/** diagnostics.feedback_waits: the waits feedback_insert_wait inserted (undefined: none). */
export function feedbackWaitDiagnostics(plan: ProgramPlan): FeedbackWait[] | undefined {
  const w = plan.feedback?.insertedWaits;
  if (!w || w.length === 0) return undefined;
  return w.map((x) => ({
    conditional: x.conditional,
    path: x.path,
    measurement: x.measurement,
    receiver: x.receiver,
    scheduled_ns: x.scheduledNs,
    wait_ns: x.waitNs,
    min_gap_ns: x.minGapNs,
  }));
}
