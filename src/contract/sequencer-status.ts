/**
 * Sequencer state and status level (q1asm-and-scpi.md 9.1), shared by the Cluster driver (parsed from
 * `SEQuencer{q}:STATE?`) and the emulator (reported by runCluster / simulate).
 */
export type SequencerState = "IDLE" | "ARMED" | "RUNNING" | "Q1_STOPPED" | "STOPPED";
export type SequencerStatusLevel = "OKAY" | "WARNING" | "ERROR";
