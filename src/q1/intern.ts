/**
 * Shared instruction rows. A program of 300,000 rows usually holds a few dozen distinct ones
 * (`play 0,0,4 # play X (20 ns)`, `wait 36`, …): an unlabelled row whose operands are the shared
 * operands of reg()/imm() is one frozen Instruction per distinct (mnemonic, operands, comment) once it
 * repeats. Each carries its id in the table under a hidden symbol key (`sharedRowId`), so the printer and the
 * assembly check handle each distinct row once: printProgram / validateInstructions use the id as a
 * slot and the row's identity to confirm it (rows of another table, or copies, are simply handled
 * row by row). Frozen, so equal identity means equal text forever.
 *
 * The lookup is an open-addressing hash table over integers (mnemonic characters, each operand's value,
 * a small id per comment text) that compares operands by identity: a hit builds no string and
 * allocates nothing.
 */
import type { Mnemonic } from "./instructions.js";
import { canonicalKey, type Instruction, type Operand } from "./types.js";

/** Distinct rows one table holds; past it, rows are not shared (−1), so memory stays bounded. */
const DEFAULT_MAX_ROWS = 1 << 16;
/** Distinct comment texts one table numbers (past it, rows with a new comment are not shared). */
const MAX_COMMENTS = 1 << 14;
/** imm() shares immediates up to this magnitude (src/q1/types.ts); larger ones are never shared operands */
const SHARED_IMM_LIMIT = 65536;
/**
 * Slots a lookup probes before it gives up (the row is then the line's own, not shared): with the
 * per-process seed below, rows crafted to collide cannot make interning quadratic. Far above the
 * runs a table at most half full has (a lower cap, 32, left ordinary rows unshared now and then).
 */
const MAX_PROBES = 128;
/** Per-process seed of the row hash (operand values come from user input). */
const SEED = (Math.random() * 0x100000000) | 0;

/** murmur3's finaliser: every input bit reaches the low bits that pick the slot. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The key of a shared row's id: a symbol, not enumerable, so JSON, equality checks and copies never see it. */
const ROW_ID: unique symbol = Symbol("q1forge.sharedRowId");
type SharedRow = Instruction & { readonly [ROW_ID]?: number };

/** The id of a shared row in its table (a small non-negative integer), −1 for any other instruction. */
export function sharedRowId(ins: Instruction): number {
  return (ins as SharedRow)[ROW_ID] ?? -1;
}

export class InstructionTable {
  /** the row of each id (frozen and shared from its second use on) */
  readonly rows: Instruction[] = [];
  /** slot → id + 1 (0 = empty); a power of two, at least twice the rows (doubled as rows are added) */
  private slots = new Int32Array(64);
  private mask = 63;
  /** the hash of each row (for re-slotting when the table doubles) */
  private readonly hashes: number[] = [];
  /** whether each row has been asked for twice, and so is frozen and carries its id (`share`) */
  private readonly shared: boolean[] = [];
  private readonly commentIds = new Map<string, number>();
  /** the last comment looked up and its id (rows of one operation repeat their comment) */
  private lastComment: string | undefined = undefined;
  private lastCommentId = -1;

  constructor(
    readonly maxRows = DEFAULT_MAX_ROWS,
    /** slots a lookup probes before the row is left unshared (tests lower it) */
    private readonly maxProbes = MAX_PROBES,
  ) {}

