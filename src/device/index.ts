/** Device configs (quantum device elements and edges) and their gate → pulse rules. */
export { BasicTransmonElement, CompositeSquareEdge, wrapPhi, wrapTheta } from "./elements.js";
export type { CZParams, GateSite, MeasureOptions, MeasureProtocol, TransmonParams } from "./elements.js";
export { nonFiniteToNull, parsePythonJson } from "./json.js";
export { loadDevice, parseDeviceConfig, parseDeviceJson, QuantumDevice } from "./load.js";
export { fromQuantifyDevice, isQuantifyDevice } from "./quantify.js";
export { DeviceConfigSchema, type DeviceConfig } from "./schema.js";
