/**
 * @deprecated moved to src/contract/driver-params.ts (compiled settings → driver parameters belong to
 * the contract, not to the emulator). Kept only for bench/emulator.ts; delete once it imports from
 * the contract.
 */
export { compiledModuleToDriverInput as compiledModuleToEmuInput } from "../contract/driver-params.js";
