/**
 * Compact executable form of a Q1 program: opcode ints and typed operand arrays, so the emulator's
 * hot loop never touches objects or strings. Cycle costs come from the shared instruction table.
 */
import { EmulationError } from "../core/errors.js";
import type { ModuleType } from "../contract/compiled-schedule.js";
import { assemble } from "../q1/assembler.js";
import { INSTRUCTIONS } from "../q1/instructions.js";
import type { Instruction } from "../q1/types.js";

export const enum Op {
  ILLEGAL = 0,
  STOP,
  NOP,
  JMP,
  JGE,
  JLT,
  LOOP,
  MOVE,
  NOT,
  ADD,
  SUB,
  AND,
  OR,
  XOR,
  ASL,
  ASR,
  SET_MRK,
  SET_FREQ,
  RESET_PH,
  SET_PH,
  SET_PH_DELTA,
  SET_AWG_GAIN,
  SET_AWG_OFFS,
  SET_COND,
  /** parameter instruction without an emulated effect (QTM set_scope_en, set_time_ref, set_digital) */
  PARAM_NOP,
  UPD_PARAM,
  PLAY,
  ACQUIRE,
  ACQUIRE_WEIGHED,
  ACQUIRE_TTL,
  WAIT,
  WAIT_SYNC,
  WAIT_TRIGGER,
  /** trigger network (trigger-network.ts): set_latch_en, latch_rst */
  LATCH_EN,
  LATCH_RST,
  /** real-time instruction without an emulated effect (latches, LINQ): only its duration counts */
  RT_NOP,
  /** known but not emulated (ISA v2): halts with an illegal-instruction flag */
  UNSUPPORTED,
  // LINQ feedback (linq.ts)
  FB_POP,
  FB_PULL,
  FB_TB_ID,
  FB_TB_VALID,
  FB_COM_DATA,
  FB_IQ_ID,
  FB_IQ_SHIFT,
  FB_TB_CFG,
  FB_COM_CFG,
}

const OPCODES: Readonly<Record<string, Op>> = {
  illegal: Op.ILLEGAL,
  stop: Op.STOP,
  nop: Op.NOP,
  jmp: Op.JMP,
  jge: Op.JGE,
  jlt: Op.JLT,
  loop: Op.LOOP,
  move: Op.MOVE,
  not: Op.NOT,
  add: Op.ADD,
  sub: Op.SUB,
  and: Op.AND,
  or: Op.OR,
  xor: Op.XOR,
  asl: Op.ASL,
  asr: Op.ASR,
  set_mrk: Op.SET_MRK,
  set_freq: Op.SET_FREQ,
  reset_ph: Op.RESET_PH,
  set_ph: Op.SET_PH,
  set_ph_delta: Op.SET_PH_DELTA,
  set_awg_gain: Op.SET_AWG_GAIN,
  set_awg_offs: Op.SET_AWG_OFFS,
  set_cond: Op.SET_COND,
  set_scope_en: Op.PARAM_NOP,
  set_time_ref: Op.PARAM_NOP,
  set_digital: Op.PARAM_NOP,
  upd_param: Op.UPD_PARAM,
  play: Op.PLAY,
  acquire: Op.ACQUIRE,
  acquire_weighed: Op.ACQUIRE_WEIGHED,
  acquire_weighted: Op.ACQUIRE_WEIGHED,
  acquire_ttl: Op.ACQUIRE_TTL,
  wait: Op.WAIT,
  wait_sync: Op.WAIT_SYNC,
  wait_trigger: Op.WAIT_TRIGGER,
  set_latch_en: Op.LATCH_EN,
  latch_rst: Op.LATCH_RST,
  fb_pop_data: Op.FB_POP,
  fb_pull_data: Op.FB_PULL,
  fb_acq_tb_id: Op.FB_TB_ID,
  fb_acq_tb_valid: Op.FB_TB_VALID,
  fb_com_data: Op.FB_COM_DATA,
  fb_acq_iq_id: Op.FB_IQ_ID,
  fb_acq_iq_shift: Op.FB_IQ_SHIFT,
  fb_acq_tb_cfg: Op.FB_TB_CFG,
  fb_com_cfg: Op.FB_COM_CFG,
};

/** operands per instruction slot in the flat arrays */
export const MAX_OPERANDS = 5;

export interface CompiledProgram {
  length: number;
  op: Uint8Array;
  /** operand count per instruction */
  argc: Uint8Array;
  /** operand values (register index or immediate bits as uint32), MAX_OPERANDS per instruction */
  arg: Uint32Array;
  /** 1 where the operand is a register */
  isReg: Uint8Array;
  /** Q1 cost in ns when not branching / extra ns when the branch is taken */
  costNs: Float64Array;
  takenNs: Float64Array;
  /** 1-based source line per instruction (0 if unknown) */
  line: Uint32Array;
  mnemonic: string[];
  /** source text lines, for error logs (may be empty) */
  sourceLines: string[];
}

const CYCLE_NS = 4;

