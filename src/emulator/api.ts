/**
 * Contract of the sequencer emulator, used by simulate(), verify and the virtual Cluster.
 * Settings use qblox-instruments driver parameter names, because the virtual Cluster holds
 * driver-level state; src/contract/driver-params.ts maps compiled settings to these names.
 */
import type { QbloxAcquisitionEntry } from "../contract/acquisition-data.js";
import type {
  ModuleDriverInput,
  ModuleDriverParams,
  SequencerDriverInput,
  SequencerDriverParams,
} from "../contract/driver-params.js";
import type { SequencerState, SequencerStatusLevel } from "../contract/sequencer-status.js";
import type { ModuleType } from "../core/module-catalog.js";
import type { LinqRouterConfig } from "../contract/linq.js";

/** The emulator runs driver-level state: the parameter types live in the contract (driver-params.ts). */
export type EmuSequencerParams = SequencerDriverParams;
export type EmuModuleParams = ModuleDriverParams;
export type EmuSequencerInput = SequencerDriverInput;
export type EmuModuleInput = ModuleDriverInput;
export type { QbloxAcquisitionEntry, SequencerState, SequencerStatusLevel };

/** A signal model for readout inputs: given the module's rendered outputs, produce the input samples. */
export type InputSignalModel = (ctx: {
  slot: number;
  input: number;
  fromNs: number;
  toNs: number;
  outputs: Float32Array[];
}) => Float32Array;

export interface EmuRunOptions {
  /** render window for output samples; omit to render nothing (acquisitions are still computed) */
  render?: { fromNs: number; toNs: number };
  /** loopback delay from outputs to inputs, ns (default 0) */
  timeOfFlightNs?: number;
  inputModel?: InputSignalModel;
  /** stop emulation after this many executed Q1 instructions (guard) */
  maxInstructions?: number;
  /** window of the event report (default: the render window; no events without one) */
  events?: { fromNs: number; toNs: number };
  /** cap on reported events (default 100000) */
  maxEvents?: number;
  /** timing and flags only: acquisitions are checked (indices, bins) but not integrated (compile --verify) */
  skipSignals?: boolean;
  /**
   * Count scope triggers (avg_cnt, ACQ_SCOPE_DONE flags) without capturing their samples: the scope
   * data comes back as zeros. For callers that rarely read the scope (the virtual Cluster re-runs
   * with it off when the scope is stored). Bins are unaffected.
   */
  deferScope?: boolean;
  /** LINQ router configuration of the cluster (compiled `feedback.router[cluster]`); default: only self-cast */
  linq?: LinqRouterConfig;
}

export interface EmuSequencerStatus {
  state: SequencerState;
  status: SequencerStatusLevel;
  info_flags: string[];
  warn_flags: string[];
  err_flags: string[];
  /** human-readable detail for errors, with the Q1ASM line when known */
  log: string[];
}

export interface EmuSequencerResult extends EmuSequencerResultRaw {
  index: number;
  status: EmuSequencerStatus;
  /** keyed by acquisition name as declared in sequence.acquisitions */
  acquisitions: Record<string, QbloxAcquisitionEntry>;
  /** RT time (ns) at which the sequencer's RT core finished */
  endTimeNs: number;
  /**
   * What the sequencer's outputs hold when it stopped: the last committed AWG offsets (path0, path1,
   * −1 … 1: set_awg_offs or offset_awg_path*) and marker bits (set_mrk). The virtual Cluster keeps them
   * as the outputs' levels after the run (a program's VoltageOffset outlives the program).
   */
  held?: { awgOffset: [number, number]; markers: number };
  /** 1-based Q1ASM line of the instruction that raised the error flags (absent when OKAY or unknown) */
  errorLine?: number;
}

/** One played waveform / acquisition window / parameter event, for the waveform report. */
export interface EmuEvent {
  /** "offset" appears only in the simulate report: a pulse played through set_awg_offs + upd_param */
  kind:
    | "play"
    | "acquire"
    | "acquire_weighed"
    | "acquire_ttl"
    | "set_mrk"
    | "upd_param"
    | "wait_sync"
    | "offset"
    | "feedback"
    | "skipped";
  slot: number;
  sequencer: number;
  startNs: number;
  durationNs: number;
  waveforms?: [number, number];
  gain?: [number, number];
  offset?: [number, number];
  ncoFreqHz?: number;
  ncoPhaseDeg?: number;
  acqIndex?: number;
  bin?: number;
  marker?: number;
  line?: number;
  /** "feedback": the LINQ id popped (fb_pop_data / fb_pull_data) and its value; TB: 3 = bit 1, 2 = bit 0 */
  linqId?: number;
  linqValue?: number;
  /** "skipped": the play / acquisition a false trigger-network condition (set_cond) turned into its else wait */
  skipped?: "play" | "acquire" | "acquire_weighed" | "acquire_ttl";
}

export interface EmuModuleResult {
  slot: number;
  type: ModuleType;
  sequencers: EmuSequencerResult[];
  /** rendered analog outputs (1 GS/s) in the render window, index = output; empty when not rendering */
  outputs: Float32Array[];
  /** marker outputs as 0/1 bytes per ns, index = marker */
  markers: Uint8Array[];
}

export interface EmuClusterResult {
  modules: EmuModuleResult[];
  events: EmuEvent[];
  /** RT time at which the last sequencer finished */
  endTimeNs: number;
}

/** Implemented by src/emulator/index.ts */
export type RunCluster = (modules: EmuModuleInput[], options?: EmuRunOptions) => EmuClusterResult;

/** One scope path in raw (SCPI) units: integer ADC sums over avg_cnt triggers (§7.6). */
export interface EmuRawScopePath {
  data: Float64Array;
  outOfRange: boolean;
  avgCnt: number;
}

/**
 * Raw acquisition data as the SCPI binary layout of reference 7.6 carries it: bins
 * {valid u64, path0 i64, path1 i64, thres u32, avg_cnt u32}. path0/path1 hold exact integers
 * (round(Σ x_k·w_k · 2^22) summed over averages; 2^24 on QRC) in Float64Arrays.
 */
export interface EmuRawAcquisition {
  index: number;
  /** bits of the ADC scale: 12 (QRM, QRM-RF) or 15 (QRC) */
  scopeBits: number;
  scope: EmuRawScopePath[];
  bins: { valid: Uint8Array; path0: Float64Array; path1: Float64Array; thres: Uint32Array; avgCnt: Uint32Array };
}

export interface EmuSequencerResultRaw {
  /** raw form of `acquisitions`, keyed the same way (for the virtual Cluster) */
  rawAcquisitions?: Record<string, EmuRawAcquisition>;
}
