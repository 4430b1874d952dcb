import type { CliCommand } from "./types.js";

/** All subcommands, in help order. Add new commands here (one import + one entry). */
export const commands: CliCommand[] = [];
