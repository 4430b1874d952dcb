/**
 * Settings (reference 5): sequencer, module and cluster settings, external LO settings, the
 * acquisition layout that tells the coordinator where each acq_channel's data lives, and each
 * program's source map (program line → IR node, name, JSON path, label).
 */
import { ValueRangeError, HardwareConfigError } from "../../core/errors.js";
import { channelMap } from "../../hardware/channel-map.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import { printProgram } from "../../q1/print.js";
import type {
  AcquisitionChannelLayout,
  CompiledCluster,
  CompiledModule,
  ModuleSettings,
  SequencerSettings,
  SourceMap,
  SourceOperation,
} from "../../contract/compiled-schedule.js";
import type { IrNode } from "../ir/nodes.js";
import type {
  AcqChannelPlan,
  CompileWarning,
  FrequencyPlan,
  ProgramPlan,
  SequencerPlan,
  SequencerWaveforms,
} from "../ir/plan.js";
import { forEachOp } from "../ir/walk.js";
import { isAcquisition } from "../ops/index.js";
import { PROTOCOLS } from "../../core/protocols.js";
import { applyHardwareDistortion } from "./hardware-distortion.js";
import { resolveMixerCorrections, type ResolvedMixerCorrections } from "./mixer.js";
import { applyModuleOptions } from "./module-options.js";
import type { SequencerProgram } from "./program.js";

export interface SettingsResult {
  clusters: Record<string, CompiledCluster>;
  localOscillators: Record<string, { frequency: number | null; power: number | null; status: boolean }>;
  acquisitions: Record<string, AcquisitionChannelLayout>;
}

export function buildSettings(
  plan: ProgramPlan,
  waves: readonly SequencerWaveforms[],
  programs: readonly SequencerProgram[],
  hw: HardwareSetup,
  warnings: CompileWarning[] = [],
): SettingsResult {
  const seqsByModule = new Map<CompiledModule, SequencerPlan[]>();
  const clusters: Record<string, CompiledCluster> = Object.create(null) as Record<string, CompiledCluster>;
  const channelsBySeq = plan.sequencers.map((): AcqChannelPlan[] => []);
  for (const ch of plan.acqChannels) channelsBySeq[ch.sequencer]!.push(ch);
  const freqs = plan.frequencies;
  const nodes = sourceColumns(plan.sequencers, plan.timed.nextNodeId);
  const indexOf = new Int32Array(plan.timed.nextNodeId).fill(-1);

  plan.sequencers.forEach((seq, i) => {
    const clusterOptions = hw.model.cluster(seq.cluster);
    const cluster = (clusters[seq.cluster] ??= {
      settings: {
        reference_source: clusterOptions.ref,
        sync_on_external_trigger: clusterOptions.syncOnExternalTrigger,
      },
      modules: {},
    });
    const mod: CompiledModule = (cluster.modules[seq.moduleName] ??= {
      slot: seq.slot,
      instrument_type: seq.moduleType,
      settings: emptyModuleSettings(seq, hw, freqs),
      sequencers: {},
    });
    const channels = channelsBySeq[i]!;
    const mixer = resolveMixerCorrections(seq, hw, warnings);
    const w = waves[i]!;
    const prog = programs[i]!;
    mod.sequencers[`seq${seq.index}`] = {
      index: seq.index,
      port: seq.route.port,
      clock: seq.route.clock,
      port_clock: seq.route.portClock,
      sequence: {
        program: printProgram(prog.instructions),
        waveforms: w.waveforms,
        weights: w.weights,
        acquisitions: Object.fromEntries(
          channels.map((c) => [String(c.qbloxIndex), { num_bins: c.numBins, index: c.qbloxIndex }]),
        ),
      },
      settings: sequencerSettings(seq, freqs.bySequencer[i]!, channels, hw, mixer),
      source_map: sourceMap(nodes, prog.lineNodes, indexOf),
    };
    applyModuleOptions(mod.settings, seq, hw, mixer, channels, warnings);
    const list = seqsByModule.get(mod);
    if (list) list.push(seq);
    else seqsByModule.set(mod, [seq]);
  });
  for (const [mod, seqs] of seqsByModule) applyHardwareDistortion(mod.settings, seqs, hw, warnings);

  const localOscillators: SettingsResult["localOscillators"] = {};
  for (const { name, frequencyHz } of freqs.externalLos) {
    localOscillators[name] = { frequency: frequencyHz, power: hw.model.localOscillatorPower(name), status: true };
  }

  const acquisitions: Record<string, AcquisitionChannelLayout> = {};
  for (const ch of plan.acqChannels) {
    const seq = plan.sequencers[ch.sequencer]!;
    const reps = plan.timed.repetitions;
    const isTrace = ch.protocol === "Trace";
    acquisitions[ch.channel] = {
      acq_channel: ch.channel,
      protocol: ch.protocol,
      bin_mode: ch.binMode,
      shape: isTrace
        ? [1, ch.integrationLengthNs ?? 0]
        : ch.binMode === "append"
          ? [reps, ch.numAcqIndices]
          : [ch.numAcqIndices],
      dims: isTrace
        ? [`acq_index_${ch.channel}`, `trace_index_${ch.channel}`]
        : ch.binMode === "append"
          ? ["repetition", `acq_index_${ch.channel}`]
          : [`acq_index_${ch.channel}`],
      cluster: seq.cluster,
      module: seq.moduleName,
      sequencer: seq.index,
      port_clock: seq.route.portClock,
      qblox_index: ch.qbloxIndex,
      first_bin: 0,
      num_acq_indices: ch.numAcqIndices,
      stride: ch.binMode === "append" && !isTrace ? ch.numAcqIndices : 0,
      integration_length: ch.integrationLengthNs,
      loop_repetitions: ch.loopRepetitions,
      coords: ch.coords,
    };
  }
  return { clusters: { ...clusters }, localOscillators, acquisitions };
}

