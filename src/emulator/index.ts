/**
 * `q1forge/emulator`: the Q1 sequencer emulator. runCluster (api.ts contract), simulate() for compiled
 * schedules, sampled input, driver-parameter mapping.
 */
export { runCluster } from "./cluster.js";
export { simulate } from "./simulate.js";
export type { SimulationResult, SimulateOptions } from "./simulate.js";
export {
  compiledModuleToDriverInput,
  /** @deprecated the same function as compiledModuleToDriverInput (src/contract/driver-params.ts) */
  compiledModuleToDriverInput as compiledModuleToEmuInput,
  moduleSettingsToParams,
  sequencerSettingsToParams,
} from "../contract/driver-params.js";
export { RT_QUEUE_DEPTH, Q1_START_NS, WAIT_SYNC_SLACK_NS, DEFAULT_MAX_INSTRUCTIONS } from "./sequencer.js";
export { sampledInput, type SampledInput } from "./sampled-input.js";
export * from "./api.js";
export { EmulationError } from "../core/errors.js";
