/**
 * q1forge public API: compile schedules for Qblox Clusters, emulate the programs, run them.
 */
export { compile, type CompileOptions } from "./compiler/index.js";
export { registerQasmHook, unregisterQasmHook, registeredQasmHooks, type QasmHook } from "./compiler/3-emit/hooks.js";
export {
  CompiledScheduleSchema,
  SequenceSchema,
  type CompiledSchedule,
  type CompiledCluster,
  type CompiledModule,
  type CompiledSequencer,
  type Sequence,
  type SequencerSettings,
  type ModuleSettings,
  type AcquisitionChannelLayout,
  type ModuleType,
} from "./contract/compiled-schedule.js";

export * from "./hardware/index.js";

export { ScheduleDocumentSchema, type ScheduleDocument } from "./schedule/schema.js";
export { parseScheduleDocument, parseScheduleJson } from "./schedule/parse.js";
export { ScheduleBuilder, BlockBuilder, SchedulableRef, Ops } from "./schedule/builder.js";
export { resolveTiming } from "./compiler/1-schedule/timing.js";

export { assemble, assembleInstructions, parseProgram, printProgram, printAligned, INSTRUCTIONS } from "./q1/index.js";
export type { Instruction, Operand } from "./q1/types.js";

export { simulate, runCluster, compiledModuleToEmuInput, sampledInput, type SampledInput, type SimulationResult, type SimulateOptions } from "./emulator/index.js";

export { ScpiTransport } from "./instruments/transport.js";
export { ClusterDriver } from "./instruments/cluster-driver.js";
export { VirtualCluster, parseModuleList, type VirtualClusterOptions } from "./instruments/virtual-cluster.js";
export {
  InstrumentCoordinator,
  runExperiment,
  VirtualLocalOscillator,
  type ExperimentResult,
  type RunExperimentOptions,
  type LocalOscillatorDriver,
  type AcquisitionData,
} from "./coordinator/index.js";

export * from "./core/errors.js";
