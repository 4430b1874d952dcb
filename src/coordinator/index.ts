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
