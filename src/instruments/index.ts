/**
 * `q1forge/instruments`: the instrument layer. SCPI over TCP (ScpiTransport), the typed Cluster
 * driver, and the virtual Cluster (a SCPI server that runs uploaded programs in the emulator).
 */
export { ScpiTransport, type TransportOptions, type CommandOptions, type TransportStats } from "./transport.js";
export {
  ClusterDriver,
  type ClusterModule,
  type ClusterSnapshot,
  type ModuleSnapshot,
  type SequencerSnapshot,
  type ReferenceSource,
} from "./cluster-driver.js";
export { VirtualCluster, parseModuleList, type VirtualClusterOptions, type VirtualFault } from "./virtual-cluster.js";
export { InstrumentError } from "../core/errors.js";
export {
  InstrumentConnectionError,
  MalformedReplyError,
  InstrumentReportedError,
  type InstrumentErrorCode,
} from "./instrument-errors.js";
