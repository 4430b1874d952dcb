/**
 * `q1forge/q1`: the Q1ASM toolkit. The instruction table (the single source for printing, parsing,
 * assembling and emulating), the assembler, the printer and the float ↔ immediate encodings.
 */
export {
  INSTRUCTIONS,
  INSTRUCTION_SPECS,
  MNEMONICS,
  isMnemonic,
  isV1Mnemonic,
  formFor,
  formsFor,
  q1Cycles,
  DURATION_MIN,
  DURATION_MAX,
  MAX_ADDRESS,
  type Mnemonic,
  type InstructionTable,
  type InstructionSpec,
  type InstructionSpecBody,
  type InstructionClass,
  type OperandForm,
  type OperandSlot,
  type OperandKind,
  type IsaLevel,
  type CycleCost,
} from "./instructions.js";
export { reg, imm, lbl, type Instruction, type Operand } from "./types.js";
export {
  assemble,
  assembleInstructions,
  MAX_INSTRUCTIONS,
  type AssembledProgram,
  type AssembleOptions,
} from "./assembler.js";
export { parseProgram, toInstructions, type ParsedProgram, type ParsedRow, type ParsedOperand } from "./parser.js";
export { printProgram, printAligned, formatOperand } from "./print.js";
export {
  encodeGain,
  encodeOffset,
  decodeGain,
  encodeFrequency,
  decodeFrequency,
  encodePhase,
  decodePhase,
  roundHalfEven,
  GAIN_OFFSET_SCALE,
  NCO_FREQ_STEPS_PER_HZ,
  NCO_FREQ_LIMIT_STEPS,
  NCO_PHASE_STEPS_PER_TURN,
  NCO_PHASE_STEPS_PER_DEG,
} from "./encodings.js";
export { Q1AsmError } from "../core/errors.js";
