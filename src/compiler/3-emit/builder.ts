/**
 * Builds one sequencer's Q1ASM instruction list while keeping the real-time clock (reference 4.5,
 * 4.6): the current time plus the start time of each open loop, automatic waits split at 65,532 ns, and
 * sub-4 ns gaps folded into the previous real-time instruction's duration.
 */
import { TimingError, ValueRangeError } from "../../core/errors.js";
import type { Mnemonic } from "../../q1/instructions.js";
import { InstructionTable, sharedRowId } from "../../q1/intern.js";
import { imm, lbl, reg, type Instruction, type Operand } from "../../q1/types.js";
import { RegisterAllocator } from "./registers.js";
import { sharedComment } from "../ops/comments.js";

export const MAX_WAIT_NS = 65532;
const NO_TAIL: readonly number[] = [];
/** the operands before a wait's duration: none (one frozen list, not a new one per wait) */
const NO_OPERANDS = Object.freeze([]) as unknown as Operand[];
const waitComment = (T: string | number): string => `auto generated wait (${T} ns)`;
const MAX_RT_DURATION_NS = 65535;
/** waits of more than this many max-length chunks become a register loop */
const MAX_UNROLLED_WAITS = 4;

/** Q1ASM immediates are 32-bit: unsigned, or two's complement for the signed operands */
const MIN_IMMEDIATE = -(2 ** 31);
const MAX_IMMEDIATE = 2 ** 32 - 1;

/** An operand no Q1ASM program can hold (NaN, ±Infinity, a fraction, ≥ 2³²): the input value was out of range. */
function immediateOutOfRange(mnemonic: string, value: number, where: string, by: OpRef): ValueRangeError {
  return new ValueRangeError(
    "IMMEDIATE_OUT_OF_RANGE",
    `"${by.name}" needs \`${mnemonic}\` with the operand ${value} on ${where}, which is not a 32-bit integer`,
    {
      path: by.path,
      hint: "a repetition count, loop count or duration this large (or not finite) cannot be run: keep repetitions and loop counts below 2^32 and times finite",
    },
  );
}

export interface OpRef {
  name: string;
  path: string | null;
}

/**
 * Unlabelled rows of shared operands are shared instructions (q1/intern.ts: one frozen object per
 * distinct row): never mutate an instruction of `instructions`, replace it.
 */
export class ProgramBuilder {
  readonly instructions: Instruction[] = [];
  /** per row: the IR node (a typed array while emitting: cheaper than a growing list) */
  private rowNodes = new Int32Array(1024);
  /** the node being emitted; set by the program pass before it emits a node's instructions */
  currentNode = -1;
  /** executable instructions (rows with a mnemonic) */
  count = 0;
  readonly registers: RegisterAllocator;
  /** current real-time position (ns, first iteration of open loops) */
  private nowNs = 0;
  /** start time of each open loop */
  private loopStarts: number[] = [];
  /** row of the last real-time instruction whose duration may absorb a short wait (−1 after a label) */
  private lastRt = -1;
  /** the last `wait <ns>` without comment that `wait` emitted, when its row is shared (for `repeat`) */
  private lastWait: { ns: number; row: Instruction | null } = { ns: -1, row: null };
  private pendingLabel: string | undefined;
  /** the operation being emitted when the instruction limit was first crossed */
  limitCrossedBy: OpRef | null = null;

  constructor(
    readonly where: string,
    registerLimit: number,
    private readonly instructionLimit: number,
    /** the shared rows; one table for all programs of a compilation lets them share rows too */
    readonly table: InstructionTable = new InstructionTable(),
  ) {
    this.registers = new RegisterAllocator(registerLimit, where);
  }

  get now(): number {
    return this.nowNs;
  }

  /** IR node id each instruction was emitted for, −1 for none (source map: instruction i is program line i + 1); a new list */
  get lineNodes(): number[] {
    return listOf(this.rowNodes, this.instructions.length);
  }

  /** id of each row in `table` when the row is a shared one, −1 when it is its own object (labelled, …); a new list */
  get internIds(): number[] {
    return this.instructions.map(sharedRowId);
  }

  /** Classical / parameter instruction: no real-time duration. */
  emit(mnemonic: Mnemonic, args: Operand[], comment: string | undefined, by: OpRef): Instruction {
    this.checkImmediates(mnemonic, args, by);
    return this.push(mnemonic, args, null, comment || undefined, by);
  }

  /** Real-time instruction whose last operand is a duration in ns; advances the clock. */
  emitRt(mnemonic: Mnemonic, args: Operand[], durationNs: number, comment: string | undefined, by: OpRef): void {
    const d = imm(durationNs);
    this.checkImmediates(mnemonic, args, by);
    this.checkImmediate(mnemonic, d, by);
    this.push(mnemonic, args, d, comment || undefined, by);
    this.nowNs += durationNs;
    this.lastRt = this.instructions.length - 1;
  }

