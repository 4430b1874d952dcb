/**
 * Shared instruction rows (src/q1/intern.ts) and the two readers that use their ids: printProgram
 * prints each distinct row once, validateInstructions checks each distinct row once.
 */
import { describe, expect, it } from "vitest";
import { Q1AsmError } from "../../src/core/errors.js";
import { validateInstructions } from "../../src/q1/validate-quick.js";
import { InstructionTable, sharedRowId } from "../../src/q1/intern.js";
import { printProgram } from "../../src/q1/print.js";
import { canonicalKey, imm, lbl, reg, type Instruction } from "../../src/q1/types.js";

describe("canonicalKey", () => {
  it("names the shared operands of imm()/reg() and nothing else", () => {
    expect([canonicalKey(reg(0)), canonicalKey(reg(63)), canonicalKey(imm(0)), canonicalKey(imm(5))]).toEqual([
      0, 63, 64, 74,
    ]);
    expect([canonicalKey(imm(-1)), canonicalKey(imm(65536)), canonicalKey(imm(-65536))]).toEqual([67, 131136, 131137]);
    // equal values that are not the shared objects, values outside the cache, labels
    expect(canonicalKey({ kind: "imm", value: 5 })).toBe(-1);
    expect(canonicalKey({ kind: "reg", index: 3 })).toBe(-1);
    expect([canonicalKey(imm(65537)), canonicalKey(imm(1.5)), canonicalKey(imm(NaN)), canonicalKey(lbl("a"))]).toEqual([
      -1, -1, -1, -1,
    ]);
  });

  it("imm(-0) is imm(0) (no −0 operand)", () => {
    expect(imm(-0)).toBe(imm(0));
    expect(Object.is(imm(-0).kind === "imm" && (imm(-0) as { value: number }).value, 0)).toBe(true);
  });
});

/** The table's row for these parts, asked for twice: shared (frozen, with its id). */
function sharedRow(t: InstructionTable, ...parts: Parameters<InstructionTable["intern"]>): Instruction {
  t.intern(...parts);
  return t.rows[t.intern(...parts)]!;
}

describe("InstructionTable", () => {
  it("one frozen row per distinct (mnemonic, operands, comment)", () => {
    const t = new InstructionTable();
    const a = t.intern("play", [imm(0), imm(1)], imm(4), "play X (20 ns)");
    const b = t.intern("play", [imm(0), imm(1)], imm(4), `play X (${20} ns)`); // equal text, another string
    const c = t.intern("play", [imm(0), imm(1), imm(4)], null, "play X (20 ns)"); // the duration passed in args
    expect([a, b, c]).toEqual([0, 0, 0]);
    expect(t.intern("play", [imm(0), imm(1)], imm(4), undefined)).toBe(1);
    expect(t.intern("play", [imm(1), imm(0)], imm(4), undefined)).toBe(2);
    expect(t.intern("play", [imm(0), imm(1)], imm(8), undefined)).toBe(3);
    expect(t.intern("wait", [], imm(4), undefined)).toBe(4);
    expect(t.intern("upd_param", [], imm(4), undefined)).toBe(5);
    expect(t.intern("wait", [], imm(4), undefined)).toBe(4);
    const row = t.rows[0]!;
    expect(row).toEqual({
      label: undefined,
      mnemonic: "play",
      args: [imm(0), imm(1), imm(4)],
      comment: "play X (20 ns)",
    });
    expect(Object.isFrozen(row) && Object.isFrozen(row.args)).toBe(true);
    expect(row.args[2]).toBe(imm(4));
  });

  it("a row whose slot run is longer than the probe limit stays unshared; every shared id still names its own row", () => {
    // probe limit 0: any row whose home slot is taken is left to its line (−1) instead of probing on
    const t = new InstructionTable(1 << 16, 0);
    const ids: number[] = [];
    for (let g = 0; g < 200; g++) ids.push(t.intern("set_awg_gain", [imm(g), imm(-g)], null, undefined));
    const refused = ids.filter((id) => id < 0).length;
    expect(refused).toBeGreaterThan(0); // 200 rows in 512 slots: some home slots collide
    expect(t.rows).toHaveLength(200 - refused);
    ids.forEach((id, g) => {
      if (id < 0) return;
      expect(t.rows[id]!.args).toEqual([imm(g), imm(-g)]);
      expect(t.intern("set_awg_gain", [imm(g), imm(-g)], null, undefined)).toBe(id); // found again, same id
    });
  });

  it("rows with an operand that is not shared (label, large immediate, fresh object) are not shared", () => {
    const t = new InstructionTable();
    expect(t.intern("loop", [reg(0)], lbl("start"), undefined)).toBe(-1);
    expect(t.intern("move", [imm(100_000), reg(0)], null, undefined)).toBe(-1);
    expect(t.intern("move", [{ kind: "imm", value: 1 }, reg(0)], null, undefined)).toBe(-1);
    expect(t.rows).toHaveLength(0);
    // the shared operand of the same value is
    expect(t.intern("move", [imm(1), reg(0)], null, undefined)).toBe(0);
  });

  it("grows: thousands of distinct rows keep their ids", () => {
    const t = new InstructionTable();
    const ids = Array.from({ length: 5000 }, (_, v) =>
      t.intern("wait", [], imm(4 + v), v % 7 === 0 ? `w${v}` : undefined),
    );
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, v) => v));
    expect(
      Array.from({ length: 5000 }, (_, v) => t.intern("wait", [], imm(4 + v), v % 7 === 0 ? `w${v}` : undefined)),
    ).toEqual(ids);
    expect(t.rows[4999]!.args).toEqual([imm(5003)]);
  });

  it("is bounded: past maxRows new rows are not shared, known ones still are", () => {
    const t = new InstructionTable(3);
    expect([0, 1, 2, 3].map((v) => t.intern("set_mrk", [imm(v)], null, undefined))).toEqual([0, 1, 2, -1]);
    expect(t.intern("set_mrk", [imm(1)], null, undefined)).toBe(1);
    expect(t.rows).toHaveLength(3);
  });
});

