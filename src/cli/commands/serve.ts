import { UsageError } from "../../core/errors.js";
import { parseHostPort } from "../../coordinator/run-experiment.js";
import { parseModuleList } from "../../instruments/virtual-cluster.js";
import { startService } from "../../service/index.js";
import { parseOptions } from "../args.js";
import { readJsonInput } from "../io.js";
import type { CliCommand, CliIo } from "../types.js";

const HELP = `usage: q1forge serve [--port P] [--host H] [--cluster host:port | --virtual "2:QCM,4:QRM"] [--hardware H.json]
                     [--store sqlite:PATH | redis://…] [--tokens FILE] [--json]

Runs the orchestration service (HTTP, see docs/service.md): compile, simulate and queue jobs on the
Cluster, with results streamed as Server-Sent Events. Binds to 127.0.0.1 unless --host says otherwise
(default port 8420). Jobs persist in SQLite (default sqlite:./q1forge-jobs.db); with --store redis://…
this process is a front-end and \`q1forge worker\` processes run the jobs. Without --cluster, a virtual
Cluster runs in-process (--virtual names its modules). Tokens: --tokens FILE ({"tokens": [{"user", "token"}]}),
else Q1FORGE_TOKENS="alice=…,bob=…", else one random token for user "local", printed at start.
Stops on SIGINT / SIGTERM.
`;

const WORKER_HELP = `usage: q1forge worker (--cluster host:port | --virtual "2:QCM,4:QRM") --store redis://… [--hardware H.json] [--json]

Serves one Cluster's job queue from Redis (BullMQ), for front-ends started with
\`q1forge serve --store redis://…\`. One worker serves a Cluster at a time: a second worker on the same
Cluster waits as a standby and takes over when the first stops. Stops on SIGINT / SIGTERM.
`;

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
}

function portOf(text: string | undefined, def: number): number {
  const t = text ?? String(def);
  const n = Number(t);
  if (!/^\d+$/.test(t) || n > 65535)
    throw new UsageError(`--port must be 0..65535, not "${t}"`, {
      path: "--port",
      hint: "e.g. --port 8420 (0 = any free port)",
    });
  return n;
}

async function hardwareOf(o: Record<string, string | boolean | undefined>, io: CliIo): Promise<unknown> {
  return typeof o.hardware === "string" ? readJsonInput(o.hardware, "hardware config", io) : undefined;
}

export const command: CliCommand = {
  name: "serve",
  summary: "run the orchestration service (HTTP API, persistent job queue, result streams)",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      {
        port: "string",
        host: "string",
        cluster: "string",
        virtual: "string",
        hardware: "string",
        store: "string",
        tokens: "string",
        json: "bool",
      },
      "serve",
    );
    if (typeof o.cluster === "string" && typeof o.virtual === "string")
      throw new UsageError("give --cluster or --virtual, not both", {
        path: "--cluster",
        hint: "pass --cluster host:port for a real Cluster or --virtual for a virtual one, not both",
      });
    if (typeof o.cluster === "string") parseHostPort(o.cluster);
    if (typeof o.virtual === "string") parseModuleList(o.virtual, "--virtual");
    const hardware = await hardwareOf(o, io);
    const svc = await startService({
      port: portOf(o.port as string | undefined, 8420),
      host: typeof o.host === "string" ? o.host : "127.0.0.1",
      ...(typeof o.cluster === "string" ? { cluster: o.cluster } : {}),
      ...(typeof o.virtual === "string" ? { virtual: o.virtual } : {}),
      ...(typeof o.store === "string" ? { store: o.store } : {}),
      ...(typeof o.tokens === "string" ? { tokensFile: o.tokens } : {}),
      ...(hardware !== undefined ? { hardware } : {}),
      log: (line) => io.stderr(`q1forge serve: ${line}\n`),
    });
    const info = {
      url: svc.url,
      host: svc.host,
      port: svc.port,
      store: svc.backend.storeLabel,
      clusters: await svc.backend.clusterNames(),
      ...(svc.generatedToken ? { token: svc.generatedToken, user: "local" } : {}),
    };
    io.stdout(
      o.json
        ? JSON.stringify(info) + "\n"
        : `q1forge service on ${svc.url} (store ${info.store}; clusters: ${info.clusters.join(", ") || "from workers"})\n` +
            (svc.generatedToken ? `token for user "local": ${svc.generatedToken}\n` : ""),
    );
    await untilSignal();
    await svc.close();
    return 0;
  },
};

export const workerCommand: CliCommand = {
  name: "worker",
  summary: "serve one Cluster's job queue from Redis for `q1forge serve --store redis://…` front-ends",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(WORKER_HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      { cluster: "string", virtual: "string", store: "string", hardware: "string", json: "bool" },
      "worker",
    );
    if (typeof o.store !== "string" || !/^rediss?:\/\//.test(o.store))
      throw new UsageError("q1forge worker needs --store redis://…", {
        path: "--store",
        hint: "e.g. --store redis://127.0.0.1:6379",
      });
    if ((typeof o.cluster === "string") === (typeof o.virtual === "string"))
      throw new UsageError("give exactly one of --cluster host:port or --virtual modules", {
        path: "--cluster",
        hint: "e.g. --cluster 192.168.0.2:5025, or --virtual for a virtual Cluster",
      });
    if (typeof o.virtual === "string") parseModuleList(o.virtual, "--virtual");
    const hardware = await hardwareOf(o, io);
    const { openClusters } = await import("../../service/index.js");
    const { startWorker } = await import("../../service/redis-backend.js");
    const opened = await openClusters({
      ...(typeof o.cluster === "string" ? { cluster: o.cluster } : { virtual: o.virtual as string }),
      ...(hardware !== undefined ? { hardware } : {}),
    });
    const [name, c] = [...opened.clusters][0]!;
    const w = await startWorker({
      url: o.store,
      executor: c.executor,
      virtual: c.virtual,
      log: (line) => io.stderr(`q1forge worker: ${line}\n`),
    });
    io.stdout(
      o.json
        ? JSON.stringify({ cluster: name, address: c.executor.address, store: o.store }) + "\n"
        : `worker for cluster ${name} (${c.executor.address}); waiting for its lock\n`,
    );
    await w.serving;
    if (o.json) io.stdout(JSON.stringify({ serving: name }) + "\n");
    else io.stdout(`serving ${name}\n`);
    await untilSignal();
    await w.close();
    for (const v of opened.virtuals) await v.stop();
    return 0;
  },
};
