/**
 * Service benchmarks (issue 15): per-job latency through the HTTP service versus the jobs API
 * directly (same virtual Cluster modules over loopback SCPI, same compiled schedule), and the
 * throughput of a queue of 1,000 short jobs. Run by `npm run bench` (or `npm run bench -- service`).
 *
 * A job directly: `session.execute(compiled)`, `job.wait()`, `job.results()`. Through the service,
 * the two ways a client gets a job's results, each over keep-alive HTTP on 127.0.0.1:
 *   - wait:   POST /v1/jobs → GET /v1/jobs/:id/results?wait=10 (the jobs API's `job.results({ timeout })`)
 *   - stream: POST /v1/jobs → GET /v1/jobs/:id/results/stream until `end` → GET /v1/jobs/:id/results
 * The three are interleaved job by job (rotating their order), so load on the machine hits them
 * alike; the added latency is the difference of the medians.
 */
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { compile } from "../src/compile.js";
import { openSession } from "../src/coordinator/session.js";
import { VirtualCluster } from "../src/instruments/virtual-cluster.js";
import type { LocalBackend } from "../src/service/backend.js";
import { startService } from "../src/service/index.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function schedule(): unknown {
  return {
    name: "bench",
    repetitions: 2,
    resources: { "q0.ro": { freq: "150 MHz" } },
    schedulables: [
      { label: "reset", operation: { type: "IdlePulse", duration: "1 us" } },
      {
        label: "measure",
        operation: {
          type: "Composite",
          name: "Measure q0",
          pulse_info: [{ type: "SquarePulse", amp: 0.25, duration: "300 ns", port: "q0:res", clock: "q0.ro" }],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: "100 ns",
              duration: "100 ns",
              port: "q0:res",
              clock: "q0.ro",
              acq_channel: 0,
              bin_mode: "average",
            },
          ],
        },
      },
    ],
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
function call(
  base: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload
            ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }
            : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export default async function serviceBench(): Promise<Record<string, number>> {
  const root = join(import.meta.dirname, "..", "..");
  const hwPath = [
    join(root, "hardware-configs/baseband-transmon.json"),
    join(import.meta.dirname, "..", "hardware-configs/baseband-transmon.json"),
  ].find((p) => {
    try {
      readFileSync(p);
      return true;
    } catch {
      return false;
    }
  })!;
  const hardware = JSON.parse(readFileSync(hwPath, "utf8")) as unknown;
  const compiled = compile(schedule(), hardware);
  const N = 200;

  // the jobs API directly and through the service, interleaved job by job (each on its own virtual
  // Cluster in this process) so that load on the machine affects both alike
  const vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  const session = await openSession(await vc.start(), hardware);
  const dir = mkdtempSync(join(tmpdir(), "q1forge-bench-"));
  const token = "bench-token-0123456789";
  const svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    hardware,
    store: `sqlite:${join(dir, "bench.db")}`,
    tokens: [{ user: "bench", token }],
    rateLimit: { perSecond: 1e6, burst: 1e6 },
  });
  const direct: number[] = [];
  const viaWait: number[] = [];
  const viaStream: number[] = [];
  // CPU time of this process per job (the virtual Cluster, session, service and HTTP client all run
  // here): insensitive to other processes competing for the cores, unlike wall-clock latency
  const cpuDirect: number[] = [];
  const cpuWait: number[] = [];
  const cpuStream: number[] = [];
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  try {
    const body = { compiled };
    const runDirect = async () => {
      const job = session.execute(compiled);
      await job.wait();
      await job.results();
    };
    const runWait = async () => {
      const r = await call(svc.url, "POST", "/v1/jobs", token, body);
      const id = (JSON.parse(r.text) as { id: string }).id;
      const res = await call(svc.url, "GET", `/v1/jobs/${id}/results?wait=10`, token);
      if (res.status !== 200) throw new Error(`results ${res.status}: ${res.text}`);
    };
    const runStream = async () => {
      const r = await call(svc.url, "POST", "/v1/jobs", token, body);
      const id = (JSON.parse(r.text) as { id: string }).id;
      await call(svc.url, "GET", `/v1/jobs/${id}/results/stream`, token); // ends with the job
      const res = await call(svc.url, "GET", `/v1/jobs/${id}/results`, token);
      if (res.status !== 200) throw new Error(`results ${res.status}: ${res.text}`);
    };
    const kinds = [
      { run: runDirect, times: direct, cpu: cpuDirect },
      { run: runWait, times: viaWait, cpu: cpuWait },
      { run: runStream, times: viaStream, cpu: cpuStream },
    ];
    for (let i = 0; i < N + 20; i++) {
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(i + k) % kinds.length]!;
        const c0 = cpu();
        const t0 = performance.now();
        await kind.run();
        if (i >= 20) {
          kind.times.push(performance.now() - t0);
          kind.cpu.push(cpu() - c0);
        }
      }
    }
    await session.close();
    await vc.stop();
    // throughput: 1,000 short jobs queued at once
    const backend = svc.backend as LocalBackend;
    backend.pause();
    const before = backend.executionLog.length;
    for (let i = 0; i < 1000; i += 20)
      await Promise.all(Array.from({ length: 20 }, () => call(svc.url, "POST", "/v1/jobs", token, body)));
    const t0 = performance.now();
    backend.resumeDispatch();
    while (backend.executionLog.length < before + 1000 || (await backend.store.pendingCount("virtual")) > 0)
      await new Promise((r) => setTimeout(r, 5));
    const last = backend.executionLog.at(-1)!.id;
    while (!["completed", "error"].includes((await backend.store.get(last))!.status))
      await new Promise((r) => setTimeout(r, 2));
    const seconds = (performance.now() - t0) / 1000;
    return {
      "job latency, jobs API directly (median ms)": median(direct),
      "job latency through the service, POST + results?wait (median ms)": median(viaWait),
      "job latency through the service, POST + SSE stream + results (median ms)": median(viaStream),
      "added latency per job, POST + results?wait (median ms)": median(viaWait) - median(direct),
      "added latency per job, POST + SSE stream + results (median ms)": median(viaStream) - median(direct),
      "CPU per job, jobs API directly (median ms)": median(cpuDirect),
      "added CPU per job incl. HTTP client, POST + results?wait (median ms)": median(cpuWait) - median(cpuDirect),
      "added CPU per job incl. HTTP client, POST + SSE stream + results (median ms)":
        median(cpuStream) - median(cpuDirect),
      "load average (1 min) during the run": (await import("node:os")).loadavg()[0]!,
      "queue of 1000 short jobs (s)": seconds,
      "queue throughput (jobs/s)": 1000 / seconds,
    };
  } finally {
    await svc.close();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
