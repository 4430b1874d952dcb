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
 * alike; the added latency is the difference of the medians. The service runs on a thread of its own
 * (its own event loop, as in its own process in a deployment): the HTTP client's work — serialising
 * the request, parsing the replies — is the client's, not the service's. The direct job runs on the
 * main thread, where a user's program runs the jobs API.
 */
import { Agent, request } from "node:http";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
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
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { serviceBench: { hardware, store: `sqlite:${join(dir, "bench.db")}`, token } },
    execArgv: process.execArgv,
  });
  const ask = (m: ServiceThreadRequest) =>
    new Promise<ServiceThreadReply>((resolve, reject) => {
      const onError = (e: Error) => {
        worker.off("message", onMessage);
        reject(e);
      };
      const onMessage = (r: ServiceThreadReply) => {
        worker.off("error", onError);
        resolve(r);
      };
      worker.once("message", onMessage);
      worker.once("error", onError);
      if (m.op !== "ready") worker.postMessage(m);
    });
  const svc = { url: (await ask({ op: "ready" })).url! };
  // the same service on the bench's own thread, sharing the event loop with the HTTP client
  const local = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    hardware,
    store: `sqlite:${join(dir, "bench-local.db")}`,
    tokens: [{ user: "bench", token }],
    rateLimit: { perSecond: 1e6, burst: 1e6 },
  });
  // CPU time of this process per job (all threads: the virtual Clusters, the session, the service
  // and the HTTP client): insensitive to other processes competing for the cores, unlike wall-clock latency
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const body = { compiled };
  const runWait = (url: string) => async () => {
    const r = await call(url, "POST", "/v1/jobs", token, body);
    const id = (JSON.parse(r.text) as { id: string }).id;
    const res = await call(url, "GET", `/v1/jobs/${id}/results?wait=10`, token);
    if (res.status !== 200) throw new Error(`results ${res.status}: ${res.text}`);
  };
  const runStream = (url: string) => async () => {
    const r = await call(url, "POST", "/v1/jobs", token, body);
    const id = (JSON.parse(r.text) as { id: string }).id;
    await call(url, "GET", `/v1/jobs/${id}/results/stream`, token); // ends with the job
    const res = await call(url, "GET", `/v1/jobs/${id}/results`, token);
    if (res.status !== 200) throw new Error(`results ${res.status}: ${res.text}`);
  };
  const kind = (name: string, run: () => Promise<void>) => ({ name, run, times: [] as number[], cpu: [] as number[] });
  const kinds = [
    kind("direct", async () => {
      const job = session.execute(compiled);
      await job.wait();
      await job.results();
    }),
    kind("POST + results?wait, service on its own thread", runWait(svc.url)),
    kind("POST + SSE stream + results, service on its own thread", runStream(svc.url)),
    kind("POST + results?wait, service and client on one thread", runWait(local.url)),
    kind("POST + SSE stream + results, service and client on one thread", runStream(local.url)),
  ];
  try {
    for (let i = 0; i < N + 20; i++) {
      for (let k = 0; k < kinds.length; k++) {
        const kd = kinds[(i + k) % kinds.length]!;
        const c0 = cpu();
        const t0 = performance.now();
        await kd.run();
        if (i >= 20) {
          kd.times.push(performance.now() - t0);
          kd.cpu.push(cpu() - c0);
        }
      }
    }
    await session.close();
    await vc.stop();
    // throughput: 1,000 short jobs queued at once (dispatch held while they are submitted), then
    // timed on the service's thread from releasing the dispatcher until the last one completed
    await ask({ op: "pause" });
    for (let i = 0; i < 1000; i += 20)
      await Promise.all(Array.from({ length: 20 }, () => call(svc.url, "POST", "/v1/jobs", token, body)));
    const drained = await ask({ op: "drain", count: 1000 });
    const seconds = drained.seconds!;
    if (drained.failed) throw new Error(`${drained.failed} of the 1000 queued jobs did not complete`);
    const [d, ...via] = kinds;
    const out: Record<string, number> = {
      "job latency, jobs API directly (median ms)": median(d!.times),
      "CPU per job, jobs API directly (median ms)": median(d!.cpu),
    };
    for (const k of via) out[`added latency per job, ${k.name} (median ms)`] = median(k.times) - median(d!.times);
    for (const k of via)
      out[`added CPU per job incl. HTTP client, ${k.name} (median ms)`] = median(k.cpu) - median(d!.cpu);
    out["load average (1 min) during the run"] = (await import("node:os")).loadavg()[0]!;
    out["queue of 1000 short jobs (s)"] = seconds;
    out["queue throughput (jobs/s)"] = 1000 / seconds;
    return out;
  } finally {
    agent.destroy();
    await local.close();
    await ask({ op: "close" }).catch(() => undefined);
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

type ServiceThreadRequest = { op: "ready" } | { op: "pause" } | { op: "drain"; count: number } | { op: "close" };
interface ServiceThreadReply {
  url?: string;
  seconds?: number;
  failed?: number;
}

/** The service's thread: `startService` with the bench's options, driven by the main thread's messages. */
async function serviceThread(d: { hardware: unknown; store: string; token: string }): Promise<void> {
  const svc = await startService({
    port: 0,
    virtual: "1:QCM,2:QRM",
    hardware: d.hardware,
    store: d.store,
    tokens: [{ user: "bench", token: d.token }],
    rateLimit: { perSecond: 1e6, burst: 1e6 },
  });
  const backend = svc.backend as LocalBackend;
  const port = parentPort!;
  port.on("message", (m: ServiceThreadRequest) => {
    void (async (): Promise<ServiceThreadReply> => {
      if (m.op === "pause") backend.pause();
      else if (m.op === "drain") {
        const before = backend.executionLog.length;
        const t0 = performance.now();
        backend.resumeDispatch();
        while (backend.executionLog.length < before + m.count || (await backend.store.pendingCount("virtual")) > 0)
          await new Promise((r) => setTimeout(r, 2));
        const last = backend.executionLog.at(-1)!.id;
        while (!["completed", "error"].includes((await backend.store.get(last))!.status))
          await new Promise((r) => setTimeout(r, 1));
        const seconds = (performance.now() - t0) / 1000;
        const ids = backend.executionLog.slice(before).map((e) => e.id);
        let failed = 0;
        for (const id of ids) if ((await backend.store.status(id)) !== "completed") failed++;
        return { seconds, failed };
      } else if (m.op === "close") await svc.close();
      return {};
    })().then((r) => port.postMessage(r));
  });
  port.postMessage({ url: svc.url });
}

if (!isMainThread && (workerData as { serviceBench?: unknown } | null)?.serviceBench)
  await serviceThread(
    (workerData as { serviceBench: { hardware: unknown; store: string; token: string } }).serviceBench,
  );
