/**
 * The last check of the emit phase: every emitted program is assembled (assembleInstructions, no text
 * round trip; validateInstructions first, the located error only when it fails), so a compile
 * that succeeds always assembles. Operand ranges are already checked where
 * instructions are emitted (builder.ts); this catches whatever slips through, naming the operation
 * whose instruction fails (through the program's line → node table).
 */
import { Q1ForgeError, ValueRangeError } from "../../core/errors.js";
import { assembleInstructions } from "../../q1/assembler.js";
import { validateInstructions } from "../../q1/validate-quick.js";
import { formatOperand } from "../../q1/print.js";
import type { Instruction } from "../../q1/types.js";
import type { IrNode } from "../ir/nodes.js";
import { forEachOp } from "../ir/walk.js";

export function checkProgramAssembles(
  instructions: readonly Instruction[],
  lineNodes: readonly number[],
  nodes: readonly IrNode[],
  where: string,
  instructionLimit: "error" | "warn",
): void {
  try {
    try {
      // the common case: cheap pass/fail. With instructionLimit "warn" the program may knowingly exceed
      // the instruction memory (reported as a warning): no limit here, so that no full assembly runs.
      const opts = instructionLimit === "warn" ? { maxInstructions: Infinity } : {};
      validateInstructions(instructions, opts);
    } catch {
      assembleInstructions(instructions, instructionLimit === "warn" ? { maxInstructions: Infinity } : {}); // located error
    }
  } catch (e) {
    if (!(e instanceof Q1ForgeError)) throw e;
    // over the instruction memory on purpose (instructionLimit "warn"): the limit was reported as a warning
    if (e.code === "TOO_MANY_INSTRUCTIONS" && instructionLimit === "warn") return;
    const line = "line" in e && typeof e.line === "number" ? e.line : 0;
    const ins = instructions[line - 1];
    const nodeId = lineNodes[line - 1] ?? -1;
    let op: { name: string; path: string | null } | null = null;
    if (nodeId >= 0)
      forEachOp(nodes, (n) => {
        if (n.id === nodeId) op = { name: n.op.name, path: n.op.path };
      });
    const found = op as { name: string; path: string | null } | null;
    const text = ins ? `${ins.mnemonic} ${ins.args.map(formatOperand).join(",")}`.trim() : "";
    throw new ValueRangeError(
      "PROGRAM_DOES_NOT_ASSEMBLE",
      `the program of ${where} does not assemble at line ${line}${text ? ` (\`${text}\`)` : ""}${found ? `, emitted for "${found.name}"` : ""}: ${e.message}`,
      {
        path: found?.path ?? null,
        hint: "a value of this operation is outside what the instruction can hold; bring it into range",
        cause: e,
      },
    );
  }
}