/** A program of shared rows and rows of their own. */
function sharedProgram(): Instruction[] {
  const t = new InstructionTable();
  const rows: Instruction[] = [];
  const add = (mnemonic: "play" | "wait" | "set_awg_gain", args: ReturnType<typeof imm>[], comment?: string) =>
    rows.push(t.rows[t.intern(mnemonic, args, null, comment)]!);
  rows.push({ label: undefined, mnemonic: "move", args: [imm(3), reg(0)], comment: "iterator" });
  rows.push({ label: "start", mnemonic: "reset_ph", args: [] });
  for (let k = 0; k < 4; k++) {
    add("set_awg_gain", [imm(100 * (k % 2)), imm(-7)]);
    add("play", [imm(0), imm(1), imm(4)], "play drive (20 ns)");
    add("wait", [imm(36)], k === 2 ? "Ångström wait" : undefined);
  }
  rows.push({ label: undefined, mnemonic: "set_freq", args: [imm(400_000_000)], comment: undefined });
  rows.push({ label: undefined, mnemonic: "loop", args: [reg(0), lbl("start")] });
  rows.push({ label: undefined, mnemonic: "stop", args: [] });
  return rows;
}

/** Copies of the rows: no shared-row ids, so printing and checking them goes line by line. */
const plainCopies = (rows: readonly Instruction[]): Instruction[] => rows.map((r) => ({ ...r }));

describe("sharedRowId", () => {
  it("is the row's id in its table, hidden from keys, JSON and equality; copies have none", () => {
    const t = new InstructionTable();
    t.intern("wait", [], imm(4), undefined);
    const once = t.rows[t.intern("play", [imm(0), imm(1)], imm(8), "c")]!;
    expect([sharedRowId(once), Object.isFrozen(once)]).toEqual([-1, false]); // asked for once: the line's own row
    const row = sharedRow(t, "play", [imm(0), imm(1)], imm(4), "c");
    expect(sharedRowId(row)).toBe(2);
    expect(Object.isFrozen(row) && Object.isFrozen(row.args)).toBe(true);
    expect(Object.keys(row)).toEqual(["label", "mnemonic", "args", "comment"]);
    expect(row).toStrictEqual({ label: undefined, mnemonic: "play", args: [imm(0), imm(1), imm(4)], comment: "c" });
    expect(JSON.stringify(row)).toBe(
      '{"mnemonic":"play","args":[{"kind":"imm","value":0},{"kind":"imm","value":1},{"kind":"imm","value":4}],"comment":"c"}',
    );
    expect(sharedRowId({ ...row })).toBe(-1);
    expect(sharedRowId(JSON.parse(JSON.stringify(row)) as Instruction)).toBe(-1);
    expect(sharedRowId({ mnemonic: "stop", args: [] })).toBe(-1);
  });
});

describe("printProgram with shared rows", () => {
  it("prints exactly what line-by-line printing prints (labels, own rows, non-ASCII comments)", () => {
    const rows = sharedProgram();
    const plain = printProgram(plainCopies(rows));
    expect(printProgram(rows)).toBe(plain);
    expect(plain.split("\n").slice(0, 6)).toEqual([
      " move 3,R0 # iterator",
      "start: reset_ph",
      " set_awg_gain 0,-7",
      " play 0,1,4 # play drive (20 ns)",
      " wait 36",
      " set_awg_gain 100,-7",
    ]);
    expect(plain).toContain(" wait 36 # Ångström wait\n");
  });

  it("rows of two tables with the same id in one program, and in consecutive programs, print as themselves", () => {
    const a = new InstructionTable();
    const b = new InstructionTable();
    const a0 = sharedRow(a, "wait", [], imm(4), undefined);
    const b0 = sharedRow(b, "wait", [], imm(8), undefined);
    expect([sharedRowId(a0), sharedRowId(b0)]).toEqual([0, 0]);
    const stop: Instruction = { mnemonic: "stop", args: [] };
    expect(printProgram([a0, b0, a0, a0, b0, b0, a0, stop])).toBe(
      " wait 4\n wait 8\n wait 4\n wait 4\n wait 8\n wait 8\n wait 4\n stop\n",
    );
    expect(printProgram([a0, a0, stop])).toBe(" wait 4\n wait 4\n stop\n");
    expect(printProgram([b0, b0, stop])).toBe(" wait 8\n wait 8\n stop\n");
  });
});

