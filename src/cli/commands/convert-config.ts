import { UsageError } from "../../core/errors.js";
import { convertOldStyleConfig } from "../../hardware/convert-old.js";
import { loadHardwareConfig } from "../../hardware/load.js";
import { parseOptions } from "../args.js";
import { readJsonInput, writeOutput } from "../io.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge convert-config --hardware OLD.json [--out NEW.json] [--json]

Converts an old-style quantify hardware config ("backend": "quantify_scheduler.backends.qblox_backend.hardware_compile",
nested cluster / module / portclock_configs dicts) to the new-style QbloxHardwareCompilationConfig JSON, the way
quantify's own converter does (docs/hardware-config.md, "Old-style configs"), checks that the result loads, and
writes it to --out (default "-" = stdout). What the conversion skipped or renamed is printed as warnings on stderr.
"-" as OLD.json reads stdin. Exit 0 converted, 1 invalid old-style input (or not an old-style config), 2 usage error.
  --json   errors as JSON on stderr; with --out a file, a JSON summary on stdout
`;

export const command: CliCommand = {
  name: "convert-config",
  summary: "convert an old-style quantify hardware config to the new style",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(args, { hardware: "string", out: "string", json: "bool" }, "convert-config");
    if (typeof o.hardware !== "string")
      throw new UsageError("convert-config needs --hardware", {
        path: "--hardware",
        hint: "q1forge convert-config --hardware old.json --out new.json",
      });
    const old = await readJsonInput(o.hardware, "hardware config", io);
    const { config, warnings } = convertOldStyleConfig(old);
    loadHardwareConfig(config); // the converted config must load: errors name the path in the converted config
    const out = typeof o.out === "string" ? o.out : undefined;
    await writeOutput(out, JSON.stringify(config, null, 2) + "\n", io);
    for (const w of warnings) io.stderr(`warning: ${w.message} (${w.path})\n`);
    if (out !== undefined && out !== "-") {
      io.stdout(
        o.json
          ? JSON.stringify({ ok: true, out, warnings }) + "\n"
          : `converted ${o.hardware} → ${out} (${warnings.length} warning${warnings.length === 1 ? "" : "s"})\n`,
      );
    }
    return 0;
  },
};
