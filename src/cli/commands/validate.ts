import { UsageError } from "../../core/errors.js";
import { loadHardwareConfig } from "../../hardware/load.js";
import { resolveTiming } from "../../compiler/1-schedule/timing.js";
import { parseOptions } from "../args.js";
import { readJsonInput, readScheduleAndHardware } from "../io.js";
import { checkPair } from "../check-pair.js";
import { gateLevelDocument, readDevice } from "../device-input.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge validate --hardware H | --schedule S [--device D] [--json]
       q1forge validate --schedule S --hardware H [--device D] [--json]

Validates a quantify hardware config (schema + semantic checks) or a schedule (schema, units,
timing constraints). Given both, checks the pair: every compiler pass but emitting (timing,
crosstalk, stacking, sequencer assignment, acquisitions, frequencies, latency), so a schedule that
names a port-clock the config does not connect, or a frequency it cannot reach, fails here.
--device D lowers the schedule's gates with a quantum device (docs/device.md) before checking.
Exit 0 when valid, 1 with the first error otherwise, 2 usage error.
`;

export const command: CliCommand = {
  name: "validate",
  summary: "validate a hardware config or a schedule without compiling",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      { hardware: "string", schedule: "string", json: "bool", device: "string" },
      "validate",
    );
    const device = typeof o.device === "string" ? await readDevice(o.device, io) : undefined;
    const hw = typeof o.hardware === "string" ? o.hardware : undefined;
    const sch = typeof o.schedule === "string" ? o.schedule : undefined;
    if (hw === undefined && sch === undefined)
      throw new UsageError("validate needs --hardware, --schedule, or both", {
        path: "--hardware",
        hint: "q1forge validate --hardware hw.json, or --schedule s.json --hardware hw.json to check the pair",
      });
    if (hw !== undefined && sch !== undefined) {
      const { schedule, hardware } = await readScheduleAndHardware(o, "validate", io);
      const r = checkPair(device ? gateLevelDocument(schedule, device) : schedule, hardware);
      const warnings = r.warnings.map((w) => `warning: ${w.message}\n`).join("");
      io.stdout(
        o.json
          ? JSON.stringify({
              valid: true,
              kind: "pair",
              name: r.name,
              repetitions: r.repetitions,
              duration_ns: r.durationNs,
              sequencers: r.sequencers,
              warnings: r.warnings,
            }) + "\n"
          : `valid pair: schedule "${r.name}" (${r.repetitions} repetitions of ${r.durationNs} ns) on ${r.sequencers.length} sequencer(s): ${r.sequencers.join(", ")}\n${warnings}`,
      );
    } else if (hw !== undefined) {
      const setup = loadHardwareConfig(await readJsonInput(hw, "hardware config", io));
      const clusters = setup.clusters.map((c) => c.name);
      io.stdout(
        o.json
          ? JSON.stringify({ valid: true, kind: "hardware", version: setup.version, clusters }) + "\n"
          : `valid hardware config (version ${setup.version}, clusters: ${clusters.join(", ")})\n`,
      );
    } else {
      const timed = resolveTiming(gateLevelDocument(await readJsonInput(sch!, "schedule", io), device));
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
