/**
 * The fuzz campaign of issue 9: `npm run fuzz -- --runs 100000 --seed N [--workers 2]`.
 * Generates `runs` inputs from the seed with the harness in test/fuzz/harness.ts — 70 % mutated
 * schedules, 20 % mutated hardware configs, 10 % SCPI sessions into the virtual Cluster — runs each
 * and prints `N inputs, C crashes, H hangs, B bad outputs` (exit 1 unless all three are 0). Workers
 * are child processes, each taking every k-th input; a worker that dies (a V8 abort) counts the input
 * it was running as a crash and a fresh worker carries on after it.
 */
import { fork } from "node:child_process";
import fc from "fast-check";
import { toSI } from "../src/core/units.js";
import { VirtualCluster } from "../src/instruments/virtual-cluster.js";
import {
  configInputArb,
  runConfigInput,
  runScheduleInput,
  runScpiInput,
  scheduleInputArb,
  scpiInputArb,
  type Verdict,
} from "../test/fuzz/harness.js";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
};
const runs = opt("runs", 1000);
const seed = opt("seed", 1);
const workers = Math.max(1, opt("workers", 1));
const shard = opt("shard", -1); // internal: this process runs inputs i ≡ shard (mod of), from `start`
const of = opt("of", 1);
const start = opt("start", 0);

/** Input i: its kind and the value generated for it (deterministic in seed and i). */
function inputAt(i: number): { kind: "schedule" | "config" | "scpi"; run: () => Verdict } {
  const r = i % 10;
  const s = seed * 1_000_003 + i;
  if (r < 7) {
    const [v] = fc.sample(scheduleInputArb, { seed: s, numRuns: 1 });
    return { kind: "schedule", run: () => runScheduleInput(v!) };
  }
  if (r < 9) {
    const [v] = fc.sample(configInputArb, { seed: s, numRuns: 1 });
    return { kind: "config", run: () => runConfigInput(v!) };
  }
  const [v] = fc.sample(scpiInputArb, { seed: s, numRuns: 1 });
  return { kind: "scpi", run: () => runScpiInput(vc(), v!) };
}
let cluster: VirtualCluster | null = null;
const vc = () => (cluster ??= new VirtualCluster({ modules: "2:QCM,4:QRM" }));

interface Tally {
  inputs: number;
  crashes: number;
  hangs: number;
  bad: number;
  typed: number;
  ok: number;
  findings: string[];
}
const empty = (): Tally => ({ inputs: 0, crashes: 0, hangs: 0, bad: 0, typed: 0, ok: 0, findings: [] });

function count(t: Tally, i: number, kind: string, v: Verdict): void {
  t.inputs++;
  if (v.outcome === "ok") t.ok++;
  else if (v.outcome === "typed") t.typed++;
  else {
    if (v.outcome === "crash") t.crashes++;
    else if (v.outcome === "hang") t.hangs++;
    else t.bad++;
    if (t.findings.length < 50) t.findings.push(`input ${i} (${kind}, seed ${seed}): ${v.outcome}: ${v.detail}`);
  }
}

if (shard >= 0) {
  // worker: report progress before each input so the parent knows which one killed it
  const t = empty();
  // warm-up, not counted: the first compile builds the schema validator and the first rare unit
  // string loads mathjs (each seconds on a loaded machine; neither depends on the input)
  runScheduleInput({ seed: 0, muts: [] });
  try {
    toSI("1 minute", "time", "/warm-up");
  } catch {
    // only the import matters
  }
  for (let i = start; i < runs; i += of) {
    process.send!({ at: i });
    const { kind, run } = inputAt(i);
    let v: Verdict;
    try {
      v = run();
    } catch (e) {
      v = { outcome: "crash", detail: `harness: ${String(e)}`, ms: 0 };
    }
    count(t, i, kind, v);
  }
  process.send!({ done: t });
  await (cluster as VirtualCluster | null)?.stop();
  process.exit(0);
}

const t0 = Date.now();
const total = empty();
const runShard = (k: number, from: number): Promise<void> =>
  new Promise((resolve) => {
    const child = fork(
      process.argv[1]!,
      [
        "--runs",
        String(runs),
        "--seed",
        String(seed),
        "--shard",
        String(k),
        "--of",
        String(workers),
        "--start",
        String(from),
      ],
      {
        execArgv: [...process.execArgv, "--max-old-space-size=1536"],
        stdio: ["ignore", "ignore", "pipe", "ipc"],
      },
    );
    let at = from;
    let finished = false;
    child.on("message", (m: { at?: number; done?: Tally }) => {
      if (m.at !== undefined) at = m.at;
      if (m.done) {
        finished = true;
        for (const key of ["inputs", "crashes", "hangs", "bad", "typed", "ok"] as const) total[key] += m.done[key];
        total.findings.push(...m.done.findings);
      }
    });
    child.stderr!.on("data", () => {});
    child.on("exit", () => {
      if (finished) return resolve();
      // the worker died on input `at`: a crash (e.g. an out-of-memory abort); go on after it
      total.inputs++;
      total.crashes++;
      total.findings.push(`input ${at} (seed ${seed}): crash: the process died`);
      if (at + workers < runs) void runShard(k, at + workers).then(resolve);
      else resolve();
    });
  });
await Promise.all(Array.from({ length: Math.min(workers, runs) }, (_, k) => runShard(k, k)));
for (const f of total.findings.slice(0, 50)) console.error(f);
console.log(
  `${total.inputs} inputs, ${total.crashes} crashes, ${total.hangs} hangs, ${total.bad} bad outputs` +
    ` (${total.typed} typed errors, ${total.ok} ok; seed ${seed}, ${workers} worker(s), ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
);
process.exit(total.crashes + total.hangs + total.bad === 0 ? 0 : 1);
