/**
 * Types and constants of the LINQ feedback plan (2-plan/feedback.ts): latencies, id ranges, routes,
 * the plan itself, and the measurement/conditional pairs the plan is built from.
 */
import type { TimingError } from "../../core/errors.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import type { ConditionalNode, NodeId } from "../ir/nodes.js";
import type { CompileWarning } from "../ir/plan.js";
import type { CombinedValueRead } from "./feedback-data.js";

/** LINQ latency from the source's Q1 core to the receiver's feedback queue, ns (seed, latency table). */
export const LINQ_LATENCY_NS = {
  thresholded_bits: { "multi-cast": 472, "intra-cast": 250, "self-cast": 160 },
  iq: { "multi-cast": 492, "intra-cast": 270, "self-cast": 164 },
  register: { "multi-cast": 380, "intra-cast": 150, "self-cast": 60 },
} as const;
export type LinqPath = "multi-cast" | "intra-cast" | "self-cast";
export type LinqDataType = keyof typeof LINQ_LATENCY_NS;
export type RouteMode = LinqPath | "broadcast";

/** Q1 time the receiver needs between the data's arrival and its next real-time instruction. */
export const FEEDBACK_Q1_ALLOWANCE_NS = 64;
/** Feedback queue capacity per sequencer (seed: 32 entries of 32 bits). */
export const FEEDBACK_QUEUE_DEPTH = 32;
export const SELF_CAST_IDS = { first: 1, last: 15 } as const;
export const ROUTED_IDS = { first: 16, last: 255 } as const;

export interface FeedbackReceiver {
  /** index into ProgramPlan.sequencers */
  sequencer: number;
  path: LinqPath;
  latencyNs: number;
}

export interface FeedbackRoute {
  id: number;
  mode: RouteMode;
  triggerLabel: string;
  dataType: LinqDataType;
  /** index into ProgramPlan.sequencers */
  source: number;
  receivers: FeedbackReceiver[];
  /** IQ: the shift of the 32-bit window in the 48-bit accumulator (fb_acq_iq_shift) */
  iqShift?: number;
  /**
   * write-combine (fb_acq_tb_cfg): the thresholded bits of several sequencers of one module whose
   * acquisitions end together, packed into one payload of `lengthBytes`; part k's 2-bit value sits at
   * bits [bitPos+1 : bitPos]. `source` and `triggerLabel` are those of the first part.
   */
  combine?: { lengthBytes: number; parts: { source: number; triggerLabel: string; bitPos: number }[] };
}

/** Compile options of the feedback plan (docs/feedback.md). */
export interface FeedbackOptions {
  /** pack thresholded bits of readouts ending together with one destination into one queue entry */
  writeCombine: boolean;
  /** shift a conditional scheduled before its data can arrive instead of failing FEEDBACK_TOO_EARLY */
  insertWait: boolean;
}
export const DEFAULT_FEEDBACK_OPTIONS: FeedbackOptions = { writeCombine: false, insertWait: false };

/** A wait the compiler inserted before a conditional (feedback_insert_wait), for the diagnostics. */
export interface InsertedFeedbackWait {
  conditional: string;
  /** JSON pointer of the conditional */
  path: string;
  measurement: string;
  /** the receiving sequencer that needed the most time ("<module>.seq<i>") */
  receiver: string;
  /** the conditional's start (if) or bit check (repeat) as scheduled, and the inserted wait, ns */
  scheduledNs: number;
  waitNs: number;
  /** minimum gap from the end of the acquisition window (LINQ latency + receiver allowance), ns */
  minGapNs: number;
}

/** How a receiver reads a write-combined payload for one conditional. */
export interface CombinedRead {
  /** bit position of this conditional's 2-bit value */
  bitPos: number;
  /** the first consumer (in time) pops the payload into a register kept until the last one */
  first: boolean;
  last: boolean;
  /** the group (route id), to find the register the first consumer popped into */
  group: number;
}

