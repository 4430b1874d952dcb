/**
 * What the compiler needs from the hardware config after validation: module specs and the route of
 * each port-clock through the connectivity graph (reference sections 1.5, 1.6, 6).
 */
import type { ModuleType } from "../compiler/output.js";

/** Static properties of one module type: the single catalog of resource limits (reference 6). */
export interface ModuleSpec {
  type: ModuleType;
  sequencers: number;
  /** analog outputs (DACs) */
  outputs: number;
  /** analog inputs (ADCs) */
  inputs: number;
  markers: number;
  isRF: boolean;
  supportsAcquisition: boolean;
  /** valid channel names, e.g. "complex_output_0", "real_input_1", "digital_output_3" */
  channels: readonly string[];
  maxInstructions: number;
  waveformSampleLimit: number; // 16384
  registers: number; // 64
  acqIndices: number; // 32
  binsPerIndex: number; // 100000 (compiler bookkeeping)
  maxBins: number; // 131072
  /** mixer DC offset range, volts (±) */
  mixerDcOffsetRangeV: number;
  /** internal LO count (RF modules) */
  internalLos: number;
  /** internal LO frequency range in Hz (RF modules), null when the module has no internal LO */
  loFrequencyRangeHz?: { min: number; max: number } | null;
}

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
