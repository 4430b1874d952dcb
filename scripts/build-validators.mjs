// Build step after `tsc`: compile the JSON Schema validators to standalone code in dist/validators/
// (see src/core/precompiled.ts). Plain Node ESM so it runs without ts-node.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standalone from "ajv/dist/standalone/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// output tree: dist/ (npm run build) or dist-bench/ (npm run bench)
const dist = join(root, process.argv[2] ?? "dist");
const { scheduleJsonSchema } = await import(join(dist, "src/schedule/parse.js"));
const { hardwareJsonSchema } = await import(join(dist, "src/hardware/load.js"));
const { SCHEDULE_AJV_OPTIONS, SCHEDULE_FAST_AJV_OPTIONS, HARDWARE_AJV_OPTIONS } = await import(
  join(dist, "src/core/precompiled.js")
);
const standaloneCode = standalone.default ?? standalone;

mkdirSync(join(dist, "validators"), { recursive: true });
for (const [name, schema, options] of [
  ["schedule", scheduleJsonSchema(), SCHEDULE_AJV_OPTIONS],
  ["schedule-fast", scheduleJsonSchema(), SCHEDULE_FAST_AJV_OPTIONS],
  ["hardware", hardwareJsonSchema(), HARDWARE_AJV_OPTIONS],
]) {
  const ajv = new Ajv2020({ ...options, code: { source: true } });
  const validate = ajv.compile(schema);
  writeFileSync(join(dist, "validators", `${name}.cjs`), standaloneCode(ajv, validate));
}
// the schema itself, for the fast certainly-valid check (src/core/schema-check.ts) without zod at startup
writeFileSync(join(dist, "validators", "schedule.schema.json"), JSON.stringify(scheduleJsonSchema()));
