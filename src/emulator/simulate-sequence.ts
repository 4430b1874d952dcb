/**
 * Run one raw sequence file, in the form qblox-instruments uploads ({program, waveforms, weights,
 * acquisitions}), on one emulated sequencer, so any Q1ASM program can be executed and inspected.
 * The result has the SimulationResult shape (cluster "cluster0", module "cluster0_module1", seq0);
 * acquisitions are listed per declared name as raw bins (re = path0, im = path1, normalised).
 */
import { z } from "zod";
import {
  ConnectAcqValueSchema,
  ConnectOutValueSchema,
  SequenceSchema,
  type ModuleType,
  type Sequence,
} from "../contract/compiled-schedule.js";
import { SchemaValidationError } from "../core/errors.js";
import type { EmuModuleParams, EmuSequencerParams } from "./api.js";
import { runCluster } from "./cluster.js";
import { checkSimulateWindow } from "./limits.js";
import type { SimAcquisition, SimulationResult } from "./simulate.js";

export const RAW_CLUSTER = "cluster0";
export const RAW_MODULE = "cluster0_module1";

const ConnectOut = ConnectOutValueSchema;
const ConnectAcq = ConnectAcqValueSchema;

/** Driver parameter names (EmuSequencerParams), flat `connect_outN` / `connect_acq_I` forms, and module parameters. */
const SequenceSettingsSchema = z.strictObject({
  sync_en: z.boolean().optional(),
  nco_freq: z.number().optional(),
  nco_phase_offs: z.number().optional(),
  mod_en_awg: z.boolean().optional(),
  demod_en_acq: z.boolean().optional(),
  gain_awg_path0: z.number().min(-1).max(1).optional(),
  gain_awg_path1: z.number().min(-1).max(1).optional(),
  offset_awg_path0: z.number().min(-1).max(1).optional(),
  offset_awg_path1: z.number().min(-1).max(1).optional(),
  mixer_corr_gain_ratio: z.number().optional(),
  mixer_corr_phase_offset_degree: z.number().optional(),
  connect_out: z.record(z.string(), ConnectOut).optional(),
  connect_acq: z.record(z.string(), ConnectAcq).optional(),
  integration_length_acq: z.number().int().min(4).optional(),
  thresholded_acq_rotation: z.number().optional(),
  thresholded_acq_threshold: z.number().optional(),
  marker_ovr_en: z.boolean().optional(),
  marker_ovr_value: z.number().int().min(0).max(15).optional(),
  connect_out0: ConnectOut.optional(),
  connect_out1: ConnectOut.optional(),
  connect_out2: ConnectOut.optional(),
  connect_out3: ConnectOut.optional(),
  connect_acq_I: ConnectAcq.optional(),
  connect_acq_Q: ConnectAcq.optional(),
  module: z
    .strictObject({
      out_offset: z.array(z.number()).optional(),
      in_gain: z.array(z.number()).optional(),
      scope_acq_sequencer_select: z.number().int().optional(),
      scope_acq_avg_mode_en: z.boolean().optional(),
    })
    .optional(),
});

export interface RawSequenceSettings {
  sequencer: EmuSequencerParams;
  module: EmuModuleParams;
}

function issuesOf(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: `${prefix}/${i.path.map(String).join("/")}`, message: i.message }));
}

