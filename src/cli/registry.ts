import type { CliCommand } from "./types.js";
import { command as compile } from "./commands/compile.js";
import { command as validate } from "./commands/validate.js";

/** All subcommands, in help order. Add new commands here (one import + one entry). */
export const commands: CliCommand[] = [compile, validate];
