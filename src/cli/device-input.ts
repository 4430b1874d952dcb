/**
 * `--device D.json` for compile and validate (docs/device.md): the device file is read as Python's
 * json.dumps writes it (NaN literals allowed), in quantify's serialized QuantumDevice form or as the
 * q1forge device JSON.
 */
import { readFile } from "node:fs/promises";
import { lowerGates } from "../compiler/1-schedule/gates.js";
import { UsageError } from "../core/errors.js";
import { parseDeviceJson, type QuantumDevice } from "../device/load.js";
import { parseScheduleDocument } from "../schedule/parse.js";
import { importQuantifySchedule, isQuantifySchedule } from "../schedule/quantify-import.js";
import type { ScheduleDocument } from "../schedule/schema.js";
import type { CliIo } from "./types.js";

/** Read and load the device file named by --device ("-" = stdin). */
export async function readDevice(path: string, io: CliIo): Promise<QuantumDevice> {
  let text: string;
  if (path === "-") text = await io.readStdin();
  else {
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new UsageError(
        `cannot read device file "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { hint: "check the path" },
      );
    }
  }
  return parseDeviceJson(text, path === "-" ? "device (stdin)" : path);
}

/** A schedule input (q1forge or quantify-serialized) → validated document with its gates lowered. */
export function gateLevelDocument(input: unknown, device: QuantumDevice | undefined): ScheduleDocument {
  const doc = parseScheduleDocument(isQuantifySchedule(input) ? importQuantifySchedule(input) : input);
  return lowerGates(doc, device);
}
