/** The options and targets of openSession (src/coordinator/session.ts). */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { TransportOptions } from "../instruments/transport.js";
import type { QueueAddOptions } from "./jobs/queue.js";

/** A Cluster to open a session on: a connected driver, "host:port", or an address. */
export type ClusterTarget = ClusterDriver | string | { host: string; port: number };

/**
 * Compiles a schedule for the session's hardware config (the package root injects q1forge's compile).
 * On a Cluster whose firmware has no LINQ the session asks for `feedbackMode: "trigger_network"`
 * (the default for schedules without `feedback_mode`; docs/feedback.md).
 */
export type SessionCompile = (
  schedule: unknown,
  hardwareConfig: unknown,
  options?: { feedbackMode?: "linq" | "trigger_network" },
) => CompiledSchedule;

export interface SessionOptions {
  /** name of the Cluster in compiled schedules (default: the hardware config's Cluster, else "cluster0") */
  clusterName?: string;
  /** idle values (session config, docs/jobs.md); default: every output 0 V, markers not inverted */
  config?: unknown;
  /** needed to run schedules (not compiled schedules); the package root's openSession passes compile() */
  compile?: SessionCompile;
  /** recorded in the provenance of jobs this session compiles */
  compilerVersion?: string;
  /** recorded as userAdded of every job (default null) */
  user?: string;
  /** another session owns the Cluster: wait up to this many seconds for it to close (default 0: refuse) */
  waitForCluster?: number;
  transport?: Partial<TransportOptions>;
  /** a job's run timeout in ms (default 10 s + twice the schedule's duration) */
  runTimeoutMs?: number;
  /** ms between acquisition polls while a job runs (default 20) */
  streamIntervalMs?: number;
}

export interface ExecuteOptions extends QueueAddOptions {}