/** What the source map names of each node, by node id (name undefined: no such node). */
interface SourceColumns {
  name: (string | undefined)[];
  path: (string | null)[];
  label: (string | null)[];
}

/**
 * The source-map fields of every node of the schedule, read in one walk of the plan into dense columns
 * (no per-node objects): the lines loop below then reads arrays in id order instead of following each
 * node to its operation again, which costs a cache miss or two per node on large schedules.
 */
function sourceColumns(sequencers: readonly SequencerPlan[], size: number): SourceColumns {
  const name = new Array<string | undefined>(size).fill(undefined);
  const path = new Array<string | null>(size).fill(null);
  const label = new Array<string | null>(size).fill(null);
  const add = (nodes: readonly IrNode[]): void => {
    for (const node of nodes) {
      const id = node.id;
      if (node.kind === "op") {
        name[id] = node.op.name;
        path[id] = node.op.path;
      } else {
        name[id] = node.name;
        path[id] = node.path;
        add(node.body);
      }
      label[id] = node.label;
    }
  };
  for (const seq of sequencers) add(seq.nodes);
  return { name, path, label };
}

/** Program line → operation table of one sequencer, operations listed once, in first-line order. */
function sourceMap(nodes: SourceColumns, lineNodes: readonly number[], indexOf: Int32Array): SourceMap {
  const operations: SourceOperation[] = [];
  const lines = new Array<number>(lineNodes.length);
  // consecutive lines mostly belong to one node (a gain, its play, the wait before the next): a line of
  // the same node as the line before takes its entry without looking the node up again
  let prevId = NaN;
  let prevK = -1;
  for (let l = 0; l < lineNodes.length; l++) {
    const id = lineNodes[l]!;
    if (id === prevId) {
      lines[l] = prevK;
      continue;
    }
    prevId = id;
    const name = id < 0 ? undefined : nodes.name[id];
    if (name === undefined) {
      lines[l] = prevK = -1;
      continue;
    }
    let k = indexOf[id]!;
    if (k < 0) {
      k = operations.length;
      operations.push({ id, name, path: nodes.path[id] as string | null, label: nodes.label[id] as string | null });
      indexOf[id] = k;
    }
    lines[l] = prevK = k;
  }
  for (let k = 0; k < operations.length; k++) indexOf[operations[k]!.id] = -1; // the scratch table is shared by all sequencers
  return { operations, lines };
}

function sequencerSettings(
  seq: SequencerPlan,
  f: FrequencyPlan["bySequencer"][number],
  channels: AcqChannelPlan[],
  hw: HardwareSetup,
  mixer: ResolvedMixerCorrections | null,
): SequencerSettings {
  const options = hw.model.portClock(seq.route.portClock);
  const readout = seq.spec.supportsAcquisition;
  const integration = channels.find((c) => c.integrationLengthNs !== null)?.integrationLengthNs ?? null;
  // every acquisition of the sequencer is in one of its channels (2-plan/acquisitions.ts), one protocol per
  // channel: without a thresholded channel there is no thresholded acquisition to walk the nodes for
  const thresholded = channels.some((c) => PROTOCOLS[c.protocol].thresholded)
    ? findThresholded(seq, integration)
    : null;
  const map = channelMap(seq.route);
  return {
    sync_en: true,
    channel_name: seq.route.channelName,
    channel_name_measure: seq.route.measureChannels.length > 0 ? seq.route.measureChannels : null,
    connected_output_indices: seq.route.outputIndices,
    connected_input_indices: seq.route.inputIndices,
    nco_en: f.ncoEnabled,
    modulation_freq: f.ifHz,
    mod_en_awg: f.ncoEnabled,
    demod_en_acq: readout && f.ncoEnabled,
    init_offset_awg_path_I: options.initOffsetAwgPathI,
    init_offset_awg_path_Q: options.initOffsetAwgPathQ,
    init_gain_awg_path_I: options.initGainAwgPathI,
    init_gain_awg_path_Q: options.initGainAwgPathQ,
    mixer_corr_phase_offset_degree: mixer ? mixer.phaseError : null,
    mixer_corr_gain_ratio: mixer ? mixer.ampRatio : null,
    auto_sideband_cal: mixer?.autoSidebandCal ?? "off",
    integration_length_acq: integration,
    thresholded_acq_rotation: thresholded ? thresholded.rotation : null,
    thresholded_acq_threshold: thresholded && integration !== null ? thresholded.threshold * integration : null,
    thresholded_acq_trigger_write_en: thresholded ? thresholded.label !== null : null,
    thresholded_acq_trigger_write_address: null,
    thresholded_acq_trigger_write_invert: false,
    thresholded_acq_trigger_read_settings: {},
    ttl_acq_input_select: null,
    ttl_acq_threshold: options.ttlAcqThreshold,
    ttl_acq_auto_bin_incr_en: null,
    connect_out: map.connect_out,
    connect_acq: map.connect_acq,
    marker_ovr_en: false,
  };
}

