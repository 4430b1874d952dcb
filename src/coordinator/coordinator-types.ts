/**
 * Types of the InstrumentCoordinator (src/coordinator/coordinator.ts): its options, run state, the
 * sequencer statuses it reports and its hardware log, and the used-sequencer / generation records
 * its prepare and foreign-access checks share.
 */
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { SequencerStatus } from "../instruments/reply-parse.js";
import type { LocalOscillatorDriver } from "./local-oscillator.js";

export type RunState = "idle" | "prepared" | "running" | "done" | "failed";

export interface SequencerRunStatus extends SequencerStatus {
  cluster: string;
  module: string;
  slot: number;
  sequencer: number;
}

export interface HardwareLogEntry {
  /** ms since the coordinator was created */
  t: number;
  target: string;
  action: string;
  detail: string;
}

export interface CoordinatorOptions {
  /** one driver per cluster name of the compiled schedules */
  clusters: Record<string, ClusterDriver>;
  localOscillators?: Record<string, LocalOscillatorDriver>;
  /** write every setting on every prepare (disables the lazy cache) */
  forceSet?: boolean;
}

export interface UsedSequencer {
  cluster: string;
  module: string;
  slot: number;
  seq: number;
  readout: boolean;
  integrationLength: number | null;
}

/** cache key of a sequencer's count of other clients' writes, as read after this coordinator's writes */
export const genKey = (cluster: string, slot: number, seq: number) => `${cluster}/${slot}/seq${seq}/#generation`;
export type Generation = NonNullable<Awaited<ReturnType<ClusterDriver["generation"]>>>;
