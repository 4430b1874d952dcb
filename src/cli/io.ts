import { readFile, writeFile } from "node:fs/promises";
import { InputParseError, UsageError } from "../core/errors.js";
import { syntaxErrorPosition } from "../schedule/parse.js";
import type { CliIo } from "./types.js";

/** Read a file (or stdin for "-") and parse it as JSON; errors name the file, line and column. */
export async function readJsonInput(path: string, what: string, io: CliIo): Promise<unknown> {
  let text: string;
  if (path === "-") text = await io.readStdin();
  else {
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new UsageError(
        `cannot read ${what} file "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { hint: "check the path" },
      );
    }
  }
  return parseJsonText(text, path === "-" ? `${what} (stdin)` : path);
}

export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    // Node 20 does not always report a position; syntaxErrorPosition locates it itself.
    const { line, column } = syntaxErrorPosition(text, msg);
    const where = ` at line ${line}, column ${column}`;
    throw new InputParseError(`${source} is not valid JSON${where}: ${msg}`, {
      path: source + where,
      hint: "fix the JSON syntax (a trailing comma or a missing quote is the usual cause)",
    });
  }
}

/** Write text to a file, or stdout for "-" / undefined. */
export async function writeOutput(path: string | undefined, text: string, io: CliIo, option = "--out"): Promise<void> {
  if (path === undefined || path === "-") io.stdout(text);
  else await writeFileOrFail(path, text, option);
}

/** writeFile, with a missing directory or a permission problem as a UsageError naming the option (exit 2). */
export async function writeFileOrFail(path: string, text: string, option: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    const why =
      code === "ENOENT"
        ? "its directory does not exist"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : (e as Error).message;
    throw new UsageError(`cannot write ${option} ${path}: ${why}`, {
      path: option,
      hint: "give a file path in an existing, writable directory (create the directory first)",
    });
  }
}

/** The --schedule / --hardware pair every compiling command takes ("-" = stdin for one of them). */
export async function readScheduleAndHardware(
  o: Record<string, string | boolean | undefined>,
  command: string,
  io: CliIo,
): Promise<{ schedule: unknown; hardware: unknown }> {
  if (typeof o.schedule !== "string" || typeof o.hardware !== "string") {
    throw new UsageError(`${command} needs --schedule and --hardware`, {
      path: typeof o.schedule !== "string" ? "--schedule" : "--hardware",
      hint: `q1forge ${command} --schedule s.json --hardware hw.json`,
    });
  }
  if (o.schedule === "-" && o.hardware === "-")
    throw new UsageError("only one of --schedule / --hardware can read stdin", {
      path: "--hardware",
      hint: "read one of them from a file, e.g. --schedule - --hardware hw.json",
    });
  const schedule = await readJsonInput(o.schedule, "schedule", io);
  const hardware = await readJsonInput(o.hardware, "hardware config", io);
  return { schedule, hardware };
}
