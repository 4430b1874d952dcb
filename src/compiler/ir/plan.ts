/**
 * Phase 2 (plan) and phase 3 (emit) IRs. Plain data: per-sequencer results are arrays aligned with
 * `ProgramPlan.sequencers`, per-node results are records keyed by node id.
 */
import type { ModuleType, ModuleSpec } from "../../core/module-catalog.js";
import type { PortClockRoute } from "../../hardware/model.js";
import type { AcquisitionOp, ScheduleOp } from "../../schedule/model.js";
import type { IrNode, NodeId, TimedSchedule } from "./nodes.js";
import type { FeedbackPlan } from "../2-plan/feedback.js";
import type { TriggerNetworkPlan } from "../2-plan/trigger-network.js";

/** The operations of one port-clock, on the sequencer that plays them. */
export interface SequencerPlan {
  /** "<module>.seq<i>" */
  key: string;
  cluster: string;
  moduleName: string;
  slot: number;
  moduleType: ModuleType;
  spec: ModuleSpec;
  index: number;
  route: PortClockRoute;
  /** this port-clock's nodes, loops kept (a loop node appears on every sequencer its body touches) */
  nodes: IrNode[];
  /**
   * The distinct operation types in `nodes` (bodies included), in first-seen order, noted by
   * 2-plan/sequencers while it builds the list: passes skip walks that would find nothing (no
   * acquisition, no InlineQ1ASM, …). Absent (a hand-built plan): they walk. A pass that adds
   * operations of a new type to `nodes` adds the type here.
   */
  opTypes?: ScheduleOp["type"][];
}

/** Acquisition bookkeeping for one acq_channel (reference 2.8 / 3.12). */
export interface AcqChannelPlan {
  channel: string;
  protocol: AcquisitionOp["type"];
  binMode: "average" | "append";
  /** index into ProgramPlan.sequencers */
  sequencer: number;
  portClock: string;
  /** Qblox acquisition index on the sequencer */
  qbloxIndex: number;
  /** acq indices of this channel per repetition (loops unrolled for APPEND) */
  numAcqIndices: number;
  /** AVERAGE: the bin (= acq index) of each acquisition node */
  binOfNode: Record<NodeId, number>;
  /** bins declared for the Qblox index */
  numBins: number;
  loopRepetitions: number[];
  coords: Record<string, unknown>[] | null;
  integrationLengthNs: number | null;
}

/** NCO settings of one sequencer (reference 3.5, 3.6). */
export interface SequencerFrequencies {
  ncoEnabled: boolean;
  /** NCO frequency in Hz (null when the NCO is disabled) */
  ifHz: number | null;
  /** clock frequency of the sequencer's port-clock, Hz */
  clockHz: number;
}

export interface FrequencyPlan {
  /** aligned with ProgramPlan.sequencers */
  bySequencer: SequencerFrequencies[];
  /** external LO instrument → frequency (Hz) */
  externalLos: { name: string; frequencyHz: number }[];
  /** RF module → internal LO frequencies by LO index */
  moduleLos: { moduleName: string; frequenciesHz: (number | null)[] }[];
}

/** Phase 2 output: everything decided before any sample or instruction is produced. */
export interface ProgramPlan {
  timed: TimedSchedule;
  sequencers: SequencerPlan[];
  acqChannels: AcqChannelPlan[];
  frequencies: FrequencyPlan;
  /** relative latency correction per sequencer, ns (aligned with sequencers) */
  latencyNs: number[];
  /** LINQ feedback (2-plan/feedback.ts); absent = none */
  feedback?: FeedbackPlan;
  /** trigger-network conditional playback (2-plan/trigger-network.ts, feedback_mode "trigger_network"); absent = none */
  triggerNetwork?: TriggerNetworkPlan;
}

/** How one pulse is played: waveform indices and gains (reference 3.11). */
export interface PlayInstruction {
  wave0: number;
  wave1: number;
  gain0: number;
  gain1: number;
}

export interface WaveformEntry {
  data: number[];
  index: number;
}

/** Phase 3 waveform output of one sequencer. */
export interface SequencerWaveforms {
  waveforms: Record<string, WaveformEntry>;
  weights: Record<string, WaveformEntry>;
  /** distinct plays of this sequencer */
  plays: PlayInstruction[];
  /**
   * pulse node id → index into `plays`, −1 when its amplitude is too low to play. A dense array by
   * node id (3-emit/waveforms.ts), shared by the sequencers of one compile: read it for this
   * sequencer's pulse nodes only (other entries are −1 or another sequencer's plays).
   */
  playOfNode: Record<NodeId, number>;
  /** weighted acquisition node id → weight indices (path 0, path 1) */
  weightsOfNode: Record<NodeId, [number, number]>;
  totalSamples: number;
}

export interface CompileWarning {
  code: string;
  message: string;
  path: string | null;
}
