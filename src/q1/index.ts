export * from "./types.js";
export * from "./print.js";
export * from "./instructions.js";
export * from "./parser.js";
export * from "./assembler.js";
export * from "./encodings.js";
export { nearest, editDistance } from "./suggest.js";
