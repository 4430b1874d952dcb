/** Constants and types of the trigger-network plan (2-plan/trigger-network.ts). */
import type { AcquisitionOp } from "../../schedule/model.js";
import type { ConditionalNode, NodeId } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";

export type FeedbackMode = "linq" | "trigger_network";

/** Minimum gap from the end of an acquisition window to a conditional on its result (quantify TRIGGER_DELAY). */
export const TRIGGER_DELAY_NS = 364;
/** Trigger addresses 1…15 (quantify MAX_FEEDBACK_TRIGGER_ADDRESS). */
export const MAX_FEEDBACK_TRIGGER_ADDRESS = 15;
/** The latch reset comes this long after the acquisition starts (quantify MAX_MIN_INSTRUCTION_WAIT). */
export const LATCH_RESET_DELAY_NS = 4;
/** Real time a conditional takes after its body: the else-branch wait skipped when the body played. */
export const CONDITIONAL_BUFFER_NS = 4;
/** The network carries one trigger at a time: it is free again this long after one left (reference §8.1). */
export const TRIGGER_REPEAT_NS = 252;
/** Longest conditional body: its else-branch must be one `wait` (quantify IMMEDIATE_MAX_WAIT_TIME). */
export const MAX_CONDITIONAL_BODY_NS = 65532;

/** set_cond operators (quantify FeedbackTriggerOperator). */
export const TRIGGER_OPERATOR = { OR: 0, NOR: 1, AND: 2, NAND: 3, XOR: 4, XNOR: 5 } as const;

export interface TriggerConditional {
  address: number;
  /** set_cond mask: 2^(address − 1) */
  mask: number;
  /** operator under which the body plays: OR (bit 1) or NOR (bit 0); the else-branch uses its negation */
  operator: 0 | 1;
  triggerLabel: string;
  /** the measurement it consumes */
  measurement: NodeId;
}

export interface TriggerNetworkPlan {
  /** trigger address of each label, in allocation order */
  addresses: { label: string; address: number }[];
  /** per sequencer (aligned with ProgramPlan.sequencers): the address its thresholded results go to, or null */
  writeAddress: (number | null)[];
  /** per sequencer: the addresses its conditionals read (ascending; non-empty → `set_latch_en 1,4`) */
  readAddresses: number[][];
  /** conditional node id → its condition */
  conditionals: Record<NodeId, TriggerConditional>;
}

export interface TriggerNetworkResult {
  plan: TriggerNetworkPlan;
  /** the sequencers with the latch resets inserted */
  sequencers: SequencerPlan[];
  nextNodeId: NodeId;
}

export interface Pair {
  acq: { id: NodeId; op: AcquisitionOp; startNs: number };
  cond: ConditionalNode;
}
