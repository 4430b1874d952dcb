/**
 * Shared instruction rows in emission (3-emit/builder.ts, q1/intern.ts): equal unlabelled rows are one
 * frozen object, a short-gap fold replaces its row instead of mutating a shared one, Q1ASM hooks get
 * rows of their own, and the printed program is the one the plain path prints.
 */
import { describe, expect, it } from "vitest";
import { ProgramBuilder, type OpRef } from "../../../src/compiler/3-emit/builder.js";
import { compile } from "../../../src/compiler/index.js";
import { generatePrograms } from "../../../src/compiler/3-emit/program.js";
import type { CompileWarning } from "../../../src/compiler/ir/plan.js";
import { InstructionTable, sharedRowId } from "../../../src/q1/intern.js";
import { printProgram } from "../../../src/q1/print.js";
import { imm, reg, type Instruction } from "../../../src/q1/types.js";
import { basebandHardware, RESOURCES } from "../fixtures.js";
import { config, schedule, seqOf, square } from "../options-helpers.js";
import { planPasses, programOptions } from "./run-passes.js";

const by: OpRef = { name: "op", path: "/schedulables/0/operation" };
const fresh = (table?: InstructionTable) => new ProgramBuilder("test.seq0", 64, 16384, table);
const text = (b: ProgramBuilder) => printProgram(b.instructions).split("\n").slice(0, -1);

describe("ProgramBuilder shares equal rows", () => {
  it("two equal rows are one frozen object; a labelled row and a row with a large immediate are their own", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(1)], 4, "play p (20 ns)", by);
    b.emitRt("play", [imm(0), imm(1)], 4, "play p (20 ns)", by);
    b.label("again");
    b.emitRt("play", [imm(0), imm(1)], 4, "play p (20 ns)", by);
    b.emit("move", [imm(100_000), reg(0)], undefined, by);
    b.emit("move", [imm(100_000), reg(0)], undefined, by);
    const [p0, p1, p2, m0, m1] = b.instructions;
    expect(p1).toBe(p0);
    expect(Object.isFrozen(p0) && Object.isFrozen(p0!.args)).toBe(true);
    expect(p2).not.toBe(p0);
    expect(p2).toEqual({ ...p0, label: "again" });
    expect(m1).not.toBe(m0);
    expect(b.internIds).toEqual([0, 0, -1, -1, -1]);
    expect(text(b)).toEqual([
      " play 0,1,4 # play p (20 ns)",
      " play 0,1,4 # play p (20 ns)",
      "again: play 0,1,4 # play p (20 ns)",
      " move 100000,R0",
      " move 100000,R0",
    ]);
    expect(b.count).toBe(5);
  });

  it("an empty comment is no comment (one row for both)", () => {
    const b = fresh();
    b.emit("set_mrk", [imm(3)], "", by);
    b.emit("set_mrk", [imm(3)], undefined, by);
    expect(b.instructions[1]).toBe(b.instructions[0]);
    expect(b.instructions[0]!.comment).toBeUndefined();
  });

  it("builders on one table share rows across programs", () => {
    const table = new InstructionTable();
    const a = fresh(table);
    const b = fresh(table);
    a.emitRt("wait", [], 36, undefined, by);
    b.emitRt("wait", [], 36, undefined, by);
    expect(b.instructions[0]).toBe(a.instructions[0]);
    expect(fresh().instructions).toEqual([]);
  });
});

describe("ProgramBuilder.repeat", () => {
  it("appends a shared row of its table again, with its duration; refuses other rows and a pending label", () => {
    const table = new InstructionTable();
    const b = fresh(table);
    b.emitRt("play", [imm(0), imm(1)], 4, "p", by);
    expect(b.sharedLast()).toBeNull(); // asked for once: not shared yet
    b.emitRt("play", [imm(0), imm(1)], 4, "p", by);
    const row = b.sharedLast()!;
    expect(row).toBe(b.instructions[0]);
    expect(b.repeat(row, by, 4)).toBe(true);
    expect([b.instructions.length, b.count, b.now]).toEqual([3, 3, 12]);
    expect(b.instructions[2]).toBe(row);
    // a short gap after a repeated row folds into a replacement, as after emitRt
    b.waitUntil(14, by);
    expect(text(b)).toEqual([" play 0,1,4 # p", " play 0,1,4 # p", " play 0,1,6 # p"]);
    // not after a label, not an unshared row, not a row of another table
    b.label("here");
    expect(b.repeat(row, by, 4)).toBe(false);
    b.emitRt("play", [imm(0), imm(1)], 4, "p", by);
    expect(b.instructions.at(-1)!.label).toBe("here");
    expect(b.repeat({ mnemonic: "play", args: [imm(0), imm(1), imm(4)], comment: "p" }, by, 4)).toBe(false);
    const other = fresh();
    other.emit("set_mrk", [imm(1)], undefined, by);
    other.emit("set_mrk", [imm(1)], undefined, by);
    expect(b.repeat(other.sharedLast()!, by)).toBe(false);
    expect(b.count).toBe(4);
  });

  it("waits of a repeated gap are one row, printed as before", () => {
    const b = fresh();
    for (let k = 0; k < 4; k++) {
      b.waitUntil(40 * k, by);
      b.emitRt("play", [imm(0), imm(0)], 4, undefined, by);
    }
    b.label("end");
    b.waitUntil(160, by);
    expect(text(b)).toEqual([
      " play 0,0,4",
      " wait 36",
      " play 0,0,4",
      " wait 36",
      " play 0,0,4",
      " wait 36",
      " play 0,0,4",
      "end: wait 36",
    ]);
    expect(b.instructions[5]).toBe(b.instructions[3]);
    expect(b.instructions[7]!.label).toBe("end");
    expect(b.now).toBe(160);
  });
});

