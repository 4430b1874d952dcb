/**
 * What the compiler needs from the hardware config after validation: module specs and the route of
 * each port-clock through the connectivity graph (reference sections 1.5, 1.6, 6).
 */
import type { ModuleType } from "../core/module-catalog.js";
export type { ModuleSpec } from "../core/module-catalog.js";

/** The resolved wiring of one port-clock (reference 1.5/1.6). */
export interface PortClockRoute {
  portClock: string; // "<port>-<clock>"
  port: string;
  clock: string;
  cluster: string;
  slot: number;
  moduleName: string; // "<cluster>_module<slot>"
  moduleType: ModuleType;
  /** main channel: the output if one is connected, else the input */
  channelName: string;
  /** input channel(s) paired with an output for measurement (empty if none) */
  measureChannels: string[];
  outputIndices: number[];
  inputIndices: number[];
  /** external LO reached through an IQ mixer, if any */
  externalLo: { name: string; mixer: string } | null;
}
