import { UsageError } from "../../core/errors.js";
import { VirtualCluster, parseModuleList } from "../../instruments/virtual-cluster.js";
import { parseOptions } from "../args.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge virtual-cluster [--port P] [--modules "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF"] [--json]

Runs a virtual Qblox Cluster: a SCPI server on 127.0.0.1:P (default 5025; 0 = any free port)
that assembles uploaded programs and runs them in the emulator. Stops on SIGINT / SIGTERM.
`;

export const command: CliCommand = {
  name: "virtual-cluster",
  summary: "serve a virtual Cluster (SCPI over TCP, backed by the emulator)",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(args, { port: "string", modules: "string", json: "bool" }, "virtual-cluster");
    const portText = typeof o.port === "string" ? o.port : "5025";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535)
      throw new UsageError(`--port must be 0..65535, not "${portText}"`, {
        path: "--port",
        hint: "e.g. --port 5025 (0 = any free port)",
      });
    const modules = parseModuleList(typeof o.modules === "string" ? o.modules : "2:QCM,4:QRM,6:QCM_RF,8:QRM_RF");
    const vc = new VirtualCluster({ modules });
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
