import { UsageError } from "../../core/errors.js";
import { VirtualCluster, parseModuleList } from "../../instruments/virtual-cluster.js";
import { parseOptions } from "../args.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge virtual-cluster [--port P] [--modules "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF"] [--run-budget-ms N] [--json]

Runs a virtual Qblox Cluster: a SCPI server on 127.0.0.1:P (default 5025; 0 = any free port)
that assembles uploaded programs and runs them in the emulator. Stops on SIGINT / SIGTERM.
  --run-budget-ms N  wall-clock budget of one START's emulation in ms (default 10000): a run whose
                     emulation takes longer is stopped (sequencers STOPPED, ERROR, FORCED_STOP)
`;

/** Largest --run-budget-ms: a Node timer's maximum delay (about 24.8 days). */
const MAX_RUN_BUDGET_MS = 2_147_483_647;

export const command: CliCommand = {
  name: "virtual-cluster",
  summary: "serve a virtual Cluster (SCPI over TCP, backed by the emulator)",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      { port: "string", modules: "string", "run-budget-ms": "string", json: "bool" },
      "virtual-cluster",
    );
    const portText = typeof o.port === "string" ? o.port : "5025";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535)
      throw new UsageError(`--port must be 0..65535, not "${portText}"`, {
        path: "--port",
        hint: "e.g. --port 5025 (0 = any free port)",
      });
    const modules = parseModuleList(typeof o.modules === "string" ? o.modules : "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF");
    let runWallClockBudgetMs: number | undefined;
    if (typeof o["run-budget-ms"] === "string") {
      const text = o["run-budget-ms"];
      runWallClockBudgetMs = Number(text);
      if (!/^\d+$/.test(text) || runWallClockBudgetMs < 1 || runWallClockBudgetMs > MAX_RUN_BUDGET_MS)
        throw new UsageError(`--run-budget-ms must be a whole number of ms in 1..${MAX_RUN_BUDGET_MS}, not "${text}"`, {
          path: "--run-budget-ms",
          hint: "e.g. --run-budget-ms 60000 lets one run's emulation take a minute",
        });
    }
    const vc = new VirtualCluster({ modules, ...(runWallClockBudgetMs !== undefined ? { runWallClockBudgetMs } : {}) });
    let addr;
    try {
      addr = await vc.start({ port });
    } catch (e) {
      throw new UsageError(`cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`, {
        path: "--port",
        hint: "choose a free port, or 0 for any",
      });
    }
    const mods = Object.entries(modules)
      .map(([s, t]) => `${s}:${t}`)
      .join(",");
    io.stdout(
      o.json
        ? JSON.stringify({ host: addr.host, port: addr.port, modules: mods }) + "\n"
        : `virtual cluster listening on ${addr.host}:${addr.port} (modules ${mods}); Ctrl-C to stop\n`,
    );
    await new Promise<void>((resolve) => {
      const done = () => {
        process.off("SIGINT", done);
        process.off("SIGTERM", done);
        resolve();
      };
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    await vc.stop();
    return 0;
  },
};