  /**
   * Appends `row` again: a shared row of this builder's table that `sharedLast()` returned when the
   * caller emitted the same instruction before (a play's rows, a repeated wait), with its real-time
   * duration (−1: none). No lookup. False when it cannot (a label is pending, or the row is not a shared
   * row of this table): the caller then emits as usual.
   */
  repeat(row: Instruction, by: OpRef, durationNs = -1): boolean {
    if (this.pendingLabel !== undefined) return false;
    const id = sharedRowId(row);
    if (id < 0 || this.table.rows[id] !== row) return false;
    this.append(row, by);
    if (durationNs >= 0) {
      this.nowNs += durationNs;
      this.lastRt = this.instructions.length - 1;
    }
    return true;
  }

  /** The last row when it is a shared row (one `repeat` can append again), else null. */
  sharedLast(): Instruction | null {
    const row = this.instructions[this.instructions.length - 1];
    return row !== undefined && sharedRowId(row) >= 0 ? row : null;
  }

  /** Appends the row `mnemonic args… extra # comment`: the shared row when there is one, else a new object. */
  private push(
    mnemonic: Mnemonic,
    args: Operand[],
    extra: Operand | null,
    comment: string | undefined,
    by: OpRef,
  ): Instruction {
    const label = this.pendingLabel;
    // a labelled row is a jump target of its own: never shared
    const id = label === undefined ? this.table.intern(mnemonic, args, extra, comment) : -1;
    const ins = id >= 0 ? this.table.rows[id]! : ownRow(label, mnemonic, args, extra, comment);
    this.pendingLabel = undefined;
    this.append(ins, by);
    return ins;
  }

  private append(ins: Instruction, by: OpRef): void {
    const row = this.instructions.length;
    if (row === this.rowNodes.length) this.growRows();
    this.rowNodes[row] = this.currentNode;
    this.instructions.push(ins);
    if (++this.count > this.instructionLimit && this.limitCrossedBy === null) this.limitCrossedBy = by;
  }

  /** Row `row` with its duration (last operand) set to `ns`: a replacement row, never a mutation (rows are shared). */
  private setDuration(row: number, ns: number): void {
    const prev = this.instructions[row]!;
    const args = prev.args.slice(0, -1);
    const d = imm(ns);
    const id = prev.label === undefined ? this.table.intern(prev.mnemonic as Mnemonic, args, d, prev.comment) : -1;
    this.instructions[row] = id >= 0 ? this.table.rows[id]! : ownRow(prev.label, prev.mnemonic, args, d, prev.comment);
  }

  private growRows(): void {
    const next = new Int32Array(2 * this.rowNodes.length);
    next.set(this.rowNodes);
    this.rowNodes = next;
  }

  private checkImmediates(mnemonic: Mnemonic, args: readonly Operand[], by: OpRef): void {
    for (let k = 0; k < args.length; k++) this.checkImmediate(mnemonic, args[k]!, by);
  }

  private checkImmediate(mnemonic: Mnemonic, a: Operand, by: OpRef): void {
    if (a.kind === "imm" && !(Number.isInteger(a.value) && a.value >= MIN_IMMEDIATE && a.value <= MAX_IMMEDIATE))
      throw immediateOutOfRange(mnemonic, a.value, this.where, by);
  }

  /**
   * Real-time instruction whose duration is a register (`wait R`): the clock does not move (the
   * caller accounts for the time with `advance`) and no later short gap is folded into it.
   */
  emitRtRegister(mnemonic: Mnemonic, args: Operand[], comment: string | undefined, by: OpRef): void {
    this.emit(mnemonic, args, comment, by);
    this.lastRt = -1;
  }

  /** Move the clock by time spent in register-timed instructions (sweeps of waits, docs/sweeps.md). */
  advance(ns: number): void {
    this.nowNs += ns;
    this.lastRt = -1;
  }

  /** Label the next instruction (a label is a jump target, so no duration folding across it). */
  label(name: string): void {
    this.pendingLabel = name;
    this.lastRt = -1;
  }

  /** Wait until absolute time `t`; `by` is named when `t` is already past. */
  waitUntil(t: number, by: OpRef, what = "operation"): void {
    const delta = t - this.now;
    if (delta < 0) {
      throw new TimingError(
        "OVERLAPPING_OPERATIONS",
        `${what} "${by.name}" starts at ${t} ns, but the sequencer ${this.where} is busy until ${this.now} ns`,
        {
          path: by.path,
          hint: "every real-time instruction (play, acquire, upd_param after a parameter change) occupies the sequencer for 4 ns; start the operation at the same time as the previous one or at least 4 ns after it",
        },
      );
    }
    if (delta > 0) this.wait(delta, by);
  }

