/**
 * simulate(): run a CompiledSchedule on the emulator and return rendered outputs, a waveform report,
 * sequencer statuses and acquisitions shaped per `compiled.acquisitions` (quantify's dataset shapes,
 * quantify-backend.md 7.4).
 */
import { checkSimulateBins, checkSimulateWindow } from "./limits.js";
import { findAcquisitionEntry, sequencerIntegrationLength, shapeAcquisition } from "../contract/acquisition-results.js";
import type { CompiledSchedule, ModuleType } from "../contract/compiled-schedule.js";
import { compiledSequencer } from "../contract/source-map.js";
import { toXarrayDataset, type XarrayDataset } from "../contract/dataset.js";
import { PROTOCOLS, type ProtocolName } from "../core/protocols.js";
import type { EmuEvent, EmuModuleResult, EmuSequencerStatus, InputSignalModel } from "./api.js";
import { runCluster } from "./cluster.js";
import { compiledModuleToDriverInput } from "../contract/driver-params.js";
import { EventLabeler } from "./labels.js";

export interface SimulateOptions {
  /** render window start / end in seconds (default: 0 … header + first repetition) */
  from?: number;
  to?: number;
  timeOfFlightNs?: number;
  inputModel?: InputSignalModel;
  maxInstructions?: number;
}

export interface SimWaveformEvent extends EmuEvent {
  cluster: string;
  module: string;
  portClock: string;
  /** operation that emitted the event's Q1ASM line, from the compiled source map ("" without one) */
  operation?: string;
}

export interface SimModule {
  slot: number;
  type: ModuleType;
  /** 1 GS/s samples over the window, index = DAC (RF: 2·output + path), normalised to full scale */
  outputs: Float32Array[];
  /** marker bits 0..3 as 0/1 per ns */
  markers: Uint8Array[];
  sequencers: Record<string, EmuSequencerStatus & { endTimeNs: number; errorLine?: number; portClock?: string }>;
}

/**
 * One acquisition channel, shaped by the shared shaper (contract/acquisition-results.ts) exactly as
 * the instrument coordinator shapes it; raw sequence runs list their bins (protocol "raw").
 */
export interface SimAcquisition {
  acq_channel: string;
  protocol: string;
  bin_mode: string;
  shape: number[];
  dims: string[];
  /** row-major values (APPEND: repetition-major); thresholded: fraction of 1s (−1 for an empty bin); Trace: samples */
  re: Float64Array;
  /** imaginary parts; zeros for real-valued protocols (protocol table `result: "real"`: thresholded, trigger counts) */
  im: Float64Array;
}

export interface SimulationResult {
  window: { fromNs: number; toNs: number };
  clusters: Record<string, { modules: Record<string, SimModule>; endTimeNs: number }>;
  events: SimWaveformEvent[];
  acquisitions: Record<string, SimAcquisition>;
  /** the acquisitions as an xarray dataset (`Dataset.from_dict` layout, contract/dataset.ts; docs/sweeps.md) */
  dataset?: XarrayDataset;
}

/** Margin for the program header (wait_sync, upd_param, latency wait) before the first repetition. */
const HEADER_MARGIN_NS = 200;

export function simulate(compiled: CompiledSchedule, opts: SimulateOptions = {}): SimulationResult {
  const fromNs = Math.round((opts.from ?? 0) * 1e9);
  const toNs =
    opts.to !== undefined ? Math.round(opts.to * 1e9) : compiled.repetition_duration_ns + 4 + HEADER_MARGIN_NS;
  checkSimulateWindow(fromNs, toNs);
  checkSimulateBins(compiled);
  const result: SimulationResult = {
    window: { fromNs, toNs },
    clusters: {},
    events: [],
    acquisitions: {},
    dataset: { coords: {}, data_vars: {}, dims: {}, attrs: {} },
  };
  const rawByModule = new Map<string, EmuModuleResult>();
  const labels = new EventLabeler(compiled);
  for (const [clusterName, cluster] of Object.entries(compiled.clusters)) {
    const names = Object.keys(cluster.modules);
    const inputs = names.map((n) => compiledModuleToDriverInput(cluster.modules[n]!));
    const run = runCluster(inputs, {
      render: { fromNs, toNs },
      ...(opts.timeOfFlightNs !== undefined ? { timeOfFlightNs: opts.timeOfFlightNs } : {}),
      ...(opts.inputModel ? { inputModel: opts.inputModel } : {}),
      ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
      ...(compiled.feedback?.router[clusterName] ? { linq: compiled.feedback.router[clusterName] } : {}),
    });
    const modules: Record<string, SimModule> = {};
    run.modules.forEach((m, i) => {
      const name = names[i]!;
      rawByModule.set(`${clusterName}/${name}`, m);
      const sequencers: SimModule["sequencers"] = {};
      const compiledSeqs = Object.values(cluster.modules[name]!.sequencers);
      for (const s of m.sequencers) {
        const pc = compiledSeqs.find((c) => c.index === s.index)?.port_clock;
        sequencers[`seq${s.index}`] = {
          ...s.status,
          endTimeNs: s.endTimeNs,
          ...(s.errorLine !== undefined ? { errorLine: s.errorLine } : {}),
          ...(pc !== undefined ? { portClock: pc } : {}),
        };
      }
      modules[name] = { slot: m.slot, type: m.type, outputs: m.outputs, markers: m.markers, sequencers };
    });
    result.clusters[clusterName] = { modules, endTimeNs: run.endTimeNs };
    const bySlot = new Map(names.map((n) => [cluster.modules[n]!.slot, n] as const));
    for (const e of run.events) {
      const module = bySlot.get(e.slot) ?? "";
      const seq = compiledSequencer(compiled, clusterName, module, e.sequencer);
      result.events.push({
        ...e,
        cluster: clusterName,
        module,
        portClock: seq?.port_clock ?? "",
        operation: labels.label(clusterName, module, e),
      });
    }
  }
  for (const [channel, layout] of Object.entries(compiled.acquisitions)) {
    const mod = rawByModule.get(`${layout.cluster}/${layout.module}`);
    const seq = mod?.sequencers.find((s) => s.index === layout.sequencer);
    const r = shapeAcquisition(
      layout,
      seq ? findAcquisitionEntry(seq.acquisitions, layout) : undefined,
      sequencerIntegrationLength(compiled, layout),
    );
    result.acquisitions[channel] = {
      acq_channel: r.acq_channel,
      protocol: r.protocol,
      bin_mode: r.bin_mode,
      shape: r.shape,
      dims: r.dims,
      re: r.re,
      im: r.im ?? new Float64Array(r.re.length),
    };
  }
  result.dataset = toXarrayDataset(
    compiled,
    Object.fromEntries(
      Object.entries(result.acquisitions).map(([ch, a]) => [
        ch,
        {
          protocol: a.protocol,
          dims: a.dims,
          shape: a.shape,
          real: a.re,
          imag: PROTOCOLS[a.protocol as ProtocolName]?.result === "complex" ? a.im : null,
        },
      ]),
    ),
  );
  return result;
}
