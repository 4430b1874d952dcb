/**
 * q1forge command-line entry. Each subcommand lives in src/cli/commands/<name>.ts and exports
 * `command: CliCommand`. Exit codes: 0 success, 1 compile/run error, 2 usage error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Q1ForgeError, UsageError } from "../core/errors.js";
import { packageRoot } from "./package-root.js";
import type { CliCommand, CliIo } from "./types.js";
import { commands } from "./registry.js";

export function usage(): string {
  const lines = [
    "usage: q1forge <command> [options]",
    "       q1forge --version | --help | help <command>",
    "",
    "commands:",
  ];
  for (const c of commands) lines.push(`  ${c.name.padEnd(16)} ${c.summary}`);
  lines.push("", "Run `q1forge <command> --help` (or `q1forge help <command>`) for the options of one command.");
  return lines.join("\n");
}

/** The package version, from q1forge's own package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...given] = argv;
  // every command takes -h as --help
  const rest = given.map((a) => (a === "-h" ? "--help" : a));
  const json = rest.includes("--json");
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`q1forge ${version()}\n`);
    return 0;
  }
  if (name === "help" && rest.length > 0) {
    const target = commands.find((c) => c.name === rest[0]);
    if (!target)
      return reportError(
        new UsageError(`unknown command "${rest[0]}"`, {
          path: rest[0],
          hint: `one of: ${commands.map((c) => c.name).join(", ")}`,
        }),
        false,
        io,
      );
    return target.run(["--help"], io);
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage() + "\n");
    return name === undefined ? 2 : 0;
  }
  const cmd: CliCommand | undefined = commands.find((c) => c.name === name);
  try {
    if (!cmd)
      throw new UsageError(`unknown command "${name}"`, {
        path: name,
        hint: `one of: ${commands.map((c) => c.name).join(", ")}`,
      });
    return await cmd.run(rest, io);
  } catch (err) {
    return reportError(err, json, io);
  }
}

export function reportError(err: unknown, json: boolean, io: CliIo): number {
  const code = err instanceof UsageError ? 2 : 1;
  if (err instanceof Q1ForgeError) {
    io.stderr((json ? JSON.stringify(err.toJSON()) : err.describe()) + "\n");
  } else {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(
      (json
        ? JSON.stringify({
            error: "InternalError",
            code: "INTERNAL",
            message,
            path: null,
            hint: "this is a q1forge bug; please report it with the input that caused it",
          })
        : `InternalError: ${message}`) + "\n",
    );
  }
  return code;
}

function defaultIo(): CliIo {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    isTTY: Boolean(process.stderr.isTTY),
  };
}
