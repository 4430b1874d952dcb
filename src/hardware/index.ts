/** Public API of the hardware area: config schema, loading, routes, channel maps, sequencer allocation. */
export { HardwareConfigSchema, type HardwareConfig, type ModuleDescription, type HardwareOptions } from "./schema.js";
export { loadHardwareConfig, parseHardwareConfigJson } from "./load.js";
export { HardwareSetup, type SetupCluster, type SetupModule, type ExternalLo } from "./setup.js";
export { MODULE_CATALOG, MODULE_TYPES, moduleSpec, isModuleType } from "../core/module-catalog.js";
export { channelMap, type ChannelMap, type ConnectOut, type ConnectAcq } from "./channel-map.js";
export { allocateSequencers, sequencerAccepts } from "./allocate.js";
export { parseChannelName, channelIoIndices, connectedIndices } from "./channels.js";
export { SUPPORTED_VERSIONS, type HardwareConfigVersion } from "./semantic.js";
export type { ModuleSpec, PortClockRoute } from "./model.js";
