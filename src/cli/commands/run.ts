import { compile } from "../../compile.js";
import { runExperiment } from "../../coordinator/run-experiment.js";
import { UsageError } from "../../core/errors.js";
import { parseOptions } from "../args.js";
import { readScheduleAndHardware, writeOutput } from "../io.js";
import type { CliCommand, CliIo } from "../types.js";

const HELP = `usage: q1forge run --schedule S --hardware H [--cluster host:port] [--out results.json] [--json] [--timeout-ms N]

Compiles the schedule and runs it: on the Cluster at --cluster, or on an in-process virtual
Cluster with the modules the schedule uses. Results (acquisitions per channel, shaped as
compiled, plus sequencer status and stage timings) go to stdout or --out.
Exit codes: 0 ok, 1 compile/run error, 2 usage error.
`;

function progressBar(io: CliIo): (f: number) => void {
  let last = -1;
  return (f) => {
    const pct = Math.round(f * 100);
    if (pct === last) return;
    last = pct;
    const n = Math.round(f * 30);
    io.stderr(`\r[${"#".repeat(n)}${".".repeat(30 - n)}] ${String(pct).padStart(3)}%${f >= 1 ? "\n" : ""}`);
  };
}

export const command: CliCommand = {
  name: "run",
  summary: "compile and run a schedule on a Cluster (or a virtual one) and print the results",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      {
        schedule: "string",
        hardware: "string",
        cluster: "string",
        out: "string",
        json: "bool",
        "timeout-ms": "string",
      },
      "run",
    );
    let timeoutMs: number | undefined;
    if (typeof o["timeout-ms"] === "string") {
      timeoutMs = Number(o["timeout-ms"]);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        throw new UsageError(`--timeout-ms must be a positive number, not "${o["timeout-ms"]}"`, {
          path: "--timeout-ms",
        });
    }
    const { schedule, hardware } = await readScheduleAndHardware(o, "run", io);
    const compiled = compile(schedule, hardware);
    const showProgress = io.isTTY && o.json !== true;
    const result = await runExperiment(compiled, {
      ...(typeof o.cluster === "string" ? { cluster: o.cluster } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(showProgress ? { onProgress: progressBar(io) } : {}),
    });
    const text = JSON.stringify({ ok: true, ...result }, null, 1) + "\n";
    const out = typeof o.out === "string" ? o.out : "-";
    await writeOutput(out, text, io);
    if (out !== "-") {
      const summary = { ok: true, out, channels: Object.keys(result.acquisitions), timings_ms: result.timings_ms };
      io.stdout(
        o.json
          ? JSON.stringify(summary) + "\n"
          : `ran "${result.name}" on ${result.cluster}: ${summary.channels.length} acquisition channel(s) → ${out}\n`,
      );
    }
    return 0;
  },
};
