/**
 * Intermediate representations between compiler stages. Each stage is a pure function from the
 * previous stage's output (plus the validated hardware setup) to the next named type.
 */
import type { ModuleType } from "../../contract/compiled-schedule.js";
import type { ModuleSpec, PortClockRoute } from "../../hardware/model.js";
import type { AcquisitionOp, ScheduleOp, TimedSchedule, WaveformPulse } from "../../schedule/model.js";

/** An operation placed on one sequencer's timeline. */
export interface SeqOp {
  kind: "op";
  startNs: number;
  op: ScheduleOp;
}

/** A loop on one sequencer's timeline (body compiled once, not unrolled). */
export interface SeqLoop {
  kind: "loop";
  startNs: number;
  repetitions: number;
  bodyDurationNs: number;
  body: SeqNode[];
  name: string;
  path: string;
}

export type SeqNode = SeqOp | SeqLoop;

/** Stage 2 output for one sequencer. */
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
  nodes: SeqNode[];
}

/** Acquisition bookkeeping for one acq_channel (reference 2.8 / 3.12), decided in stage 2. */
export interface AcqChannelPlan {
  channel: string;
  protocol: AcquisitionOp["type"];
  binMode: "average" | "append";
  sequencerKey: string;
  portClock: string;
  /** Qblox acquisition index on the sequencer */
  qbloxIndex: number;
  /** acq indices of this channel per repetition (loops unrolled for APPEND) */
  numAcqIndices: number;
  /** AVERAGE: the bin (= acq index) of each placed acquisition (one operation may be placed many times) */
  binOfOp: Map<SeqOp, number>;
  /** bins declared for the Qblox index */
  numBins: number;
  loopRepetitions: number[];
  coords: Record<string, unknown>[] | null;
  integrationLengthNs: number | null;
}

export interface AssignedSchedule {
  timed: TimedSchedule;
  sequencers: SequencerPlan[];
  acqChannels: AcqChannelPlan[];
}

/** Stage 3 output for one sequencer. */
export interface SequencerFrequencies {
  ncoEnabled: boolean;
  /** NCO frequency in Hz (null when the NCO is disabled) */
  ifHz: number | null;
  /** clock frequency of the sequencer's port-clock, Hz */
  clockHz: number;
}

export interface FrequencyPlan {
  bySequencer: Map<string, SequencerFrequencies>;
  /** external LO name → frequency (Hz) */
  externalLos: Map<string, number>;
  /** module name → internal LO frequencies by LO index (RF modules) */
  moduleLos: Map<string, (number | null)[]>;
}

/** How one pulse is played: waveform indices and gains (reference 3.11). */
export interface PlayInstruction {
  wave0: number;
  wave1: number;
  gain0: number;
  gain1: number;
}

export interface SequencerWaveforms {
  waveforms: Record<string, { data: number[]; index: number }>;
  weights: Record<string, { data: number[]; index: number }>;
  /** how to play a waveform pulse of this sequencer, or null when its amplitude is too low to play */
  playOf: (op: WaveformPulse) => PlayInstruction | null;
  /** per weighted acquisition: weight indices */
  weightIndices: Map<ScheduleOp, [number, number]>;
  totalSamples: number;
}

export interface WaveformPlan {
  bySequencer: Map<string, SequencerWaveforms>;
}

export interface CompileWarning {
  code: string;
  message: string;
  path: string | null;
}