describe("the short-gap fold replaces its row", () => {
  it("does not change another line that shares the row", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(1)], 4, undefined, by);
    b.waitUntil(40, by);
    b.emitRt("play", [imm(0), imm(1)], 4, undefined, by);
    const shared = b.instructions[0]!;
    expect(b.instructions[2]).toBe(shared);
    b.waitUntil(46, by); // 2 ns: folded into the play at 40 ns
    expect(text(b)).toEqual([" play 0,1,4", " wait 36", " play 0,1,6"]);
    expect(shared.args).toEqual([imm(0), imm(1), imm(4)]);
    expect(b.instructions[0]).toBe(shared);
    // the new row is the table's (shared once asked for again), not the old one
    expect(b.table.rows).toContain(b.instructions[2]);
    expect(b.instructions[2]).not.toBe(shared);
    expect(b.now).toBe(46);
  });

  it("a folded row equal to an existing one becomes that row", () => {
    const b = fresh();
    b.emitRt("play", [imm(0), imm(1)], 6, undefined, by);
    b.emitRt("play", [imm(0), imm(1)], 4, undefined, by);
    b.waitUntil(12, by);
    expect(b.instructions[1]).toBe(b.instructions[0]);
    expect(b.internIds).toEqual([0, 0]);
  });

  it("a labelled row keeps its label and stays its own", () => {
    const b = fresh();
    b.label("top");
    b.emitRt("play", [imm(0), imm(1)], 4, undefined, by);
    b.waitUntil(7, by);
    expect(text(b)).toEqual(["top: play 0,1,7"]);
    expect(b.internIds).toEqual([-1]);
  });
});

describe("programs of a compilation", () => {
  const PULSES = {
    name: "shared",
    repetitions: 1,
    resources: RESOURCES,
    schedulables: [
      ...[0, 1, 2, 3].map((k) => ({
        operation: { type: "SquarePulse", name: "p", amp: 0.25, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
        ...(k > 0 ? { rel_time: "20 ns" } : {}),
      })),
      { operation: { type: "IdlePulse", duration: "100 ns" } },
    ],
  };

  it("lines share rows, and printing them is printing copies line by line", () => {
    const p = planPasses(PULSES, basebandHardware());
    const warnings: CompileWarning[] = [];
    const [prog] = generatePrograms(p.plan, p.waveforms, p.hw, programOptions(), warnings);
    const ins = prog!.instructions;
    const plays = ins.flatMap((r, i) => (r.mnemonic === "play" ? [i] : []));
    expect(plays).toHaveLength(4);
    for (const i of plays) expect(ins[i]).toBe(ins[plays[0]!]);
    expect(sharedRowId(ins[plays[0]!]!)).toBeGreaterThanOrEqual(0);
    // the labelled row of the repetition loop is its own
    const start = ins.find((r) => r.label === "start")!;
    expect(sharedRowId(start)).toBe(-1);
    expect(printProgram(ins)).toBe(printProgram(ins.map((r) => ({ ...r }))));
  });
});

describe("Q1ASM hooks get a row object of their own per line", () => {
  const hw = config({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:mw"]], {
    sequencer_options: { "q0:mw-q0.01": { qasm_hook_func: "edit" } },
  });
  const twoPlays = schedule([square("q0:mw", "q0.01"), square("q0:mw", "q0.01")], { "q0.01": { freq: 100e6 } });

  it("a hook mutating one line in place changes only that line", () => {
    let received: Instruction[] = [];
    const c = compile(twoPlays, hw, {
      qasmHooks: {
        edit: (rows) => {
          received = rows;
          const first = rows.find((r) => r.mnemonic === "play")!;
          first.comment = "edited";
          first.args[0] = imm(1);
          return rows;
        },
      },
    });
    const plays = received.filter((r) => r.mnemonic === "play");
    expect(plays).toHaveLength(2);
    expect(plays[0]).not.toBe(plays[1]);
    expect(plays[0]!.args).not.toBe(plays[1]!.args);
    const program = seqOf(c, "cluster0_module1", "q0:mw-q0.01").sequence.program.split("\n");
    expect(program.filter((l) => l.includes(" play "))).toEqual([
      " play 1,0,4 # edited",
      " play 0,0,4 # play SquarePulse (40 ns)",
    ]);
    // a second compilation is not affected by the first one's edits
    const again = seqOf(
      compile(twoPlays, hw, { qasmHooks: { edit: (rows) => rows } }),
      "cluster0_module1",
      "q0:mw-q0.01",
    );
    expect(again.sequence.program.split("\n").filter((l) => l.includes(" play "))).toEqual([
      " play 0,0,4 # play SquarePulse (40 ns)",
      " play 0,0,4 # play SquarePulse (40 ns)",
    ]);
  });
});
