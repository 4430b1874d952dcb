import { describe, expect, it } from "vitest";
import { Q1AsmError } from "../../src/core/errors.js";
import { assemble } from "../../src/q1/assembler.js";
import {
  INSTRUCTIONS,
  INSTRUCTION_SPECS,
  formFor,
  q1Cycles,
  type OperandForm,
  type OperandSlot,
} from "../../src/q1/instructions.js";
import { formatOperand } from "../../src/q1/print.js";
import type { Operand } from "../../src/q1/types.js";

/** A valid operand for a slot: an immediate (its minimum) where allowed, else a register. */
function validOperand(s: OperandSlot, useReg: boolean): Operand {
  if (s.kinds.includes("imm") && !useReg) return { kind: "imm", value: s.min };
  return { kind: "reg", index: 5 };
}

function validOperands(f: OperandForm): Operand[] {
  let imms = 0;
  return f.operands.map((s) => {
    // v2 ALU forms: at most one immediate source
    const useReg = f.atMostOneImm === true && !s.dest && imms >= 1;
    const op = validOperand(s, useReg);
    if (op.kind === "imm") imms++;
    return op;
  });
}

const text = (m: string, ops: readonly Operand[]): string => ` ${m} ${ops.map(formatOperand).join(",")}\n stop\n`;

function codeOf(src: string, isa: 1 | 2): string {
  try {
    assemble(src, { isa });
    return "OK";
  } catch (e) {
    return e instanceof Q1AsmError ? e.code : String(e);
  }
}

const cases = INSTRUCTION_SPECS.filter((s) => !s.undocumented).flatMap((spec) =>
  spec.forms.map((f, i) => ({
    name: `${spec.mnemonic} form ${i} (${f.isa})`,
    m: spec.mnemonic,
    f,
    isa: (f.isa === "v2" ? 2 : 1) as 1 | 2,
  })),
);

describe("INSTRUCTIONS table", () => {
  it("covers every mnemonic of reference section 2", () => {
    const v1 = [
      "illegal",
      "stop",
      "nop",
      "jmp",
      "jge",
      "jlt",
      "loop",
      "move",
      "not",
      "add",
      "sub",
      "and",
      "or",
      "xor",
      "asl",
      "asr",
      "set_mrk",
      "set_freq",
      "reset_ph",
      "set_ph",
      "set_ph_delta",
      "set_awg_gain",
      "set_awg_offs",
      "set_cond",
      "upd_param",
      "play",
      "acquire",
      "acquire_weighed",
      "acquire_ttl",
      "set_latch_en",
      "latch_rst",
      "wait",
      "wait_sync",
      "wait_trigger",
      "set_scope_en",
      "set_time_ref",
      "set_digital",
      "upd_thres",
      "acquire_timetags",
      "acquire_digital",
      "play_pulse",
      "reset_netzero",
      "sw_req",
      "fb_cmd",
      "fb_acq_tb_id",
      "fb_acq_iq_id",
      "fb_acq_iq_shift",
      "fb_acq_tb_cfg",
      "fb_acq_tb_valid",
      "fb_acq_tb_extra",
      "fb_acq_tb_mock",
      "fb_com_data",
      "fb_com_cfg",
      "fb_com_extra",
      "fb_pop_data",
      "fb_pull_data",
    ];
    const v2 = [
      "cmp",
      "test",
      "jz",
      "jnz",
      "jo",
      "jno",
      "js",
      "jns",
      "jg",
      "jl",
      "jle",
      "ja",
      "jae",
      "jb",
      "jbe",
      "lsl",
      "lsr",
      "mulu16",
      "muls16",
      "mulu32l",
      "mulu32h",
      "muls32l",
      "muls32h",
      "mulu32",
      "muls32",
      "acquire_weighted",
    ];
    expect(Object.keys(INSTRUCTIONS).sort()).toEqual([...v1, ...v2].sort());
  });

  it("classifies real-time instructions, duration slots and parameter updates", () => {
    const rt = INSTRUCTION_SPECS.filter((s) => s.realTime).map((s) => s.mnemonic);
    expect(rt).toContain("wait");
    expect(rt).not.toContain("set_awg_gain");
    expect(INSTRUCTIONS.play.durationSlot).toBe(2);
    expect(INSTRUCTIONS.acquire_weighed.durationSlot).toBe(4);
    expect(INSTRUCTIONS.wait.durationSlot).toBe(0);
    expect(INSTRUCTIONS.set_cond.durationSlot).toBe(null);
    expect(INSTRUCTIONS.wait_trigger.forms.map((f) => f.durationSlot)).toEqual([1, null]);
    expect(
      INSTRUCTION_SPECS.filter((s) => s.updatesParams)
        .map((s) => s.mnemonic)
        .sort(),
    ).toEqual([
      "acquire",
      "acquire_digital",
      "acquire_timetags",
      "acquire_ttl",
      "acquire_weighed",
      "acquire_weighted",
      "play",
      "upd_param",
    ]);
    expect(INSTRUCTIONS.set_freq.class).toBe("param");
    expect(INSTRUCTIONS.add.class).toBe("arith");
    expect(INSTRUCTIONS.loop.class).toBe("control");
  });

  it("finds the form (and RT duration slot) by operand count", () => {
    expect(formFor(INSTRUCTIONS.wait_trigger, 2)?.durationSlot).toBe(1);
    expect(formFor(INSTRUCTIONS.wait_trigger, 1)?.durationSlot).toBe(null);
    expect(formFor(INSTRUCTIONS.jge, 1, 1)).toBe(undefined);
    expect(formFor(INSTRUCTIONS.jge, 1, 2)?.isa).toBe("v2");
  });

  it("computes Q1 cycle costs per section 4.3", () => {
    const R = { kind: "reg" },
      I = { kind: "imm" };
    expect(q1Cycles(INSTRUCTIONS.add, [R, I, R]) * 4).toBe(12);
    expect(q1Cycles(INSTRUCTIONS.add, [R, R, R]) * 4).toBe(16);
    expect(q1Cycles(INSTRUCTIONS.not, [I, R]) * 4).toBe(12);
    expect(q1Cycles(INSTRUCTIONS.jmp, [I]) * 4).toBe(16);
    expect(q1Cycles(INSTRUCTIONS.jge, [R, I, I], true) * 4).toBe(24);
    expect(q1Cycles(INSTRUCTIONS.jlt, [R, I, I], false) * 4).toBe(12);
    expect(q1Cycles(INSTRUCTIONS.loop, [R, I], true) * 4).toBe(24);
    expect(q1Cycles(INSTRUCTIONS.loop, [R, I], false) * 4).toBe(12);
    expect(q1Cycles(INSTRUCTIONS.move, [I, R]) * 4).toBe(4);
    expect(q1Cycles(INSTRUCTIONS.play, [I, I, I]) * 4).toBe(4);
    expect(q1Cycles(INSTRUCTIONS.play, [R, R, I]) * 4).toBe(8);
    expect(q1Cycles(INSTRUCTIONS.set_awg_gain, [I, I]) * 4).toBe(4);
    expect(q1Cycles(INSTRUCTIONS.upd_thres, [I, I, I]) * 4).toBe(8);
    expect(q1Cycles(INSTRUCTIONS.fb_pull_data, [R, R]) * 4).toBe(8);
    expect(q1Cycles(INSTRUCTIONS.mulu32, [R, I, R, R]) * 4).toBe(24);
    expect(q1Cycles(INSTRUCTIONS.mulu32l, [R, I, R]) * 4).toBe(20);
    expect(q1Cycles(INSTRUCTIONS.mulu16, [R, I, R]) * 4).toBe(12);
  });

  it("accepts the undocumented newest mnemonics with any operands", () => {
    expect(codeOf(" play_pulse 1,R2,3\n stop", 1)).toBe("OK");
  });
});

