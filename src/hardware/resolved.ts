/**
 * The typed hardware model (DESIGN: "resolved.ts"): everything the compiler needs from a validated
 * hardware config, built once when the config is loaded. Compiler passes read this model, never
 * `config.hardware_options` / `config.hardware_description`. Per-port-clock options are held in Maps
 * (a port-clock named "constructor" is just a key), per-channel flags are looked up by
 * cluster / slot / channel name.
 */
import type { ModuleType } from "../core/module-catalog.js";
import type { HardwareConfig, HardwareOptions, ModuleDescription } from "./schema.js";

type OptionOf<K extends keyof HardwareOptions> = NonNullable<HardwareOptions[K]>[string];

export type ModulationOption = OptionOf<"modulation_frequencies">;
export type MixerCorrectionsOption = OptionOf<"mixer_corrections">;
export type InputGainOption = OptionOf<"input_gain">;
export type SequencerOptions = OptionOf<"sequencer_options">;
export type DistortionOption = OptionOf<"distortion_corrections">;
export type SoftwareDistortion = Extract<DistortionOption, { filter_func: string }>;
export type HardwareDistortion = Exclude<DistortionOption, SoftwareDistortion | readonly unknown[]>;

/** Distortion correction of one port-clock, classified once. */
export type DistortionCorrection =
  | { kind: "software"; correction: SoftwareDistortion }
  /** `perPath` has one entry for a real channel's correction, two (I, Q) for the list form */
  | { kind: "hardware"; listForm: boolean; perPath: HardwareDistortion[] };

/** Every hardware option of one port-clock ("<port>-<clock>"), with quantify's defaults applied. */
export interface PortClockOptions {
  portClock: string;
  /** latency_corrections, seconds (0 when absent); the compiler converts with its grid check */
  latencyCorrectionS: number;
  modulation: { intermFreq: number | null; loFreq: number | null };
  mixerCorrections: MixerCorrectionsOption | null;
  inputGain: InputGainOption | null;
  outputAtt: number | null;
  inputAtt: number | null;
  initOffsetAwgPathI: number;
  initOffsetAwgPathQ: number;
  initGainAwgPathI: number;
  initGainAwgPathQ: number;
  ttlAcqThreshold: number | null;
  /** name of the Q1ASM hook to apply (compile option `qasmHooks`), or null */
  qasmHookFunc: string | null;
  distortion: DistortionCorrection | null;
  /** digitization_thresholds: analog_threshold (or its older name in_threshold_primary), V; null when unset */
  digitizationThreshold: number | null;
}

/** Per-channel fields of a module description (reference 1.2) and the module's RF switch default. */
export interface ChannelOptions {
  markerDebugModeEnable: boolean;
  /** false only when the description says `mix_lo: false` */
  mixLo: boolean;
  downconverterFreq: number | null;
  /** DistortionCorrectionLatencyEnum bitmask (EXP0=2 … FIR=32) */
  latencyCompensationMask: number;
}

export interface ClusterOptions {
  ref: "internal" | "external";
  syncOnExternalTrigger: Record<string, unknown> | null;
}

export interface ModuleOptions {
  type: ModuleType;
  /** RF modules: rf_output_on (default true); null for baseband modules */
  rfOutputOn: boolean | null;
}

/** Complex number as stored in the crosstalk matrix. */
export interface Complex {
  re: number;
  im: number;
}

/** hardware_options.crosstalk as a dense matrix over the sorted union of its port-clocks. */
export interface CrosstalkMatrix {
  portClocks: string[];
  /** identity plus M[src][dst] = coefficient */
  matrix: Complex[][];
}

const NO_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  markerDebugModeEnable: false,
  mixLo: true,
  downconverterFreq: null,
  latencyCompensationMask: 0,
});

export class ResolvedHardware {
  private readonly portClocks = new Map<string, PortClockOptions>();
  private readonly channels = new Map<string, ChannelOptions>();
  private readonly modules = new Map<string, ModuleOptions>();
  private readonly clusters = new Map<string, ClusterOptions>();
  private readonly loPowers = new Map<string, number | null>();
  readonly crosstalk: CrosstalkMatrix | null;
  /** compiler_options with quantify's defaults (auto_rf_switch false, ramp buffer 20 ns) */
  readonly compilerOptions: {
    autoRfSwitch: boolean;
    rampBufferNs: number;
    /** LINQ feedback options (docs/feedback.md), default false */
    feedbackInsertWait: boolean;
    feedbackWriteCombine: boolean;
  };

  constructor(config: HardwareConfig) {
    const options = config.hardware_options ?? {};
    for (const [name, desc] of Object.entries(config.hardware_description)) {
      if (desc.instrument_type === "LocalOscillator") this.loPowers.set(name, desc.power ?? null);
      if (desc.instrument_type !== "Cluster") continue;
      this.clusters.set(name, {
        ref: desc.ref ?? "internal",
        syncOnExternalTrigger: (desc.sync_on_external_trigger ?? null) as Record<string, unknown> | null,
      });
      for (const [slot, mod] of Object.entries(desc.modules)) this.addModule(name, Number(slot), mod);
    }
    this.crosstalk = crosstalkMatrix(options.crosstalk);
    const co = config.compiler_options ?? {};
    this.compilerOptions = {
      autoRfSwitch: co.auto_rf_switch === true,
      rampBufferNs: Math.round((co.auto_rf_switch_ramp_buffer ?? 20e-9) * 1e9),
      feedbackInsertWait: co.feedback_insert_wait === true,
      feedbackWriteCombine: co.feedback_write_combine === true,
    };
    const keys = new Set<string>();
    for (const option of Object.values(options)) {
      if (option && typeof option === "object") for (const pc of Object.keys(option)) keys.add(pc);
    }
    for (const pc of keys) this.portClocks.set(pc, portClockOptions(pc, options));
  }

