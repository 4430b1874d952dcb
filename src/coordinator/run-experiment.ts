/**
 * One job end to end: connect (or start an in-process VirtualCluster with the modules the
 * compiled schedule uses), prepare, start, wait, retrieve, disconnect.
 */
import type { CompiledSchedule, ModuleType } from "../contract/compiled-schedule.js";
import { InstrumentError, UsageError } from "../core/errors.js";
import { VirtualCluster } from "../instruments/virtual-cluster.js";
import type { AcquisitionData } from "./acquisitions.js";
import { toXarrayDataset, type XarrayDataset } from "../contract/dataset.js";
import { InstrumentCoordinator, type HardwareLogEntry, type SequencerRunStatus } from "./coordinator.js";

export interface RunExperimentOptions {
  /** "host:port" of a real or virtual Cluster; omitted = in-process VirtualCluster */
  cluster?: string;
  /** waitDone timeout; default 10 s + twice the schedule's duration */
  timeoutMs?: number;
  onProgress?: (fraction: number) => void;
}

export interface ExperimentResult {
  name: string;
  repetitions: number;
  /** "virtual" or the host:port used */
  cluster: string;
  acquisitions: Record<string, AcquisitionData>;
  /** xarray `Dataset.to_dict(data=True)` layout of the acquisitions (contract/dataset.ts) */
  coords: XarrayDataset["coords"];
  data_vars: XarrayDataset["data_vars"];
  dims: XarrayDataset["dims"];
  attrs: XarrayDataset["attrs"];
  sequencers: SequencerRunStatus[];
  timings_ms: { connect: number; prepare: number; start: number; wait: number; retrieve: number };
  hardware_log: HardwareLogEntry[];
}

export function parseHostPort(text: string): { host: string; port: number } {
  const m = text.match(/^\[?([^\]]*?)\]?:(\d{1,5})$/);
  const port = Number(m?.[2]);
  if (!m || !m[1] || port < 1 || port > 65535)
    throw new UsageError(`"${text}" is not host:port`, {
      path: "--cluster",
      hint: "e.g. --cluster 192.168.0.2:5025 or 127.0.0.1:5025",
    });
  return { host: m[1], port };
}

export async function runExperiment(
  compiled: CompiledSchedule,
  opts: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const names = Object.keys(compiled.clusters);
  const virtuals: VirtualCluster[] = [];
  const addresses: Record<string, { host: string; port: number }> = {};
  let coordinator: InstrumentCoordinator | null = null;
  const t = { connect: 0, prepare: 0, start: 0, wait: 0, retrieve: 0 };
  const lap = (() => {
    let last = performance.now();
    return () => {
      const now = performance.now();
      const d = now - last;
      last = now;
      return d;
    };
  })();
  try {
    if (opts.cluster !== undefined) {
      if (names.length > 1)
        throw new InstrumentError(
          "UNSUPPORTED",
          `the schedule uses ${names.length} clusters (${names.join(", ")}), but one --cluster address was given`,
          {
            path: "--cluster",
            hint: "use the coordinator API with one address per cluster, or omit --cluster to run on virtual Clusters",
          },
        );
      for (const n of names) addresses[n] = parseHostPort(opts.cluster);
    } else {
      for (const [n, c] of Object.entries(compiled.clusters)) {
        const modules: Record<number, ModuleType> = {};
        for (const m of Object.values(c.modules)) modules[m.slot] = m.instrument_type;
        const vc = new VirtualCluster({ modules, name: n });
        virtuals.push(vc);
        addresses[n] = await vc.start();
      }
    }
    coordinator = await InstrumentCoordinator.connect(addresses);
    t.connect = lap();
    progress(0.05);
    await coordinator.prepare(compiled);
    t.prepare = lap();
    progress(0.3);
    await coordinator.start();
    t.start = lap();
    progress(0.35);
    const expectedMs = (compiled.repetition_duration_ns * compiled.repetitions) / 1e6;
    const timeout = opts.timeoutMs ?? 10_000 + 2 * expectedMs;
    const sequencers = await coordinator.waitDone(timeout, (elapsed) =>
      progress(0.35 + 0.55 * Math.min(1, expectedMs > 0 ? elapsed / expectedMs : 1)),
    );
    t.wait = lap();
    progress(0.9);
    const acquisitions = await coordinator.retrieveAcquisitions();
    t.retrieve = lap();
    progress(1);
    // the acquisitions again as an xarray dataset, at the top level: `xarray.Dataset.from_dict(result)` (docs/sweeps.md)
    const dataset = toXarrayDataset(compiled, acquisitions);
    return {
      name: compiled.name,
      repetitions: compiled.repetitions,
      cluster: opts.cluster ?? "virtual",
      acquisitions,
      ...dataset,
      sequencers,
      timings_ms: t,
      hardware_log: [...coordinator.hardwareLog],
    };
  } finally {
    await coordinator?.close();
    for (const v of virtuals) await v.stop();
  }
}
