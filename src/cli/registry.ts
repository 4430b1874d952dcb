import type { CliCommand } from "./types.js";
import { command as compile } from "./commands/compile.js";
import { command as validate } from "./commands/validate.js";
import { command as demo } from "./commands/demo.js";
import { command as virtualCluster } from "./commands/virtual-cluster.js";
import { command as run } from "./commands/run.js";
import { command as simulate } from "./commands/simulate.js";
import { command as convertConfig } from "./commands/convert-config.js";
import { command as serve, workerCommand as worker } from "./commands/serve.js";

/** All subcommands, in help order. Add new commands here (one import + one entry). */
export const commands: CliCommand[] = [
  compile,
  validate,
  simulate,
  demo,
  run,
  virtualCluster,
  convertConfig,
  serve,
  worker,
];
