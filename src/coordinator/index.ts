export {
  InstrumentCoordinator,
  type CoordinatorOptions,
  type HardwareLogEntry,
  type RunState,
  type SequencerRunStatus,
} from "./coordinator.js";
export { runExperiment, parseHostPort, type ExperimentResult, type RunExperimentOptions } from "./run-experiment.js";
export { VirtualLocalOscillator, type LocalOscillatorDriver, type LocalOscillatorState } from "./local-oscillator.js";
export { completeAcquisition, type AcquisitionData } from "./acquisitions.js";
export {
  openSession,
  Session,
  type ClusterTarget,
  type SessionCompile,
  type SessionOptions,
  type ExecuteOptions,
} from "./session.js";
export { Job, type ElementCorrection, type JobProvenance, type JobSource } from "./jobs/job.js";
export { JobQueue, type QueueAddOptions } from "./jobs/queue.js";
export { JOB_STATUSES, JobTimeoutError, type JobStatus } from "./jobs/status.js";
export { ResultHandles, ResultStream, type StreamChunk } from "./jobs/result-stream.js";
export { ExecutionReport, type ExecutionReportEntry } from "./jobs/execution-report.js";
export { SimulatedJob, type SimulatedModuleSamples } from "./jobs/simulated-job.js";
export { SessionConfigSchema, parseSessionConfig, type SessionConfig } from "./jobs/idle-values.js";
export { planSegments, substituteInputs, type Segment, type SegmentPlan, type SegmentPoint } from "./jobs/segments.js";
