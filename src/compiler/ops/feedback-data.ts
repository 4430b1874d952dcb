/**
 * Handlers of the LINQ value operations (schedule/feedback-data.ts, docs/feedback.md "Values over
 * LINQ"): variables are Q1 registers of the operation's sequencer, allocated on first use and kept
 * for the whole program; SendFeedback emits `fb_com_data`, ReceiveFeedback `fb_pop_data` with the ids
 * of the feedback plan (2-plan/feedback-data.ts), which has checked that the data is there in time.
 */
import { ScheduleError } from "../../core/errors.js";
import { imm, reg, type Operand } from "../../q1/types.js";
import type { EmitContext } from "./emit-context.js";
import type { OpHandler, OpOf } from "./types.js";

type DataType = "SetVariable" | "VariableArithmetic" | "SendFeedback" | "ReceiveFeedback" | "VariableVoltageOffset";

/** Registers of the variables, per program builder (one per sequencer program). */
const variables = new WeakMap<object, Map<string, number>>();

/** Registers holding a write-combined payload between its first and last receive, per builder and group. */
const payloads = new WeakMap<object, Map<number, number>>();

/** The register holding `name` on this sequencer (allocated on first use, never released). */
export function variableRegister(ctx: EmitContext, name: string, by: { name: string; path: string }): number {
  let m = variables.get(ctx.b);
  if (!m) variables.set(ctx.b, (m = new Map()));
  let r = m.get(name);
  if (r === undefined) {
    r = ctx.b.registers.allocate({ name: `variable "${name}" (${by.name})`, path: by.path });
    m.set(name, r);
  }
  return r;
}

/** The register of a variable already used on this sequencer, or undefined. */
export function existingVariableRegister(ctx: EmitContext, name: string): number | undefined {
  return variables.get(ctx.b)?.get(name);
}

/** The register of a variable this operation reads: it must have been set or received earlier on this sequencer. */
function readVariable(
  ctx: EmitContext,
  name: string,
  op: { name: string; path: string; type: string },
  field: string,
): number {
  const r = existingVariableRegister(ctx, name);
  if (r !== undefined) return r;
  throw new ScheduleError(
    "VARIABLE_UNDEFINED",
    `${op.type} "${op.name}" reads variable "${name}" (${field}) on ${ctx.seq.key}, where no earlier operation sets it (variables belong to one sequencer)`,
    {
      path: `${op.path}/${field}`,
      hint: `set "${name}" (SetVariable, VariableArithmetic result or ReceiveFeedback) on ${ctx.seq.route.portClock} before ${op.type} "${op.name}", or fix the name`,
    },
  );
}

function planned(
  ids: Record<number, number> | undefined,
  node: number,
  op: { name: string; path: string; type: string },
  ctx: EmitContext,
): number | undefined {
  const id = ids?.[node];
  if (id === undefined && op.type === "ReceiveFeedback")
    throw new ScheduleError(
      "FEEDBACK_NOT_PLANNED",
      `ReceiveFeedback "${op.name}" on ${ctx.seq.key} has no LINQ id (nothing sends what it receives)`,
      { path: op.path, hint: "send the value (SendFeedback) or measure (feedback_trigger_label) before receiving it" },
    );
  return id;
}

