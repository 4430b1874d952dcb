/**
 * Emulator benchmarks (npm run bench): rendered samples per second on one core (outputs only, no
 * event report) for a modulated DRAG + square program, and emulated ns of program per wall-clock ns (and per CPU ns of
 * this process) for workload (c) (100 loops × 1,000 × (200 µs idle, DRAG, 2 µs readout + 1 µs acquisition) ≈ 20.2 s)
 * run in full without rendering; median of 5 runs.
 */
import { performance } from "node:perf_hooks";
import { compile } from "../src/compiler/index.js";
import { loadHardwareConfig } from "../src/hardware/load.js";
import { compiledModuleToDriverInput as compiledModuleToEmuInput } from "../src/contract/driver-params.js";
import { runCluster } from "../src/emulator/cluster.js";
import type { EmuModuleInput } from "../src/emulator/api.js";
import { benchHardware, workloadC } from "./workloads.js";

const RENDER_NS = 4_000_000;

/** QRM sequencer with the NCO on: a 20 ns DRAG pair, a 200 ns offset-played square and a 100 ns square per 400 ns. */
export function renderWorkload(): EmuModuleInput {
  const n = 20,
    mu = n / 2,
    sigma = n / 8;
  const g = Array.from({ length: n }, (_, k) => Math.exp(-((k - mu) ** 2) / (2 * sigma ** 2)));
  const d = g.map((v, k) => (-(k - mu) / sigma) * v * 0.5);
  const program = [
    " wait_sync 4",
    " move 10000,R0",
    "l: set_awg_gain 16384,8000",
    " play 0,1,20",
    " set_awg_offs 8000,0",
    " upd_param 200",
    " set_awg_offs 0,0",
    " set_awg_gain 12000,0",
    " play 2,2,100",
    " wait 76",
    " loop R0,@l",
    " stop",
  ].join("\n");
  return {
    slot: 2,
    type: "QRM",
    params: {},
    sequencers: [
      {
        index: 0,
        params: {
          sync_en: true,
          mod_en_awg: true,
          nco_freq: 137e6,
          connect_out: { out0: "I", out1: "Q" },
          mixer_corr_gain_ratio: 0.95,
          mixer_corr_phase_offset_degree: 3,
        },
        sequence: {
          program,
          waveforms: {
            g: { data: g, index: 0 },
            d: { data: d, index: 1 },
            sq: { data: new Array(100).fill(1), index: 2 },
          },
          weights: {},
          acquisitions: {},
        },
      },
    ],
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default async function benchEmulator(): Promise<Record<string, number>> {
  const input = renderWorkload();
  const renderRates: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    const r = runCluster([input], { render: { fromNs: 0, toNs: RENDER_NS }, events: { fromNs: 0, toNs: 0 } });
    const dt = (performance.now() - t0) / 1e3;
    const samples = r.modules[0]!.outputs.reduce((n, o) => n + o.length, 0);
    if (i > 1) renderRates.push(samples / dt / 1e6);
  }

  const hw = loadHardwareConfig(benchHardware());
  const compiled = compile(workloadC(), hw, { instructionLimit: "warn" });
  const modules = Object.values(compiled.clusters["cluster0"]!.modules).map(compiledModuleToEmuInput);
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let emulatedS = 0,
    wallS = 0;
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runCluster(modules);
    wallS = (performance.now() - t0) / 1e3;
    const cpu = process.cpuUsage(c0);
    cpuRatios.push(r.endTimeNs / 1e3 / (cpu.user + cpu.system));
    emulatedS = r.endTimeNs / 1e9;
    const bad = r.modules.flatMap((m) => m.sequencers).filter((s) => s.status.status === "ERROR");
    if (bad.length > 0)
      throw new Error(
        `workload (c) failed in the emulator: ${bad.map((s) => s.status.err_flags.join(",")).join("; ")}`,
      );
    ratios.push(emulatedS / wallS);
  }
  return {
    "render M samples/s (QRM, 2 outputs, NCO + mixer, target >= 200)": median(renderRates),
    "workload (c) emulated s": emulatedS,
    "workload (c) wall s (last run)": wallS,
    "workload (c) emulated ns of program per wall-clock ns (target >= 20)": median(ratios),
    "workload (c) emulated ns of program per CPU ns (the same, without other processes' load)": median(cpuRatios),
  };
}
