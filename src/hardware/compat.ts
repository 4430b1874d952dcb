/**
 * The config forms quantify and its successor write, brought to the one form the schema validates
 * (docs/hardware-config.md, "Accepted forms"), before validation:
 *  - old-style configs (`"backend": "...hardware_compile"`) → converted (convert-old.ts), with a warning;
 *  - `null` for an optional field (pydantic's dump without `exclude_unset`) → absent;
 *  - keys that qblox-scheduler (quantify's successor) adds → removed, each named in a warning as not
 *    applied (a key unknown to both is still a schema error: typos are not silently accepted).
 * The networkx node-link graph is accepted by the schema itself (graph.ts reads both forms).
 */
import { convertOldStyleConfig, isOldStyleConfig, OLD_STYLE_BACKEND } from "./convert-old.js";
import {
  ClusterDescriptionSchema,
  CompilerOptionsSchema,
  ComplexChannelDescriptionSchema,
  DigitalChannelDescriptionSchema,
  DigitizationThresholdsSchema,
  HardwareConfigSchema,
  HardwareOptionsSchema,
  IQMixerDescriptionSchema,
  LocalOscillatorDescriptionSchema,
  MixerCorrectionsSchema,
  ModulationFrequenciesSchema,
  OpticalModulatorDescriptionSchema,
  QcmDescriptionSchema,
  QcmRfDescriptionSchema,
  QrcDescriptionSchema,
  QrmDescriptionSchema,
  QrmRfDescriptionSchema,
  QtmDescriptionSchema,
  RealChannelDescriptionSchema,
  SequencerOptionsSchema,
} from "./schema.js";

/** A non-fatal finding while loading a hardware config (reaches `diagnostics.warnings` of a compile). */
export interface HardwareWarning {
  code: string;
  message: string;
  /** JSON pointer in the config as given */
  path: string;
}

type Obj = Record<string, unknown>;

/**
 * Keys qblox-scheduler writes that quantify does not know. They are not applied (the compiled output
 * does not depend on them); each is named in a warning. A config whose config_type names qblox_scheduler
 * gets the same treatment for every key the schema does not know.
 */
export const SUCCESSOR_KEYS: Record<string, string> = {
  sequencer_isa_version:
    "the Q1 instruction-set version is implied by the firmware q1forge targets; the programs use the base instruction set",
};

export interface PreparedInput {
  data: unknown;
  warnings: HardwareWarning[];
  /** the input was an old-style config and `data` is its conversion */
  oldStyle: boolean;
}

export function prepareHardwareInput(input: unknown): PreparedInput {
  const warnings: HardwareWarning[] = [];
  let data = input;
  let oldStyle = false;
  if (isOldStyleConfig(input)) {
    const converted = convertOldStyleConfig(input);
    data = converted.config;
    oldStyle = true;
    warnings.push({
      code: "OLD_STYLE_CONFIG_CONVERTED",
      message: `old-style hardware config (backend "${OLD_STYLE_BACKEND}") converted to the new style as quantify does; write the converted file once with \`q1forge convert-config --hardware OLD.json --out NEW.json\``,
      path: "/backend",
    });
    warnings.push(...converted.warnings);
  }
  data = withoutNulls(data);
  if (isObject(data)) removeSuccessorKeys(data, warnings);
  return { data, warnings, oldStyle };
}

