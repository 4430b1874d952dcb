import { UsageError } from "../../core/errors.js";
import { loadHardwareConfig } from "../../hardware/load.js";
import { parseScheduleDocument } from "../../schedule/parse.js";
import { resolveTiming } from "../../compiler/1-schedule/timing.js";
import { parseOptions } from "../args.js";
import { readJsonInput } from "../io.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge validate --hardware H | --schedule S [--json]

Validates a quantify hardware config (schema + semantic checks) or a schedule (schema, units,
timing constraints). Exit 0 when valid, 1 with the first error otherwise.
`;

export const command: CliCommand = {
  name: "validate",
  summary: "validate a hardware config or a schedule without compiling",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(args, { hardware: "string", schedule: "string", json: "bool" }, "validate");
    const hw = typeof o.hardware === "string" ? o.hardware : undefined;
    const sch = typeof o.schedule === "string" ? o.schedule : undefined;
    if ((hw === undefined) === (sch === undefined))
      throw new UsageError("validate needs exactly one of --hardware or --schedule", {
        hint: "q1forge validate --hardware hw.json",
      });
    if (hw !== undefined) {
      const setup = loadHardwareConfig(await readJsonInput(hw, "hardware config", io));
      const clusters = setup.clusters.map((c) => c.name);
      io.stdout(
        o.json
          ? JSON.stringify({ valid: true, kind: "hardware", version: setup.version, clusters }) + "\n"
          : `valid hardware config (version ${setup.version}, clusters: ${clusters.join(", ")})\n`,
      );
    } else {
      const timed = resolveTiming(parseScheduleDocument(await readJsonInput(sch!, "schedule", io)));
      io.stdout(
        o.json
          ? JSON.stringify({
              valid: true,
              kind: "schedule",
              name: timed.name,
              repetitions: timed.repetitions,
              duration_ns: timed.durationNs,
            }) + "\n"
          : `valid schedule "${timed.name}" (${timed.repetitions} repetitions of ${timed.durationNs} ns)\n`,
      );
    }
    return 0;
  },
};