describe("printProgram copies repeating stretches", () => {
  /** A deterministic pseudo-random sequence (xorshift32). */
  const random = (seed: number) => () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };

  it("equals the plain path on programs of repeated stretches, own rows and non-ASCII comments", () => {
    const next = random(12345);
    for (let trial = 0; trial < 200; trial++) {
      const t = new InstructionTable();
      const alphabet = 1 + Math.floor(next() * 12);
      const rows: Instruction[] = [];
      const push = (k: number) => {
        const id = t.intern("wait", [], imm(4 + k), k % 5 === 4 ? `ünïcode ${k}` : k % 3 === 0 ? `w${k}` : undefined);
        rows.push(t.rows[id]!);
      };
      while (rows.length < 400) {
        const r = next();
        if (r < 0.1) {
          rows.push({
            label: undefined,
            mnemonic: "set_freq",
            args: [imm(1_000_000 + rows.length)],
            comment: undefined,
          });
        } else if (r < 0.5 && rows.length > 0) {
          // repeat a stretch of earlier rows, possibly overlapping the rows it produces
          const from = Math.floor(next() * rows.length);
          const count = 1 + Math.floor(next() * 60);
          for (let i = 0; i < count; i++) rows.push(rows[from + i]!);
        } else push(Math.floor(next() * alphabet));
      }
      rows.push({ mnemonic: "stop", args: [] });
      expect(printProgram(rows)).toBe(printProgram(plainCopies(rows)));
    }
  });

  it("a program of one repeated block prints every line", () => {
    const t = new InstructionTable();
    const block = [
      t.intern("set_awg_gain", [imm(3274), imm(0)], null, undefined),
      t.intern("play", [imm(0), imm(0)], imm(4), "play GaussPulse (20 ns)"),
      t.intern("wait", [], imm(36), undefined),
    ];
    const text = printProgram(Array.from({ length: 30_000 }, (_, i) => t.rows[block[i % 3]!]!));
    expect(text.length).toBe(
      10_000 *
        (" set_awg_gain 3274,0\n".length + " play 0,0,4 # play GaussPulse (20 ns)\n".length + " wait 36\n".length),
    );
    expect(text.split("\n").slice(-4)).toEqual([
      " set_awg_gain 3274,0",
      " play 0,0,4 # play GaussPulse (20 ns)",
      " wait 36",
      "",
    ]);
    expect(new Set(text.split("\n")).size).toBe(4);
  });
});

describe("validateInstructions with shared rows", () => {
  const errorOf = (f: () => void): Q1AsmError => {
    try {
      f();
    } catch (e) {
      if (e instanceof Q1AsmError) return e;
      throw e;
    }
    throw new Error("no error");
  };

  it("accepts a valid program, and throws the same errors as line-by-line checking", () => {
    const rows = sharedProgram();
    expect(() => validateInstructions(rows)).not.toThrow();
    // the whole-program checks still run: no final stop, too many instructions, undefined label
    const noStop = rows.slice(0, -1);
    expect(errorOf(() => validateInstructions(noStop)).message).toBe(
      errorOf(() => validateInstructions(plainCopies(noStop))).message,
    );
    const limit = { maxInstructions: 5 };
    expect(errorOf(() => validateInstructions(rows, limit)).code).toBe("TOO_MANY_INSTRUCTIONS");
    const badLabel = rows.map((r) => (r.label === "start" ? { ...r, label: "begin" } : r));
    expect(errorOf(() => validateInstructions(badLabel)).code).toBe("UNKNOWN_LABEL");
  });

  it("an invalid shared row is reported at its first line", () => {
    const t = new InstructionTable();
    const bad = sharedRow(t, "play", [imm(0), imm(1)], imm(2), undefined); // a duration of 2 ns
    expect(sharedRowId(bad)).toBe(0);
    const rows: Instruction[] = [bad, bad, { mnemonic: "stop", args: [] }];
    const shared = errorOf(() => validateInstructions(rows));
    const plain = errorOf(() => validateInstructions(plainCopies(rows)));
    expect([shared.code, shared.line, shared.message]).toEqual([plain.code, 1, plain.message]);
  });

  it("a row of another table under the same id is checked for itself", () => {
    const a = new InstructionTable();
    const b = new InstructionTable();
    const ok = sharedRow(a, "wait", [], imm(4), undefined);
    const bad = sharedRow(b, "wait", [], imm(2), undefined);
    expect([sharedRowId(ok), sharedRowId(bad)]).toEqual([0, 0]);
    const stop: Instruction = { mnemonic: "stop", args: [] };
    validateInstructions([ok, stop]);
    expect(errorOf(() => validateInstructions([ok, bad, stop])).line).toBe(2);
    expect(errorOf(() => validateInstructions([bad, stop])).code).toBe(
      errorOf(() => validateInstructions(plainCopies([bad, stop]))).code,
    );
  });
});