  /** Options of a port-clock; defaults when the config names it nowhere. */
  portClock(portClock: string): PortClockOptions {
    let o = this.portClocks.get(portClock);
    if (!o) {
      o = portClockOptions(portClock, {});
      this.portClocks.set(portClock, o);
    }
    return o;
  }

  channel(cluster: string, slot: number, channelName: string): ChannelOptions {
    return this.channels.get(`${cluster}/${slot}/${channelName}`) ?? NO_CHANNEL_OPTIONS;
  }

  module(cluster: string, slot: number): ModuleOptions | undefined {
    return this.modules.get(`${cluster}/${slot}`);
  }

  cluster(name: string): ClusterOptions {
    return this.clusters.get(name) ?? { ref: "internal", syncOnExternalTrigger: null };
  }

  /** power of an external LocalOscillator instrument, null when unset */
  localOscillatorPower(name: string): number | null {
    return this.loPowers.get(name) ?? null;
  }

  private addModule(cluster: string, slot: number, mod: ModuleDescription): void {
    const rf = mod.instrument_type === "QCM_RF" || mod.instrument_type === "QRM_RF" || mod.instrument_type === "QRC";
    const rfOutputOn = "rf_output_on" in mod && typeof mod.rf_output_on === "boolean" ? mod.rf_output_on : true;
    this.modules.set(`${cluster}/${slot}`, { type: mod.instrument_type, rfOutputOn: rf ? rfOutputOn : null });
    for (const [field, value] of Object.entries(mod)) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
      const ch = value as {
        marker_debug_mode_enable?: boolean;
        mix_lo?: boolean;
        downconverter_freq?: number | null;
        distortion_correction_latency_compensation?: number;
      };
      this.channels.set(`${cluster}/${slot}/${field}`, {
        markerDebugModeEnable: ch.marker_debug_mode_enable === true,
        mixLo: ch.mix_lo !== false,
        downconverterFreq: ch.downconverter_freq ?? null,
        latencyCompensationMask: ch.distortion_correction_latency_compensation ?? 0,
      });
    }
  }
}

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function portClockOptions(pc: string, o: HardwareOptions): PortClockOptions {
  const mod = own(o.modulation_frequencies, pc);
  const seq = own(o.sequencer_options, pc);
  const distortion = own(o.distortion_corrections, pc);
  return {
    portClock: pc,
    latencyCorrectionS: own(o.latency_corrections, pc) ?? 0,
    modulation: { intermFreq: finiteOrNull(mod?.interm_freq), loFreq: finiteOrNull(mod?.lo_freq) },
    mixerCorrections: own(o.mixer_corrections, pc) ?? null,
    inputGain: own(o.input_gain, pc) ?? null,
    outputAtt: own(o.output_att, pc) ?? null,
    inputAtt: own(o.input_att, pc) ?? null,
    initOffsetAwgPathI: seq?.init_offset_awg_path_I ?? 0,
    initOffsetAwgPathQ: seq?.init_offset_awg_path_Q ?? 0,
    initGainAwgPathI: seq?.init_gain_awg_path_I ?? 1,
    initGainAwgPathQ: seq?.init_gain_awg_path_Q ?? 1,
    ttlAcqThreshold: seq?.ttl_acq_threshold ?? null,
    qasmHookFunc: seq?.qasm_hook_func ?? null,
    distortion: distortion === undefined ? null : classifyDistortion(distortion),
    digitizationThreshold: (() => {
      const t = own(o.digitization_thresholds, pc);
      return t?.analog_threshold ?? t?.in_threshold_primary ?? null;
    })(),
  };
}

function classifyDistortion(d: DistortionOption): DistortionCorrection {
  if (Array.isArray(d)) return { kind: "hardware", listForm: true, perPath: [...d] };
  if ("filter_func" in d) return { kind: "software", correction: d as SoftwareDistortion };
  return { kind: "hardware", listForm: false, perPath: [d as HardwareDistortion] };
}

function crosstalkMatrix(raw: HardwareOptions["crosstalk"]): CrosstalkMatrix | null {
  if (!raw || Object.keys(raw).length === 0) return null;
  const pcs = [...new Set([...Object.keys(raw), ...Object.values(raw).flatMap((d) => Object.keys(d))])].sort();
  const index = new Map(pcs.map((pc, i) => [pc, i]));
  const matrix: Complex[][] = pcs.map((_, i) => pcs.map((__, j) => ({ re: i === j ? 1 : 0, im: 0 })));
  for (const [src, dsts] of Object.entries(raw)) {
    for (const [dst, v] of Object.entries(dsts)) {
      if (src === dst) continue;
      matrix[index.get(src)!]![index.get(dst)!] = typeof v === "number" ? { re: v, im: 0 } : { re: v.real, im: v.imag };
    }
  }
  return { portClocks: pcs, matrix };
}

function finiteOrNull(v: number | null | undefined): number | null {
  return v === undefined || v === null || !Number.isFinite(v) ? null : v;
}