  /** Emit waits for `T` ns (reference 4.5), never a wait below 4 ns. */
  wait(T: number, by: OpRef): void {
    if (T < 4) {
      const prev = this.lastRt < 0 ? undefined : this.instructions[this.lastRt];
      const durArg = prev?.args[prev.args.length - 1];
      if (prev && durArg?.kind === "imm" && durArg.value + T <= MAX_RT_DURATION_NS) {
        this.setDuration(this.lastRt, durArg.value + T); // the row may be shared: replaced, never mutated
        this.nowNs += T;
        return;
      }
      throw new TimingError(
        "GAP_TOO_SHORT",
        `"${by.name}" starts ${T} ns after the previous real-time instruction slot on ${this.where}; the sequencer needs 0 or ≥ 4 ns`,
        {
          path: by.path,
          hint: "shift the operation by a few ns so that gaps between operations are 0 or at least 4 ns",
        },
      );
    }
    let n = Math.floor(T / MAX_WAIT_NS);
    let rest = T - n * MAX_WAIT_NS;
    let tail = NO_TAIL;
    if (rest > 0 && rest < 4) {
      // keep every wait ≥ 4 ns: split the last full chunk + remainder into two valid waits
      n -= 1;
      tail = [MAX_WAIT_NS - 4, 4 + rest];
      rest = 0;
    }
    // a single `wait T` says it all; split waits carry their total
    const comment = T > MAX_WAIT_NS ? sharedComment("wait", T, "", waitComment) : undefined;
    if (n > MAX_UNROLLED_WAITS) {
      const r = this.registers.allocate(by);
      this.emit("move", [imm(n), reg(r)], comment, by);
      const name = `wait${this.count}`;
      this.label(name);
      this.emitRt("wait", NO_OPERANDS, MAX_WAIT_NS, undefined, by);
      this.emit("loop", [reg(r), lbl(name)], undefined, by);
      this.nowNs += (n - 1) * MAX_WAIT_NS;
      this.lastRt = -1;
      this.registers.release(r);
    } else {
      for (let i = 0; i < n; i++) this.emitRt("wait", NO_OPERANDS, MAX_WAIT_NS, i === 0 ? comment : undefined, by);
    }
    for (const w of tail) this.emitRt("wait", NO_OPERANDS, w, n === 0 ? comment : undefined, by);
    if (rest > 0) {
      const restComment = n === 0 && tail.length === 0 ? comment : undefined;
      // gaps repeat (the wait between pulses of a train): the last plain wait's row is appended again
      const again = restComment === undefined && rest === this.lastWait.ns ? this.lastWait.row : null;
      if (again === null || !this.repeat(again, by, rest)) {
        this.emitRt("wait", NO_OPERANDS, rest, restComment, by);
        if (restComment === undefined) this.lastWait = { ns: rest, row: this.sharedLast() };
      }
    }
  }

  /** Restart the schedule clock at 0 (the header before the repetition loop is not schedule time). */
  resetClock(): void {
    this.nowNs = 0;
    this.loopStarts = [];
    this.lastRt = -1;
  }

  /** Put the clock back to `t` (the other branch of a conditional starts where the first one did). */
  restartAt(t: number): void {
    this.nowNs = t;
    this.lastRt = -1;
  }

  enterLoop(): void {
    this.loopStarts.push(this.nowNs);
  }

  exitLoop(repetitions: number): void {
    const start = this.loopStarts.pop()!;
    this.nowNs = start + (this.nowNs - start) * repetitions;
    this.lastRt = -1;
  }
}

/**
 * A row of its own: operands at exact length (push() on a caller's literal would grow its store to ~20
 * slots, and rows live until the compile ends); one object shape for every instruction (label and
 * comment always present) keeps readers monomorphic.
 */
function ownRow(
  label: string | undefined,
  mnemonic: Mnemonic | "",
  args: Operand[],
  extra: Operand | null,
  comment: string | undefined,
): Instruction {
  const n = args.length;
  const full =
    extra === null
      ? args
      : n === 0
        ? [extra]
        : n === 1
          ? [args[0]!, extra]
          : n === 2
            ? [args[0]!, args[1]!, extra]
            : [...args, extra];
  return { label, mnemonic, args: full, comment };
}

/** The first `n` values of `a` as a plain list (pass outputs are plain data). */
function listOf(a: Int32Array, n: number): number[] {
  const list = new Array<number>(n);
  for (let i = 0; i < n; i++) list[i] = a[i]!;
  return list;
}