/** Validate a raw sequence (qblox-instruments upload form). */
export function parseRawSequence(json: unknown, source: string): Sequence {
  // quantify writes QCM sequence files without "weights" and "acquisitions": absent means none
  const withDefaults =
    typeof json === "object" && json !== null && !Array.isArray(json)
      ? { weights: {}, acquisitions: {}, ...json }
      : json;
  const r = SequenceSchema.safeParse(withDefaults);
  if (r.success) return r.data;
  const issues = issuesOf(r.error, source);
  throw new SchemaValidationError(
    `${source} is not a sequence in the qblox-instruments upload form: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    issues,
    {
      path: issues[0]?.path ?? source,
      hint: 'give {"program": "<Q1ASM>", "waveforms": {name: {data, index}}, "weights": {...}, "acquisitions": {name: {num_bins, index}}}',
    },
  );
}

/** Validate driver-parameter settings; defaults: sync off, NCO off, the module type's default channel map. */
export function parseSequenceSettings(json: unknown, source: string): RawSequenceSettings {
  const r = SequenceSettingsSchema.safeParse(json ?? {});
  if (!r.success) {
    const issues = issuesOf(r.error, source);
    throw new SchemaValidationError(
      `${source} has invalid sequencer settings: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
      {
        path: issues[0]?.path ?? source,
        hint: 'use qblox-instruments driver parameter names, e.g. {"nco_freq": 100e6, "mod_en_awg": true, "connect_out0": "I"}',
      },
    );
  }
  const { module, connect_out0, connect_out1, connect_out2, connect_out3, connect_acq_I, connect_acq_Q, ...rest } =
    r.data;
  const seq: EmuSequencerParams = { sync_en: false, ...stripUndefined(rest) };
  const flatOut = { out0: connect_out0, out1: connect_out1, out2: connect_out2, out3: connect_out3 };
  if (Object.values(flatOut).some((v) => v !== undefined))
    seq.connect_out = { ...(seq.connect_out ?? {}), ...stripUndefined(flatOut) };
  if (seq.connect_out)
    seq.connect_out = Object.fromEntries(
      Object.entries(seq.connect_out).map(([k, v]) => [k.replace(/^connect_/, ""), v]),
    );
  const flatAcq = { I: connect_acq_I, Q: connect_acq_Q };
  if (Object.values(flatAcq).some((v) => v !== undefined))
    seq.connect_acq = { ...(seq.connect_acq ?? {}), ...stripUndefined(flatAcq) };
  return { sequencer: seq, module: stripUndefined(module ?? {}) };
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

export interface RawSimulateOptions {
  /** render window in seconds (default: 0 … the sequencer's end, at most 1 ms) */
  from?: number;
  to?: number;
  maxInstructions?: number;
  timeOfFlightNs?: number;
}

const DEFAULT_MAX_WINDOW_NS = 1_000_000;

export function simulateSequence(
  sequence: Sequence,
  type: ModuleType,
  settings: RawSequenceSettings,
  opts: RawSimulateOptions = {},
): SimulationResult {
  const input = {
    slot: 1,
    type,
    params: settings.module,
    sequencers: [{ index: 0, sequence, params: settings.sequencer }],
  };
  const common = {
    ...(opts.maxInstructions !== undefined ? { maxInstructions: opts.maxInstructions } : {}),
    ...(opts.timeOfFlightNs !== undefined ? { timeOfFlightNs: opts.timeOfFlightNs } : {}),
  };
  const fromNs = Math.round((opts.from ?? 0) * 1e9);
  let toNs: number;
  if (opts.to !== undefined) toNs = Math.round(opts.to * 1e9);
  else {
    // a first, render-free pass finds where the program ends
    const probe = runCluster([input], { ...common, skipSignals: true });
    toNs = Math.max(fromNs + 4, Math.min(probe.endTimeNs, fromNs + DEFAULT_MAX_WINDOW_NS));
  }
  checkSimulateWindow(fromNs, toNs);
  const run = runCluster([input], { ...common, render: { fromNs, toNs } });
  const m = run.modules[0]!;
  const s = m.sequencers[0]!;
  const result: SimulationResult = {
    window: { fromNs, toNs },
    clusters: {
      [RAW_CLUSTER]: {
        endTimeNs: run.endTimeNs,
        modules: {
          [RAW_MODULE]: {
            slot: 1,
            type,
            outputs: m.outputs,
            markers: m.markers,
            sequencers: {
              seq0: {
                ...s.status,
                endTimeNs: s.endTimeNs,
                ...(s.errorLine !== undefined ? { errorLine: s.errorLine } : {}),
                portClock: "",
              },
            },
          },
        },
      },
    },
    events: [],
    acquisitions: {},
  };
  // a raw sequence has no source map: events carry no operation label
  for (const e of run.events)
    result.events.push({ ...e, cluster: RAW_CLUSTER, module: RAW_MODULE, portClock: "", operation: "" });
  for (const [name, decl] of Object.entries(sequence.acquisitions)) {
    const bins = s.acquisitions[name]?.acquisition.bins;
    const n = decl.num_bins;
    const acq: SimAcquisition = {
      acq_channel: name,
      protocol: "raw",
      bin_mode: "bins",
      shape: [n],
      dims: ["bin"],
      re: new Float64Array(n).fill(NaN),
      im: new Float64Array(n).fill(NaN),
    };
    for (let b = 0; b < n; b++) {
      acq.re[b] = bins?.integration.path0[b] ?? NaN;
      acq.im[b] = bins?.integration.path1[b] ?? NaN;
    }
    result.acquisitions[name] = acq;
  }
  return result;
}