/** Turn executable instructions (labels already resolved to immediates) into the compact form. */
export function compileProgram(instructions: readonly Instruction[], source = ""): CompiledProgram {
  const exec = instructions.filter((i) => i.mnemonic !== "");
  const n = exec.length;
  const p: CompiledProgram = {
    length: n,
    op: new Uint8Array(n),
    argc: new Uint8Array(n),
    arg: new Uint32Array(n * MAX_OPERANDS),
    isReg: new Uint8Array(n * MAX_OPERANDS),
    costNs: new Float64Array(n),
    takenNs: new Float64Array(n),
    line: new Uint32Array(n),
    mnemonic: exec.map((i) => i.mnemonic),
    sourceLines: source === "" ? [] : splitLines(source),
  };
  exec.forEach((ins, k) => {
    const spec = INSTRUCTIONS[ins.mnemonic];
    const code = OPCODES[ins.mnemonic];
    p.op[k] = code ?? (spec ? (spec.realTime ? Op.RT_NOP : Op.UNSUPPORTED) : Op.ILLEGAL);
    // ISA v2 ALU/flag instructions are in the table but not emulated (baseline is ISA v1, §2.8)
    if (spec && code === undefined && spec.class !== "rt") p.op[k] = Op.UNSUPPORTED;
    if (ins.args.length > MAX_OPERANDS) {
      throw new EmulationError(
        "EMU_TOO_MANY_OPERANDS",
        `Instruction '${ins.mnemonic}' on line ${ins.line ?? "?"} has ${ins.args.length} operands; at most ${MAX_OPERANDS} are supported.`,
        { path: `line ${ins.line ?? "?"}`, hint: "Check the instruction against the Q1ASM reference (§2)." },
      );
    }
    p.argc[k] = ins.args.length;
    let regsRead = 0;
    ins.args.forEach((a, j) => {
      const at = k * MAX_OPERANDS + j;
      if (a.kind === "reg") {
        p.arg[at] = a.index;
        p.isReg[at] = 1;
        const slot = spec?.forms.find((f) => f.operands.length === ins.args.length)?.operands[j];
        if (!slot || !slot.dest || slot.alsoRead) regsRead++;
      } else if (a.kind === "imm") {
        p.arg[at] = a.value >>> 0;
      } else {
        throw new EmulationError(
          "EMU_UNRESOLVED_LABEL",
          `Label '@${a.name}' on line ${ins.line ?? "?"} was not resolved to an instruction index.`,
          {
            path: `line ${ins.line ?? "?"}`,
            hint: "Assemble the program with src/q1/assembler.ts before emulating it.",
          },
        );
      }
    });
    // base = max(1, registers read); the loop counter is read and written but loaded with the instruction
    const base = Math.max(1, regsRead);
    p.costNs[k] = (base + (spec?.cycles.extra ?? 0)) * CYCLE_NS;
    p.takenNs[k] = (spec?.cycles.takenExtra ?? 0) * CYCLE_NS;
    p.line[k] = ins.line ?? 0;
  });
  return p;
}

/** "line 12: ` play 0,1,4`" for logs; falls back to the instruction index. */
export function describeInstruction(p: CompiledProgram, pc: number): string {
  const line = p.line[pc] ?? 0;
  const text = line > 0 ? p.sourceLines[line - 1] : undefined;
  if (line > 0 && text !== undefined) return `line ${line}: \`${text.trim()}\``;
  return `instruction ${pc} (${p.mnemonic[pc] ?? "?"})${line > 0 ? ` on line ${line}` : ""}`;
}

/** Recently loaded programs: a compiled program is immutable, and re-runs of one upload are common. */
const PROGRAM_CACHE = new Map<string, Map<ModuleType, CompiledProgram>>();
const PROGRAM_CACHE_SIZE = 16;

/** Assemble Q1ASM text (src/q1) and compile it (cached by text). Assembly errors propagate as Q1AsmError. */
export function loadProgram(text: string, moduleType: ModuleType): CompiledProgram {
  // keyed by the text itself (no key string built per call: a long program's text keeps its hash)
  const byType = PROGRAM_CACHE.get(text);
  const hit = byType?.get(moduleType);
  if (hit) {
    PROGRAM_CACHE.delete(text);
    PROGRAM_CACHE.set(text, byType!);
    return hit;
  }
  const asm = assemble(text, { moduleType });
  const ins = asm.instructions.map((i, k) => (i.line === undefined ? { ...i, line: asm.lines[k] ?? 0 } : i));
  const program = compileProgram(ins, text);
  PROGRAM_CACHE.set(text, new Map(byType ?? []).set(moduleType, program));
  if (PROGRAM_CACHE.size > PROGRAM_CACHE_SIZE) PROGRAM_CACHE.delete(PROGRAM_CACHE.keys().next().value!);
  return program;
}

/** Lines without their terminators (a string split: much faster than a RegExp split on long text). */
function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) if (lines[k]!.endsWith("\r")) lines[k] = lines[k]!.slice(0, -1);
  return lines;
}
