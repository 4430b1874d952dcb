/** Minimal, strict option parser for the CLI: --flag, --key value, --key=value. Unknown options are usage errors. */
import { UsageError } from "../core/errors.js";

export interface OptionSpec {
  /** option names without dashes, with "bool" for flags and "string" for valued options */
  [name: string]: "bool" | "string";
}

export type ParsedOptions = Record<string, string | boolean | undefined>;

export function parseOptions(args: string[], spec: OptionSpec, command: string): ParsedOptions {
  const out: ParsedOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--"))
      throw new UsageError(`unexpected argument "${a}" for "${command}"`, { hint: `run q1forge ${command} --help` });
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind)
      throw new UsageError(`unknown option --${name} for "${command}"`, {
        hint: `valid options: ${Object.keys(spec)
          .map((k) => "--" + k)
          .join(", ")}`,
      });
    if (kind === "bool") {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      out[name] = true;
    } else if (eq >= 0) {
      out[name] = a.slice(eq + 1);
    } else {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`option --${name} needs a value`, { hint: `e.g. --${name} file.json` });
      out[name] = v;
    }
  }
  return out;
}
