/**
 * Constants and interfaces of the sequencer timing model (reference §4): RT queue depth, acquisition
 * binning FIFO, core start offset, wait_sync slack, the module interface (RtSink), step outcomes and
 * the pending-parameter bits. Shared by sequencer-state.ts and sequencer.ts.
 */
import type { SequencerEngine } from "./sequencer.js";
import type { Op } from "./program.js";

/**
 * RT queue depth, the one place it is set. Not documented by Qblox; Q1SIM (Qblox's sequencer
 * simulator) uses `RT_BUFFER_SIZE = 32` since v1.1 (16 in v1.0.5), and so does HS
 * (reference q1asm-and-scpi.md §4.2). test/emulator/compat-flags.test.ts pins the longest burst
 * that does not underflow with this depth.
 */
export const RT_QUEUE_DEPTH = 32;
/**
 * Acquisition binning FIFO (Q1SIM: 8 entries, one written every 300 ns; reference §7.2): more
 * acquisitions in flight raise ACQ_BINNING_FIFO_ERROR (16 acquisitions 100 ns apart overflow).
 */
export const ACQ_BINNING_FIFO_DEPTH = 8;
export const ACQ_BINNING_WRITE_NS = 300;
/** The Q1 core starts 10 cycles ahead of the RT timeline (§4.3). */
export const Q1_START_NS = -40;
/** Slack the Q1 core gains while the RT core waits in wait_sync (Q1SIM: ~200 ns, §4.5). */
export const WAIT_SYNC_SLACK_NS = 200;
export const DEFAULT_MAX_INSTRUCTIONS = 50_000_000;

/** What the core needs from its module: acquisitions and report events. */
export interface RtSink {
  acquire(
    seq: SequencerEngine,
    op: Op,
    acqIndex: number,
    bin: number,
    w0: number,
    w1: number,
    startNs: number,
    pc: number,
  ): void;
  event(seq: SequencerEngine, op: Op, startNs: number, durationNs: number, pc: number): void;
  /** an RT instruction that set_cond turned into a wait of `durationNs` (the else duration) */
  skipped?(seq: SequencerEngine, op: Op, startNs: number, durationNs: number, pc: number): void;
}

export const enum Step {
  RT_ISSUED,
  SYNC_BLOCKED,
  DONE,
  /** the Q1 core waits in fb_pop_data / fb_pull_data for an entry not yet in its feedback queue */
  FEEDBACK_BLOCKED,
}

/** pending-parameter bits (a const enum: inlined at compile time) */
export const enum Pend {
  MRK = 1,
  FREQ = 2,
  PH = 4,
  PHD = 8,
  RESET = 16,
  GAIN = 32,
  OFFS = 64,
}

export interface AcqDecl {
  numBins: number;
}
