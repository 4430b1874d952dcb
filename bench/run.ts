/**
 * `npm run bench`: median compile time and peak memory of the reference workloads, plus the
 * emulator and instrument benchmarks when present. Numbers go into issue notes, not into tests.
 * The script compiles src/ and bench/ with tsc and runs the JavaScript, as users run q1forge
 * (through ts-node's loader the same code measures up to twice as slow).
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { compile } from "../src/compiler/index.js";
import { loadHardwareConfig } from "../src/hardware/load.js";
import { benchHardware, GATE_WORKLOADS, WORKLOADS } from "./workloads.js";

const TARGET_MS: Record<string, number> = { a: 13, b: 2.3, c: 26, d: 150 };
const REFERENCE_S: Record<string, string> = { a: "1.29 s", b: "0.23 s", c: "2.61 s", d: "n/a" };

/** A readout amplitude sweep of `num` points on q0:res (a 300 ns square, an acquisition, 1 µs per point). */
function sweepWorkload(num: number): Record<string, unknown> {
  const ro = { port: "q0:res", clock: "q0.ro" };
  return {
    name: `sweep-${num}`,
    repetitions: 100,
    resources: { "q0.ro": { freq: 150e6 } },
    schedulables: [
      {
        operation: {
          type: "Sweep",
          name: "amp",
          parameters: [{ name: "amp", start: 0, stop: 1, num }],
          body: {
            schedulables: [
              { label: "ro", operation: { type: "SquarePulse", amp: "$amp", duration: 300e-9, ...ro } },
              {
                operation: { type: "SSBIntegrationComplex", duration: 200e-9, ...ro, acq_channel: 0 },
                ref_schedulable: "ro",
                ref_pt: "start",
                rel_time: 100e-9,
              },
              { operation: { type: "IdlePulse", duration: 1e-6 }, ref_schedulable: "ro", ref_pt: "start" },
            ],
          },
        },
      },
    ],
  };
}

/**
 * Issue 8's figure for (d): compile() including its own JSON.parse of the schedule text, divided by
 * JSON.parse alone on the same text, measured in this process, interleaved (goal ≤ 2).
 */
function parseRatio(schedule: Record<string, unknown>, hw: ReturnType<typeof loadHardwareConfig>): void {
  const text = JSON.stringify(schedule);
  const parse: number[] = [];
  const both: number[] = [];
  for (let i = 0; i < 12; i++) {
    let t0 = performance.now();
    JSON.parse(text);
    const p = performance.now() - t0;
    t0 = performance.now();
    compile(JSON.parse(text), hw, { instructionLimit: "warn" });
    const c = performance.now() - t0;
    if (i >= 3) {
      parse.push(p);
      both.push(c);
    }
  }
  const p = median(parse);
  const c = median(both);
  console.log(
    `  (d) parse-ratio ${(c / p).toFixed(2)}  (JSON.parse + compile ${c.toFixed(1)} ms / JSON.parse ${p.toFixed(1)} ms of ${(text.length / 2 ** 20).toFixed(1)} MiB; goal ≤ 2)`,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const hw = loadHardwareConfig(benchHardware());
  console.log("compile benchmarks (median of repeated runs, hardware config pre-validated)");
  for (const [name, make] of Object.entries(WORKLOADS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const schedule = make();
    const runs = name === "d" ? 9 : 40;
    const times: number[] = [];
    let peak = 0;
    const base = process.memoryUsage().heapUsed;
    let compiled;
    for (let i = 0; i < runs + 10; i++) {
      compiled = undefined; // measure one compile at a time, not two results alive at once
      const t0 = performance.now();
      compiled = compile(schedule, hw, { instructionLimit: "warn" });
      const dt = performance.now() - t0;
      if (i >= 10) times.push(dt);
      if (i === runs + 9) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    const m = median(times);
    const instr = compiled!.diagnostics.resources.reduce((n, r) => n + r.instructions, 0);
    console.log(
      `  (${name}) median ${m.toFixed(2)} ms  (target ≤ ${TARGET_MS[name]} ms, quantify ${REFERENCE_S[name]})  heap Δ after the runs ${(peak / 2 ** 20).toFixed(1)} MiB  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB  sequencers ${compiled!.diagnostics.resources.length}  instructions ${instr}`,
    );
    if (name === "d") parseRatio(schedule, hw);
  }
  console.log("gate-level compile benchmarks (device loaded and gates lowered in every compile; batches summed)");
  const GATE_REFERENCE_S: Record<string, number> = { e: 1.09, f: 2.61, g: 3.08 };
  for (const [name, make] of Object.entries(GATE_WORKLOADS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const w = make();
    const ghw = loadHardwareConfig(w.hardware);
    const runs = 20;
    const times: number[] = [];
    let instr = 0;
    let seqs = 0;
    for (let i = 0; i < runs + 5; i++) {
      const t0 = performance.now();
      instr = 0;
      seqs = 0;
      for (const batch of w.batches) {
        const c = compile(batch, ghw, { instructionLimit: "warn", device: w.device });
        instr += c.diagnostics.resources.reduce((n, r) => n + r.instructions, 0);
        seqs = Math.max(seqs, c.diagnostics.resources.length);
      }
      if (i >= 5) times.push(performance.now() - t0);
    }
    const m = median(times);
    const ref = GATE_REFERENCE_S[name]!;
    console.log(
      `  (${name}) median ${m.toFixed(2)} ms for ${w.batches.length} compile(s)  (target ≤ ${(ref * 10).toFixed(1)} ms = quantify ${ref} s / 100; ${((ref * 1000) / m).toFixed(0)}× faster)  sequencers ${seqs}  instructions ${instr}`,
    );
  }
  if (only.length === 0 || only.includes("sweeps")) {
    // issue 11: a readout amplitude sweep compiled to a register loop (docs/sweeps.md)
    console.log("sweep benchmarks (readout amplitude sweep, register loop; median of 20 compiles)");
    const bhw = loadHardwareConfig(benchHardware());
    for (const num of [10, 1_000, 100_000]) {
      const schedule = sweepWorkload(num);
      const times: number[] = [];
      let instr = 0;
      for (let i = 0; i < 25; i++) {
        const t0 = performance.now();
        const c = compile(schedule, bhw);
        if (i >= 5) times.push(performance.now() - t0);
        instr = c.diagnostics.resources.reduce((n, r) => n + r.instructions, 0);
      }
      console.log(`  (sweep ${num} points) median ${median(times).toFixed(2)} ms  instructions ${instr}`);
    }
  }
  for (const extra of ["emulator", "instruments", "service"]) {
    // compiled to dist-bench/ by `npm run bench` (.js); also runnable from the sources (.ts)
    const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
    const file = new URL(`./${extra}.${ext}`, import.meta.url);
    if (!existsSync(file)) continue;
    if (only.length > 0 && !only.includes(extra)) continue;
    const mod = (await import(file.href)) as { default?: () => Promise<Record<string, number>> } & Record<
      string,
      unknown
    >;
    const fn = (mod.default ?? Object.values(mod).find((v) => typeof v === "function")) as
      (() => Promise<Record<string, number>>) | undefined;
    if (!fn) continue;
    console.log(`${extra} benchmarks`);
    const res = await fn();
    for (const [k, v] of Object.entries(res))
      console.log(`  ${k}: ${typeof v === "number" ? v.toFixed(3) : String(v)}`);
  }
}

await main();