function findThresholded(
  seq: SequencerPlan,
  integrationNs: number | null = null,
): { rotation: number; threshold: number; label: string | null } | null {
  let found: { rotation: number; threshold: number; label: string | null; name: string } | null = null;
  forEachOp(seq.nodes, ({ op }) => {
    if (!isAcquisition(op) || !PROTOCOLS[op.type].thresholded) return;
    const cur = {
      rotation: op.acq_rotation ?? 0,
      threshold: op.acq_threshold ?? 0,
      label: op.feedback_trigger_label,
      name: op.name,
    };
    if (cur.rotation < 0 || cur.rotation > 360)
      throw new ValueRangeError(
        "ACQ_ROTATION_OUT_OF_RANGE",
        `acq_rotation ${cur.rotation} of "${op.name}" is outside [0, 360] degrees`,
        { path: op.path, hint: "give acq_rotation in degrees within [0, 360]" },
      );
    if (Math.abs(cur.threshold) > 16777212)
      throw new ValueRangeError(
        "ACQ_THRESHOLD_OUT_OF_RANGE",
        `acq_threshold ${cur.threshold} of "${op.name}" is outside ±16777212`,
        {
          path: op.path,
          hint: "the threshold applies to the integrated value (sum over the integration length); keep it within ±16777212",
        },
      );
    // the instrument compares the integrated value: thresholded_acq_threshold = acq_threshold · integration length
    if (integrationNs !== null && Math.abs(cur.threshold * integrationNs) > 16777212)
      throw new ValueRangeError(
        "ACQ_THRESHOLD_OUT_OF_RANGE",
        `acq_threshold ${cur.threshold} of "${op.name}" on ${seq.route.portClock}, integrated over ${integrationNs} ns, is ${cur.threshold * integrationNs}, outside the instrument's ±16777212 (thresholded_acq_threshold)`,
        {
          path: op.path,
          hint: `keep |acq_threshold| ≤ ${Math.floor(16777212 / integrationNs)} for a ${integrationNs} ns integration (acq_threshold of the acquisition, or measure.acq_threshold of the device element for a Measure gate)`,
        },
      );
    if (found && (found.rotation !== cur.rotation || found.threshold !== cur.threshold)) {
      throw new HardwareConfigError(
        "THRESHOLD_NOT_UNIQUE",
        `thresholded acquisitions "${found.name}" and "${op.name}" on ${seq.route.portClock} use different acq_rotation/acq_threshold`,
        {
          path: op.path,
          hint: "one rotation and threshold per sequencer: give all thresholded acquisitions of a port-clock the same values",
        },
      );
    }
    found = cur;
  });
  return found;
}

function bypassed(): ModuleSettings["distortion_corrections"][number] {
  const f = () => ({ coeffs: null, config: "bypassed" as const, marker_delay: "bypassed" as const });
  return { exp0: f(), exp1: f(), exp2: f(), exp3: f(), fir: f() };
}

function emptyModuleSettings(seq: SequencerPlan, hw: HardwareSetup, freqs: FrequencyPlan): ModuleSettings {
  return {
    offset_ch0_path_I: null,
    offset_ch0_path_Q: null,
    offset_ch1_path_I: null,
    offset_ch1_path_Q: null,
    in0_gain: null,
    in1_gain: null,
    // quantify keeps 4 entries (RF markers use index out + 2); the QRC has 6 outputs
    distortion_corrections: Array.from(
      { length: seq.moduleType === "QTM" ? 0 : Math.max(4, seq.spec.outputs) },
      bypassed,
    ),
    out0_lo_freq_cal_type_default: "off",
    out1_lo_freq_cal_type_default: "off",
    lo_freq:
      freqs.moduleLos.find((m) => m.moduleName === seq.moduleName)?.frequenciesHz ??
      new Array<number | null>(seq.spec.internalLos).fill(null),
    out_att: new Array<number | null>(seq.spec.isRF ? seq.spec.outputs : 0).fill(null),
    in_att: new Array<number | null>(seq.spec.isRF ? seq.spec.inputs : 0).fill(null),
    rf_output_on: seq.spec.isRF ? (hw.model.module(seq.cluster, seq.slot)?.rfOutputOn ?? true) : null,
    scope_acq_sequencer_select: null,
    scope_acq_trigger_mode: seq.spec.supportsAcquisition ? "sequencer" : null,
    scope_acq_avg_mode_en: seq.spec.supportsAcquisition ? true : null,
  };
}