export const FEEDBACK_DATA_HANDLERS: { readonly [K in DataType]: OpHandler<K> } = {
  SetVariable: {
    family: "parameter",
    placement: "port-clock",
    digitalChannelOk: true,
    emit: (op: OpOf<"SetVariable">, _item, ctx) => {
      ctx.b.emit(
        "move",
        [imm(op.value), reg(variableRegister(ctx, op.variable, op))],
        `${op.variable} = ${op.value}`,
        op,
      );
      return "done";
    },
  },
  VariableArithmetic: {
    family: "parameter",
    placement: "port-clock",
    digitalChannelOk: true,
    emit: (op: OpOf<"VariableArithmetic">, _item, ctx) => {
      const operand = (): Operand =>
        typeof op.operand === "string" ? reg(readVariable(ctx, op.operand, op, "operand")) : imm(op.operand ?? 0);
      const text = op.operand === null ? op.variable : String(op.operand);
      if (op.operation === "move") {
        const src = operand();
        ctx.b.emit("move", [src, reg(variableRegister(ctx, op.result, op))], `${op.result} = ${text}`, op);
      } else if (op.operation === "not") {
        const src = op.operand === null ? reg(readVariable(ctx, op.variable, op, "variable")) : operand();
        ctx.b.emit("not", [src, reg(variableRegister(ctx, op.result, op))], `${op.result} = not ${text}`, op);
      } else {
        const a = reg(readVariable(ctx, op.variable, op, "variable"));
        const b = operand();
        ctx.b.emit(
          op.operation,
          [a, b, reg(variableRegister(ctx, op.result, op))],
          `${op.result} = ${op.variable} ${op.operation} ${text}`,
          op,
        );
      }
      return "done";
    },
  },
  SendFeedback: {
    family: "parameter",
    placement: "port-clock",
    digitalChannelOk: true,
    emit: (op: OpOf<"SendFeedback">, item, ctx) => {
      const id = planned(ctx.feedback?.plan.sendIdOfNode, item.id, op, ctx) ?? 0;
      const value = op.variable === null ? imm(op.value) : reg(readVariable(ctx, op.variable, op, "variable"));
      const cfg = ctx.feedback?.plan.comCfgOfNode?.[item.id];
      if (op.bits !== null)
        ctx.b.emitRt(
          "fb_com_cfg",
          cfg ? [imm(1), imm(cfg.bitPos), imm(cfg.lengthBytes)] : [imm(0), imm(0), imm(0)],
          4,
          cfg
            ? `LINQ write-combine: "${op.label}" goes to bits ${cfg.bitPos + op.bits - 1}:${cfg.bitPos} of a ${cfg.lengthBytes}-byte payload`
            : `LINQ: "${op.label}" is sent alone`,
          op,
        );
      ctx.b.emitRt(
        "fb_com_data",
        [imm(id), value],
        4,
        id === 0 ? `LINQ: nobody receives "${op.label}" (id 0 sends nothing)` : `LINQ id ${id}: send "${op.label}"`,
        op,
      );
      if (op.bits !== null) ctx.b.emitRt("fb_com_cfg", [imm(0), imm(0), imm(0)], 4, undefined, op);
      return "done";
    },
  },
  ReceiveFeedback: {
    family: "parameter",
    placement: "port-clock",
    digitalChannelOk: true,
    emit: (op: OpOf<"ReceiveFeedback">, item, ctx) => {
      const id = planned(ctx.feedback?.plan.receiveIdOfNode, item.id, op, ctx)!;
      const b = ctx.b;
      const r = variableRegister(ctx, op.variable, op);
      const c = ctx.feedback?.plan.combinedReadOfNode?.[item.id];
      if (c) {
        // write-combine: the group's first receive pops the payload; each extracts its bits
        let groups = payloads.get(b);
        if (!groups) payloads.set(b, (groups = new Map()));
        let p = groups.get(c.group);
        if (c.first || p === undefined) {
          p = b.registers.allocate({ name: `write-combined payload of LINQ id ${id}`, path: op.path });
          groups.set(c.group, p);
          b.emit("fb_pop_data", [imm(id), reg(p)], `LINQ id ${id}: write-combined values`, op);
        }
        const what = `${op.variable} = bits ${c.bitPos + c.bits - 1}:${c.bitPos} ("${op.label}")`;
        if (c.bitPos > 0) b.emit("asr", [reg(p), imm(c.bitPos), reg(r)], what, op);
        else b.emit("move", [reg(p), reg(r)], what, op);
        if (c.bits < 32) b.emit("and", [reg(r), imm(2 ** c.bits - 1), reg(r)], undefined, op);
        if (c.last) {
          b.registers.release(p);
          groups.delete(c.group);
        }
        return "done";
      }
      if (op.data !== "iq") {
        b.emit(
          "fb_pop_data",
          [imm(id), reg(r)],
          `LINQ id ${id}: ${op.variable} = ${op.data === "value" ? `"${op.label}"` : `thresholded bits of "${op.label}" (3 = 1, 2 = 0)`}`,
          op,
        );
        return "done";
      }
      b.emit("fb_pop_data", [imm(id), reg(r)], `LINQ id ${id}: ${op.variable} = I of "${op.label}"`, op);
      if (op.variableQ !== null)
        b.emit(
          "fb_pop_data",
          [imm(id), reg(variableRegister(ctx, op.variableQ, op))],
          `${op.variableQ} = Q of "${op.label}"`,
          op,
        );
      else {
        const t = b.registers.allocate(op);
        b.emit("fb_pop_data", [imm(id), reg(t)], `Q of "${op.label}" (not kept)`, op);
        b.registers.release(t);
      }
      return "done";
    },
  },
  VariableVoltageOffset: {
    family: "parameter",
    placement: "port-clock",
    digitalChannelOk: false,
    emit: (op: OpOf<"VariableVoltageOffset">, _item, ctx) => {
      const ri = readVariable(ctx, op.variableI, op, "variable_path_I");
      if (op.variableQ !== null) {
        ctx.b.emit(
          "set_awg_offs",
          [reg(ri), reg(readVariable(ctx, op.variableQ, op, "variable_path_Q"))],
          `${op.name} offset from ${op.variableI}, ${op.variableQ}`,
          op,
        );
        return "needs-update";
      }
      const z = ctx.b.registers.allocate(op);
      ctx.b.emit("move", [imm(0), reg(z)], "offset path Q 0", op);
      ctx.b.emit("set_awg_offs", [reg(ri), reg(z)], `${op.name} offset from ${op.variableI}`, op);
      ctx.b.registers.release(z);
      return "needs-update";
    },
  },
};
