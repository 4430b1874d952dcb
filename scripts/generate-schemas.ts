/**
 * Generates schemas/*.schema.json from the zod schemas (the single source of truth).
 * `--check` fails (exit 1) when a committed schema differs from what the zod schema generates.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ScheduleDocumentSchema } from "../src/schedule/schema.js";
import { HardwareConfigSchema } from "../src/hardware/schema.js";
import { CompiledScheduleSchema } from "../src/contract/compiled-schedule.js";
import { DeviceConfigSchema } from "../src/device/schema.js";
import { SessionConfigSchema } from "../src/coordinator/jobs/idle-values.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const targets: { file: string; title: string; schema: z.ZodType }[] = [
  { file: "schedule.schema.json", title: "q1forge schedule", schema: ScheduleDocumentSchema },
  {
    file: "hardware-config.schema.json",
    title: "quantify QbloxHardwareCompilationConfig (new style)",
    schema: HardwareConfigSchema,
  },
  { file: "compiled-schedule.schema.json", title: "q1forge CompiledSchedule", schema: CompiledScheduleSchema },
  {
    file: "device.schema.json",
    title: "q1forge device (quantum device elements and edges)",
    schema: DeviceConfigSchema,
  },
  {
    file: "session-config.schema.json",
    title: "q1forge session config (output idle values)",
    schema: SessionConfigSchema,
  },
];

const check = process.argv.includes("--check");
let stale = 0;
for (const t of targets) {
  const json = {
    $id: `https://q1forge.dev/schemas/${t.file}`,
    title: t.title,
    ...z.toJSONSchema(t.schema, { unrepresentable: "any" }),
  };
  const text = JSON.stringify(json, null, 2) + "\n";
  const path = join(root, "schemas", t.file);
  if (check) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      stale++;
      console.error(`stale: schemas/${t.file} (run npm run schemas:generate)`);
    }
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote schemas/${t.file}`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log("schemas are up to date");