export interface FeedbackPlan {
  routes: FeedbackRoute[];
  /**
   * per sequencer (aligned with ProgramPlan.sequencers): 0 = shares nothing; an id = every acquisition
   * shares with this id (set once in the program header); "per-acquisition" = set before each one
   */
  tbShare: (number | "per-acquisition")[];
  /** acquisition node id → LINQ id of its thresholded bits (0: not shared), on sharing sequencers */
  tbIdOfNode: Record<NodeId, number>;
  /** conditional node id → the LINQ id its receivers pop */
  idOfConditional: Record<NodeId, number>;
  /**
   * feedback_valid: per sequencer, some shared acquisition on it is marked invalid, so it sets the
   * validation bit (fb_acq_tb_valid) before each shared acquisition; absent when no sequencer does
   */
  tbValidPerAcquisition?: boolean[];
  /** feedback_valid: shared acquisition node id → its validation bit, on those sequencers */
  tbValidOfNode?: Record<NodeId, boolean>;
  /** write-combine: acquisition node id → its fb_acq_tb_cfg (bit position, payload length in bytes) */
  tbCfgOfNode?: Record<NodeId, { bitPos: number; lengthBytes: number }>;
  /** per sequencer: it takes part in write-combine (fb_acq_tb_cfg and fb_acq_tb_id before every acquisition) */
  tbWriteCombine?: boolean[];
  /** write-combine: conditional node id → where its bit sits in the popped payload */
  combinedReadOfConditional?: Record<NodeId, CombinedRead>;
  /** waits inserted by feedback_insert_wait (docs/feedback.md) */
  insertedWaits?: InsertedFeedbackWait[];
  /** readouts feedback_write_combine could not combine (FEEDBACK_WRITE_COMBINE_SKIPPED) */
  warnings?: CompileWarning[];
  /**
   * pop order (fb_pop_data discards the entries before the popped one): per receiving sequencer,
   * conditional node id → the conditionals whose results arrived earlier but are used later, popped
   * (in arrival order) into registers just before this conditional's own pop
   */
  prefetchOfConditional?: Record<number, Record<NodeId, NodeId[]>>;
  /** per receiving sequencer: conditional node ids whose result an earlier conditional popped */
  prefetchedConditionals?: Record<number, NodeId[]>;
  /** IQ sharing: acquisition node id → LINQ id of its I and Q values (0: not shared) and the shift */
  iqIdOfNode?: Record<NodeId, number>;
  iqShiftOfNode?: Record<NodeId, number>;
  /** per sequencer: some acquisition shares IQ (fb_acq_iq_shift / fb_acq_iq_id before every acquisition) */
  iqShare?: boolean[];
  /** SendFeedback node id → LINQ id (absent: nobody receives it) */
  sendIdOfNode?: Record<NodeId, number>;
  /** ReceiveFeedback node id → the LINQ id it pops */
  receiveIdOfNode?: Record<NodeId, number>;
  /** write-combined SendFeedback node id → its fb_com_cfg */
  comCfgOfNode?: Record<NodeId, { bitPos: number; lengthBytes: number }>;
  /** ReceiveFeedback node id → where its value sits in a write-combined payload */
  combinedReadOfNode?: Record<NodeId, CombinedValueRead>;
}

export const NO_FEEDBACK: FeedbackPlan = { routes: [], tbShare: [], tbIdOfNode: {}, idOfConditional: {} };

export interface Pair {
  acq: { id: NodeId; op: AcquisitionOp; startNs: number };
  cond: ConditionalNode;
  /** pop time of the first execution (if: the start; repeat: the end of the first body) */
  popNs: number;
  /** the list of siblings both sit in (numbered in walk order; 0 = the top level) */
  list: number;
}

/** A conditional that pops before its data can arrive, and by how much. */
export interface LateConditional {
  cond: ConditionalNode;
  measurement: string;
  receiver: string;
  /** top level of the schedule (only those can be shifted by feedback_insert_wait) */
  topLevel: boolean;
  popNs: number;
  missingNs: number;
  minGapNs: number;
  error: TimingError;
}
