/**
 * Option parsing for the CLI, on Node's util.parseArgs (strict): --flag, --key value, --key=value.
 * Unknown options, positional arguments and missing values are usage errors (exit 2) naming the option.
 * `-h` / `--help` are accepted by every command (main.ts prints the command's help before parsing).
 */
import { parseArgs } from "node:util";
import { UsageError } from "../core/errors.js";

export interface OptionSpec {
  /** option names without dashes, with "bool" for flags and "string" for valued options */
  [name: string]: "bool" | "string";
}

export type ParsedOptions = Record<string, string | boolean | undefined>;

export function parseOptions(args: string[], spec: OptionSpec, command: string): ParsedOptions {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const [name, kind] of Object.entries(spec)) options[name] = { type: kind === "bool" ? "boolean" : "string" };
  const valid = Object.keys(spec)
    .map((k) => "--" + k)
    .join(", ");
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  // parseArgs looks options up on a plain object: --toString or --__proto__ would match Object.prototype
  for (const a of args) {
    if (!a.startsWith("--") || a === "--") continue;
    const name = a.slice(2).split("=")[0]!;
    if (!Object.hasOwn(spec, name))
      throw new UsageError(`unknown option --${name} for "${command}"`, {
        path: `--${name}`,
        hint: `valid options: ${valid}`,
      });
  }
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw usageErrorOf(e as Error & { code?: string }, spec, command, valid);
  }
  const out: ParsedOptions = {};
  for (const [k, v] of Object.entries(values)) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}

/** util.parseArgs' errors, reworded as q1forge usage errors that name the option and the fix. */
/** An example value per option for "needs a value" hints (options that name a file: file.json). */
const EXAMPLE_VALUES: Readonly<Record<string, string>> = {
  "feedback-mode": "trigger_network",
  "instruction-limit": "warn",
  "module-type": "QRM",
  "run-budget-ms": "60000",
  "timeout-ms": "10000",
  cluster: "192.168.0.2:5025",
  from: '"2 us"',
  to: '"10 us"',
  host: "127.0.0.1",
  port: "5025",
  modules: '"2:QCM,4:QRM"',
  virtual: '"2:QCM,4:QRM"',
  store: "redis://127.0.0.1:6379",
  plot: "plot.html",
};

function exampleValue(name: string): string {
  return Object.hasOwn(EXAMPLE_VALUES, name) ? EXAMPLE_VALUES[name]! : "file.json";
}

function usageErrorOf(e: Error & { code?: string }, spec: OptionSpec, command: string, valid: string): UsageError {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const name = quoted.replace(/^-+/, "").split("=")[0] ?? quoted;
      return new UsageError(`unknown option ${quoted.startsWith("--") ? "--" + name : quoted} for "${command}"`, {
        path: quoted,
        hint: `valid options: ${valid}`,
      });
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      return new UsageError(`unexpected argument "${quoted}" for "${command}"`, {
        path: quoted,
        hint: `options take the form --name value; run q1forge ${command} --help`,
      });
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /--([\w-]+)/.exec(e.message)?.[1] ?? "";
      if (spec[name] === "bool")
        return new UsageError(`option --${name} takes no value`, {
          path: `--${name}`,
          hint: `write --${name} alone`,
        });
      return new UsageError(`option --${name} needs a value`, {
        path: `--${name}`,
        hint: `e.g. --${name} ${exampleValue(name)} (a value starting with "-" is written --${name}=-value)`,
      });
    }
    default:
      return new UsageError(`${e.message} (q1forge ${command})`, {
        path: quoted || command,
        hint: `run q1forge ${command} --help`,
      });
  }
}