describe.each(cases)("operand rules: $name", ({ m, f, isa }) => {
  const ops = validOperands(f);

  it("assembles a valid operand list", () => {
    expect(codeOf(text(m, ops), isa)).toBe("OK");
  });

  it("rejects one operand too many", () => {
    const forms = INSTRUCTIONS[m].forms.map((x) => x.operands.length);
    if (forms.includes(ops.length + 1)) return; // another form takes that count
    expect(codeOf(text(m, [...ops, { kind: "imm", value: 4 }]), isa)).toBe("BAD_OPERAND_COUNT");
  });

  it.each(f.operands.map((s, i) => ({ s, i })))("slot $i ($s.name): kinds and range", ({ s, i }) => {
    const with_ = (op: Operand): string =>
      codeOf(
        text(
          m,
          ops.map((o, j) => (j === i ? op : o)),
        ),
        isa,
      );
    if (!s.kinds.includes("reg")) expect(with_({ kind: "reg", index: 1 })).toBe("BAD_OPERAND_KIND");
    if (!s.kinds.includes("imm")) expect(with_({ kind: "imm", value: 0 })).toBe("BAD_OPERAND_KIND");
    if (!s.kinds.includes("label")) expect(with_({ kind: "label", name: "x" })).toBe("BAD_OPERAND_KIND");
    if (s.kinds.includes("imm") && ops[i]!.kind === "imm") {
      const code = i === f.durationSlot ? "DURATION_OUT_OF_RANGE" : "IMMEDIATE_OUT_OF_RANGE";
      if (s.max < 4294967295) expect(with_({ kind: "imm", value: s.max + 1 })).toBe(code);
      if (s.min > -2147483648) expect(with_({ kind: "imm", value: s.min - 1 })).toBe(code);
      expect(with_({ kind: "imm", value: s.max })).toBe("OK");
    }
    if (s.sameKind && ops[i]!.kind === "imm" && f.operands.filter((x) => x.sameKind).length > 1) {
      expect(with_({ kind: "reg", index: 1 })).toBe("MIXED_OPERAND_KINDS");
    }
  });
});

describe("same-kind rule examples from the reference", () => {
  it.each([
    [" play R0,R1,4", "OK"],
    [" play 0,1,4", "OK"],
    [" play R0,1,4", "MIXED_OPERAND_KINDS"],
    [" set_awg_gain R0,R1", "OK"],
    [" set_awg_offs 1,R1", "MIXED_OPERAND_KINDS"],
    [" set_cond R0,R1,R2,4", "OK"],
    [" set_cond 1,R1,0,4", "MIXED_OPERAND_KINDS"],
    [" set_cond 0,0,0,0", "OK"],
    [" acquire_weighed 0,R0,R1,R2,4", "OK"],
    [" acquire_timetags 0,R0,1,R1,4", "OK"],
    [" acquire_timetags 0,R0,1,5,4", "MIXED_OPERAND_KINDS"],
    [" set_digital R0,1,R1", "OK"],
    [" add R0,R1,R2", "OK"],
    [" jge R0,10,R3", "OK"],
    [" loop R0,R1", "OK"],
  ])("%s -> %s", (src, code) => {
    expect(codeOf(`${src}\n stop`, 1)).toBe(code);
  });
});
