import { compile } from "../../compile.js";
import type { CompiledSchedule } from "../../contract/compiled-schedule.js";
import type { ExperimentResult } from "../../coordinator/run-experiment.js";
import { runExperiment } from "../../coordinator/run-experiment.js";
import { UsageError } from "../../core/errors.js";
import { parseOptions } from "../args.js";
import { readDevice } from "../device-input.js";
import { readJsonInput, readScheduleAndHardware, writeOutput } from "../io.js";
import { parseCompiled } from "./simulate.js";
import { runResultJson } from "../json-output.js";
import type { CliCommand, CliIo } from "../types.js";

const HELP = `usage: q1forge run --schedule S --hardware H [--device D] [--cluster host[:port]] [--out results.json] [--json] [--timeout-ms N]
       q1forge run --compiled C [--cluster host[:port]] [--out results.json] [--json] [--timeout-ms N]

Compiles the schedule and runs it: on the Cluster at --cluster (port 5025, the SCPI default, when
none is given), or on an in-process virtual Cluster with the modules the schedule uses. Prints a
short summary (sequencer statuses, stage timings, the first values of each acquisition channel).
  --device D    the quantum device for gate-level schedules (as for compile): quantify's serialized
                QuantumDevice or the q1forge device JSON (docs/device.md)
  --compiled C  run an already compiled schedule (the output of \`q1forge compile\`) instead of
                --schedule/--hardware/--device
  --out F       write the full results (acquisitions per channel shaped as compiled, sequencer
                status, stage timings, hardware log) as JSON to F
  --json        the full results as JSON on stdout (with --out: a one-line JSON summary), errors as JSON
  --timeout-ms  how long to wait for the sequencers (default 10 s + twice the schedule's duration)
On a terminal, progress on stderr names the stage (compile, connect, upload, run, retrieve) and,
while running, the time left from the schedule's duration.
Exit codes: 0 ok, 1 compile/run error, 2 usage error.
`;

/** "host" → "host:5025"; "host:port", "[v6]:port" unchanged; a bare IPv6 address gets brackets. */
export function withDefaultPort(address: string): string {
  if (/^\[.*\]:\d+$/.test(address)) return address;
  if (/^\[.*\]$/.test(address)) return `${address}:5025`;
  const colons = (address.match(/:/g) ?? []).length;
  if (colons === 0) return `${address}:5025`;
  if (colons > 1) return `[${address}]:5025`;
  return address;
}

const STAGES: [number, string][] = [
  [0.05, "connect"],
  [0.3, "upload"],
  [0.35, "start"],
  [0.9, "run"],
  [1, "retrieve"],
];