  /**
   * The id of the shared row `mnemonic args… extra # comment` (`extra`, when not null, is appended to
   * `args`: a real-time instruction's duration), creating it on first use; −1 when an operand is not
   * a shared one (a label, a large immediate, a fresh object) or the table is full.
   */
  intern(mnemonic: Mnemonic, args: readonly Operand[], extra: Operand | null, comment: string | undefined): number {
    const m = mnemonic.length;
    let h = SEED ^ (m === 0 ? 0 : Math.imul(mnemonic.charCodeAt(0) * 31 + mnemonic.charCodeAt(m - 1), 0x9e3779b1) ^ m);
    const n = args.length;
    // refused before the comment is looked up: jumps (labels are per program) and immediates outside
    // the shared range (frequencies, phases: mostly one-off rows)
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (a.kind === "label" || (a.kind === "imm" && !(Math.abs(a.value) <= SHARED_IMM_LIMIT))) return -1;
      h = Math.imul(h ^ operandHash(a), 0x85ebca6b) ^ (h >>> 13);
    }
    if (extra !== null) {
      if (extra.kind === "label" || (extra.kind === "imm" && !(Math.abs(extra.value) <= SHARED_IMM_LIMIT))) return -1;
      h = Math.imul(h ^ operandHash(extra), 0x85ebca6b) ^ (h >>> 13);
    }
    if (comment !== undefined) {
      const c = comment === this.lastComment ? this.lastCommentId : this.commentId(comment);
      if (c < 0) return -1;
      h = Math.imul(h ^ (c + 1), 0xc2b2ae35) ^ (h >>> 16);
    }
    h = fmix(h);
    // operands compare by identity: a row found here has the very operand objects asked for
    const total = extra === null ? n : n + 1;
    const slots = this.slots;
    const mask = this.mask;
    for (let s = h & mask, probes = 0; ; s = (s + 1) & mask, probes++) {
      if (probes > this.maxProbes) return -1; // a long run of colliding rows: not shared
      const e = slots[s]!;
      if (e === 0) break;

      const row = this.rows[e - 1]!;
      if (row.mnemonic !== mnemonic || row.comment !== comment) continue;
      const a = row.args;
      if (a.length !== total || (extra !== null && a[n] !== extra)) continue;
      let same = true;
      for (let i = 0; i < n; i++)
        if (a[i] !== args[i]) {
          same = false;
          break;
        }
      if (same) {
        if (!this.shared[e - 1]) this.share(e - 1);
        return e - 1;
      }
    }
    // a new row is shared only when its operands are the shared ones (others are fresh objects each time)
    if (this.rows.length >= this.maxRows) return -1;
    for (let i = 0; i < n; i++) if (canonicalKey(args[i]!) < 0) return -1;
    if (extra !== null && canonicalKey(extra) < 0) return -1;
    return this.add(h, mnemonic, args, extra, comment);
  }

  /**
   * A new row in the first free slot from `h` (its operand list at exact length). It is the line's own
   * row until asked for again: most rows of a program either repeat many times or never, and freezing
   * and naming a row that never repeats would cost more than the row itself.
   */
  private add(
    h: number,
    mnemonic: Mnemonic,
    args: readonly Operand[],
    extra: Operand | null,
    comment?: string,
  ): number {
    const id = this.rows.length;
    if (2 * (id + 1) > this.slots.length) this.grow();
    if (this.freeSlot(h) < 0) return -1; // its slot is too far from home: the row stays the line's own
    const own = extra === null ? args.slice() : [...args, extra];
    // one object shape for every instruction (label and comment always present) keeps readers monomorphic
    const row: Instruction = { label: undefined, mnemonic, args: own, comment };
    this.rows.push(row);
    this.shared.push(false);
    this.hashes.push(h);
    this.place(h, id);
    return id;
  }

  /** Row `id` asked for a second time: frozen (with its operand list) and named by its id from now on. */
  private share(id: number): void {
    const row = this.rows[id]!;
    Object.freeze(row.args);
    Object.defineProperty(row, ROW_ID, { value: id, enumerable: false });
    Object.freeze(row);
    this.shared[id] = true;
  }

  /** The first free slot within maxProbes of `h`'s slot, −1 when there is none. */
  private freeSlot(h: number): number {
    for (let s = h & this.mask, probes = 0; probes <= this.maxProbes; s = (s + 1) & this.mask, probes++)
      if (this.slots[s] === 0) return s;
    return -1;
  }

  /** Puts row `id` in the first free slot from its hash. */
  private place(h: number, id: number): void {
    let s = h & this.mask;
    while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    this.slots[s] = id + 1;
  }

  /** Doubles the slots (a small table costs little to create: most compilations have few distinct rows). */
  private grow(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.rows.length; id++) this.place(this.hashes[id]!, id);
  }

  /** A small number per distinct comment text (Map of strings: the text's hash is cached in the string). */
  private commentId(comment: string): number {
    let c = this.commentIds.get(comment);
    if (c === undefined) {
      if (this.commentIds.size >= MAX_COMMENTS) return -1;
      c = this.commentIds.size;
      this.commentIds.set(comment, c);
    }
    this.lastComment = comment;
    this.lastCommentId = c;
    return c;
  }
}

/** An integer of the operand's value for hashing (equal operands hash alike; the table compares identity). */
function operandHash(op: Operand): number {
  return op.kind === "imm" ? op.value | 0 : op.kind === "reg" ? op.index + 0x40000000 : 0x50000000;
}
