/**
 * q1forge public API: compile schedules for Qblox Clusters, emulate the programs, run them.
 *
 * A curated root (pinned by test/api/exports.test.ts). The Q1ASM toolkit, the emulator and the
 * instrument layer have their own entry points: `q1forge/q1`, `q1forge/emulator`, `q1forge/instruments`.
 */

// compile
export { compile, type CompileOptions } from "./compile.js";
export type { QasmHook, QasmHookContext, QasmHooks } from "./compiler/3-emit/hooks.js";
export type { CompiledSchedule } from "./contract/compiled-schedule.js";

// inputs: hardware config and schedule
export { loadHardwareConfig, parseHardwareConfigJson } from "./hardware/load.js";
export type { HardwareSetup } from "./hardware/setup.js";
export type { HardwareConfig } from "./hardware/schema.js";
export { parseScheduleDocument, parseScheduleJson } from "./schedule/parse.js";
export type { ScheduleDocument } from "./schedule/schema.js";
export { ScheduleBuilder, Ops, Gates } from "./schedule/builder.js";
// quantum devices for gate-level schedules (docs/device.md)
export { loadDevice, parseDeviceJson, type QuantumDevice } from "./device/load.js";

// emulate
export { simulate, type SimulationResult, type SimulateOptions } from "./emulator/simulate.js";

// run
export { runExperiment, type ExperimentResult, type RunExperimentOptions } from "./coordinator/run-experiment.js";
export { InstrumentCoordinator } from "./coordinator/coordinator.js";
export { ClusterDriver } from "./instruments/cluster-driver.js";
export { VirtualCluster, type VirtualClusterOptions } from "./instruments/virtual-cluster.js";

// sessions and jobs (docs/jobs.md)
export { openSession, type OpenSessionOptions } from "./open-session.js";
export type { Session, ClusterTarget } from "./coordinator/session.js";
export type { Job } from "./coordinator/jobs/job.js";
export type { JobStatus } from "./coordinator/jobs/status.js";
export type { SessionConfig } from "./coordinator/jobs/idle-values.js";

// errors: every failure is a Q1ForgeError (code, path, hint); the subclasses name its kind
export {
  Q1ForgeError,
  InputParseError,
  SchemaValidationError,
  HardwareConfigError,
  ScheduleError,
  TimingError,
  FrequencyError,
  ResourceLimitError,
  ValueRangeError,
  EmulationError,
  InstrumentError,
  DeviceConfigError,
  type ErrorJson,
} from "./core/errors.js";