/** Progress line on stderr: stage name, bar, and during "run" the time left from the schedule's duration. */
export function progressLine(fraction: number, expectedMs: number, runElapsedMs: number): string {
  const stage = STAGES.find(([end]) => fraction < end)?.[1] ?? "done";
  const n = Math.round(Math.min(1, fraction) * 30);
  let eta = "";
  if (stage === "run") eta = `  ETA ${formatMs(Math.max(0, expectedMs - runElapsedMs))}`;
  return `${stage.padEnd(8)} [${"#".repeat(n)}${".".repeat(30 - n)}] ${String(Math.round(fraction * 100)).padStart(3)}%${eta}`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function progress(io: CliIo, compiled: CompiledSchedule): (f: number) => void {
  const expectedMs = (compiled.repetition_duration_ns * compiled.repetitions) / 1e6;
  let runStart = 0,
    last = "";
  return (f) => {
    if (f >= 0.35 && runStart === 0) runStart = performance.now();
    const line = progressLine(f, expectedMs, runStart ? performance.now() - runStart : 0);
    if (line === last) return;
    last = line;
    io.stderr(`\r${line}\x1b[K${f >= 1 ? "\n" : ""}`);
  };
}

/** The human summary: where it ran, stage timings, sequencer statuses, first values per channel. */
export function formatRunSummary(result: ExperimentResult, maxValues = 6): string {
  const t = result.timings_ms;
  const out = [
    `ran "${result.name}" (${result.repetitions} repetition${result.repetitions === 1 ? "" : "s"}) on ${result.cluster === "virtual" ? "the in-process virtual Cluster" : result.cluster}`,
    `  connect ${t.connect.toFixed(1)} ms, upload ${t.prepare.toFixed(1)} ms, start ${t.start.toFixed(1)} ms, run ${t.wait.toFixed(1)} ms, retrieve ${t.retrieve.toFixed(1)} ms`,
    "sequencers:",
  ];
  for (const s of result.sequencers) {
    const flags = [...s.errFlags, ...s.warnFlags];
    out.push(
      `  ${s.cluster}/${s.module} seq${s.sequencer}: ${s.state} ${s.status}${flags.length ? ` (${flags.join(", ")})` : ""}`,
    );
  }
  out.push(`acquisitions (${Object.keys(result.acquisitions).length} channel(s)):`);
  for (const [ch, d] of Object.entries(result.acquisitions)) {
    const n = d.real.length;
    const vals = d.real
      .slice(0, maxValues)
      .map((re, i) => (d.imag ? complex(re, d.imag[i] ?? 0) : Number.isNaN(re) ? "NaN" : re.toFixed(6)));
    out.push(
      `  ${ch}  ${d.protocol}/${d.bin_mode}  shape [${d.shape.join(", ")}]  ${vals.join(" ")}${n > maxValues ? ` … (${n} values; --json or --out for all)` : ""}`,
    );
  }
  return out.join("\n") + "\n";
}

function complex(re: number, im: number): string {
  if (Number.isNaN(re)) return "NaN";
  return `${re.toFixed(6)}${im < 0 ? "-" : "+"}${Math.abs(im).toFixed(6)}j`;
}

export const command: CliCommand = {
  name: "run",
  summary: "compile and run a schedule on a Cluster (or a virtual one) and print a summary of the results",
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
        device: "string",
        compiled: "string",
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
          hint: "give the run's timeout in milliseconds, e.g. --timeout-ms 10000",
        });
    }
    let compiled: CompiledSchedule;
    const showProgress = io.isTTY && o.json !== true;
    if (typeof o.compiled === "string") {
      const extra = (["schedule", "hardware", "device"] as const).find((k) => typeof o[k] === "string");
      if (extra !== undefined)
        throw new UsageError(`run takes either --compiled or --schedule/--hardware, not --compiled with --${extra}`, {
          path: `--${extra}`,
          hint: "a compiled schedule carries its hardware settings: q1forge run --compiled c.json",
        });
      compiled = parseCompiled(await readJsonInput(o.compiled, "compiled schedule", io), o.compiled);
    } else {
      if (typeof o.schedule !== "string" && typeof o.hardware !== "string")
        throw new UsageError("run needs --schedule and --hardware, or --compiled", {
          path: "--schedule",
          hint: "q1forge run --schedule s.json --hardware hw.json [--device d.json]  or  q1forge run --compiled c.json",
        });
      const { schedule, hardware } = await readScheduleAndHardware(o, "run", io);
      const device = typeof o.device === "string" ? await readDevice(o.device, io) : undefined;
      if (showProgress) io.stderr(`\r${"compile".padEnd(8)} [${".".repeat(30)}]   0%\x1b[K`);
      compiled = compile(schedule, hardware, device ? { device } : {});
    }
    const onProgress = showProgress ? progress(io, compiled) : undefined;
    onProgress?.(0);
    const result = await runExperiment(compiled, {
      ...(typeof o.cluster === "string" ? { cluster: withDefaultPort(o.cluster) } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const json = runResultJson(result);
    const out = typeof o.out === "string" ? o.out : undefined;
    if (out !== undefined) await writeOutput(out, JSON.stringify(json, null, 1) + "\n", io);
    if (o.json && out === undefined) io.stdout(JSON.stringify(json, null, 1) + "\n");
    else if (o.json)
      io.stdout(
        JSON.stringify({
          ok: true,
          out,
          channels: Object.keys(result.acquisitions),
          timings_ms: result.timings_ms,
        }) + "\n",
      );
    else io.stdout(formatRunSummary(result) + (out !== undefined && out !== "-" ? `results → ${out}\n` : ""));
    return 0;
  },
};