/** A copy without object properties whose value is null (array elements are kept as they are). */
export function withoutNulls(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutNulls);
  if (!isObject(x)) return x;
  const out: Obj = {};
  for (const [k, v] of Object.entries(x)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

const keysOf = (s: { shape: Record<string, unknown> }): ReadonlySet<string> => new Set(Object.keys(s.shape));
const MODULE_KEYS: Record<string, ReadonlySet<string>> = {
  QCM: keysOf(QcmDescriptionSchema),
  QRM: keysOf(QrmDescriptionSchema),
  QCM_RF: keysOf(QcmRfDescriptionSchema),
  QRM_RF: keysOf(QrmRfDescriptionSchema),
  QRC: keysOf(QrcDescriptionSchema),
  QTM: keysOf(QtmDescriptionSchema),
};
const INSTRUMENT_KEYS: Record<string, ReadonlySet<string>> = {
  Cluster: keysOf(ClusterDescriptionSchema),
  LocalOscillator: keysOf(LocalOscillatorDescriptionSchema),
  IQMixer: keysOf(IQMixerDescriptionSchema),
  OpticalModulator: keysOf(OpticalModulatorDescriptionSchema),
};
const CHANNEL_KEYS: Record<string, ReadonlySet<string>> = {
  complex: keysOf(ComplexChannelDescriptionSchema),
  real: keysOf(RealChannelDescriptionSchema),
  digital: keysOf(DigitalChannelDescriptionSchema),
};
/** per-port-clock option values that are objects with their own keys */
const OPTION_VALUE_KEYS: Record<string, ReadonlySet<string>> = {
  modulation_frequencies: keysOf(ModulationFrequenciesSchema),
  mixer_corrections: keysOf(MixerCorrectionsSchema),
  sequencer_options: keysOf(SequencerOptionsSchema),
  digitization_thresholds: keysOf(DigitizationThresholdsSchema),
};

function removeSuccessorKeys(config: Obj, warnings: HardwareWarning[]): void {
  const fromSuccessor = typeof config["config_type"] === "string" && config["config_type"].includes("qblox_scheduler");
  const drop = (obj: Obj, known: ReadonlySet<string>, pointer: string, where: string): void => {
    for (const k of Object.keys(obj)) {
      if (known.has(k)) continue;
      const reason = SUCCESSOR_KEYS[k];
      if (reason === undefined && !fromSuccessor) continue; // left for the schema to reject
      delete obj[k];
      warnings.push({
        code: "SUCCESSOR_KEY_NOT_APPLIED",
        message: `'${k}' of ${where} (a qblox-scheduler key) is not applied${reason ? `: ${reason}` : ": q1forge compiles as quantify-scheduler does, which has no such setting"}`,
        path: `${pointer}/${esc(k)}`,
      });
    }
  };
  drop(config, keysOf(HardwareConfigSchema), "", "the config");
  const hd = config["hardware_description"];
  if (isObject(hd)) {
    for (const [name, inst] of Object.entries(hd)) {
      if (!isObject(inst)) continue;
      const p = `/hardware_description/${esc(name)}`;
      const known = INSTRUMENT_KEYS[String(inst["instrument_type"])];
      if (known) drop(inst, known, p, `instrument '${name}'`);
      const modules = inst["modules"];
      if (inst["instrument_type"] !== "Cluster" || !isObject(modules)) continue;
      for (const [slot, mod] of Object.entries(modules)) {
        if (!isObject(mod)) continue;
        const mp = `${p}/modules/${esc(slot)}`;
        const mk = MODULE_KEYS[String(mod["instrument_type"])];
        if (!mk) continue;
        drop(mod, mk, mp, `module ${slot} of '${name}'`);
        for (const [field, ch] of Object.entries(mod)) {
          const kind = field.split("_")[0] ?? "";
          const ck = CHANNEL_KEYS[kind];
          if (ck && isObject(ch)) drop(ch, ck, `${mp}/${field}`, `${field} of module ${slot} of '${name}'`);
        }
      }
    }
  }
  const options = config["hardware_options"];
  if (isObject(options)) {
    drop(options, keysOf(HardwareOptionsSchema), "/hardware_options", "hardware_options");
    for (const [option, perPc] of Object.entries(options)) {
      const vk = OPTION_VALUE_KEYS[option];
      if (!vk || !isObject(perPc)) continue;
      for (const [pc, value] of Object.entries(perPc)) {
        if (isObject(value)) drop(value, vk, `/hardware_options/${option}/${esc(pc)}`, `${option} of ${pc}`);
      }
    }
  }
  const co = config["compiler_options"];
  if (isObject(co)) drop(co, keysOf(CompilerOptionsSchema), "/compiler_options", "compiler_options");
}

function isObject(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function esc(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
