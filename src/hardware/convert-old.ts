/**
 * Old-style Qblox hardware configs (`"backend": "quantify_scheduler.backends.qblox_backend.hardware_compile"`,
 * nested cluster / module / channel dicts with `portclock_configs` lists) converted to the new style,
 * the way quantify's `_generate_new_style_hardware_compilation_config` (backends/qblox/helpers.py)
 * does it: each `portclock_configs` entry becomes a connectivity edge plus per-port-clock options,
 * `lo_name` becomes an IQ mixer (an OpticalModulator for `optical_control` ports) fed by the named
 * LocalOscillator. Where quantify drops or overwrites something silently this converter keeps it or
 * says so (docs/hardware-config.md, "Old-style configs").
 */
import { HardwareConfigError } from "../core/errors.js";
import type { HardwareWarning } from "./compat.js";

export const OLD_STYLE_BACKEND = "quantify_scheduler.backends.qblox_backend.hardware_compile";
export const NEW_STYLE_CONFIG_TYPE = "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig";

type Obj = Record<string, unknown>;

export function isOldStyleConfig(input: unknown): boolean {
  return isObject(input) && input["backend"] === OLD_STYLE_BACKEND;
}

/** Sequencer option names of a port-clock config (quantify `SequencerOptions`). */
const SEQUENCER_OPTION_KEYS = [
  "init_offset_awg_path_I",
  "init_offset_awg_path_Q",
  "init_gain_awg_path_I",
  "init_gain_awg_path_Q",
  "ttl_acq_threshold",
  "qasm_hook_func",
] as const;

/** Keys renamed in quantify 0.20 (quantify's `_preprocess_legacy_hardware_config`). */
const DEPRECATED_PORTCLOCK_KEYS: Record<string, string> = {
  init_offset_awg_path_0: "init_offset_awg_path_I",
  init_offset_awg_path_1: "init_offset_awg_path_Q",
  init_gain_awg_path_0: "init_gain_awg_path_I",
  init_gain_awg_path_1: "init_gain_awg_path_Q",
};

/** Port-clock keys of old quantify versions that no longer mean anything (dropped with a warning). */
const IGNORED_PORTCLOCK_KEYS = ["instruction_generated_pulses_enabled"];

/** Defaults of quantify's channel descriptions: a converted description equal to them is dropped. */
const CHANNEL_DEFAULTS: Record<string, unknown> = {
  marker_debug_mode_enable: false,
  mix_lo: true,
  downconverter_freq: null,
  distortion_correction_latency_compensation: 0,
};

class Converter {
  readonly warnings: HardwareWarning[] = [];
  readonly hd: Obj = {};
  readonly options: Record<string, Record<string, unknown>> = {};
  readonly graph: [string, string][] = [];

  constructor(private readonly old: Obj) {}

  run(): Obj {
    for (const [key, value] of Object.entries(this.old)) {
      const path = `/${esc(key)}`;
      if (key === "backend") continue;
      if (key === "latency_corrections" || key === "distortion_corrections") {
        this.options[key] = value as Record<string, unknown>;
        continue;
      }
      if (!isObject(value) || !("instrument_type" in value)) {
        this.warn(
          "OLD_STYLE_ENTRY_SKIPPED",
          `old-style entry '${key}' has no instrument_type and was skipped (as quantify does)`,
          path,
        );
        continue;
      }
      const type = value["instrument_type"];
      if (type === "Cluster") this.cluster(key, value, path);
      else if (type === "LocalOscillator") this.localOscillator(key, value, path);
      else
        throw invalid(
          `entry '${key}' has instrument_type ${JSON.stringify(type)}`,
          `${path}/instrument_type`,
          'Old-style entries are "Cluster" or "LocalOscillator" instruments (plus "backend", "latency_corrections", "distortion_corrections").',
        );
    }
    const out: Obj = {
      config_type: NEW_STYLE_CONFIG_TYPE,
      hardware_description: this.hd,
      hardware_options: this.options,
      connectivity: { graph: this.graph },
    };
    return out;
  }

  private warn(code: string, message: string, path: string): void {
    this.warnings.push({ code, message, path });
  }

  private option(name: string, pc: string): Obj {
    const perPc = (this.options[name] ??= {});
    const v = perPc[pc];
    if (isObject(v)) return v;
    const fresh: Obj = {};
    perPc[pc] = fresh;
    return fresh;
  }

  private setOption(name: string, pc: string, value: unknown): void {
    (this.options[name] ??= {})[pc] = value;
  }

  private localOscillator(name: string, lo: Obj, path: string): void {
    const desc: Obj = {};
    for (const [k, v] of Object.entries(lo)) {
      if (k === "instrument_type" || k === "power") desc[k] = v;
      else if (k !== "frequency")
        throw invalid(
          `unexpected key '${k}' in LocalOscillator '${name}'`,
          `${path}/${esc(k)}`,
          "An old-style LocalOscillator takes instrument_type, frequency and power only (quantify raises KeyError for anything else).",
        );
    }
    this.hd[name] = desc;
  }

  private cluster(name: string, cluster: Obj, path: string): void {
    const desc: Obj = { instrument_type: "Cluster", modules: {} };
    this.hd[name] = desc;
    for (const [k, v] of Object.entries(cluster)) {
      if (k === "ref" || k === "sequence_to_file") desc[k] = v;
      else if (k.includes("module")) {
        const slotText = k.split("module")[1] ?? "";
        if (!/^[0-9]+$/.test(slotText)) {
          throw invalid(
            `cluster '${name}' has a module key '${k}' without a slot number after "module"`,
            `${path}/${esc(k)}`,
            `Name modules '<cluster>_module<slot>', e.g. '${name}_module1'.`,
          );
        }
        if (!isObject(v))
          throw invalid(`module '${k}' of cluster '${name}' is not an object`, `${path}/${esc(k)}`, MODULE_HINT);
        this.module(name, Number(slotText), v, `${path}/${esc(k)}`);
      } else if (k !== "instrument_type") {
        this.warn(
          "OLD_STYLE_KEY_IGNORED",
          `key '${k}' of old-style cluster '${name}' has no new-style equivalent and was not converted`,
          `${path}/${esc(k)}`,
        );
      }
    }
  }

  private module(cluster: string, slot: number, mod: Obj, path: string): void {
    const modules = (this.hd[cluster] as { modules: Record<string, Obj> }).modules;
    const desc: Obj = {};
    modules[String(slot)] = desc;
    for (const [k, v] of Object.entries(mod)) {
      const p = `${path}/${esc(k)}`;
      if (k === "instrument_type" || k === "sequence_to_file") {
        desc[k] = v;
        continue;
      }
      const kind = k.startsWith("complex_")
        ? "complex"
        : k.startsWith("real_")
          ? "real"
          : k.startsWith("digital_")
            ? "digital"
            : null;
      if (kind === null) {
        this.warn(
          "OLD_STYLE_KEY_IGNORED",
          `key '${k}' of old-style module ${cluster} slot ${slot} has no new-style equivalent and was not converted`,
          p,
        );
        continue;
      }
      if (!isObject(v) || !Array.isArray(v["portclock_configs"])) {
        throw invalid(
          `channel '${k}' of ${cluster} module ${slot} has no "portclock_configs" list`,
          p,
          'Each old-style channel lists its port-clocks: "portclock_configs": [{"port": "q0:mw", "clock": "q0.01", ...}].',
        );
      }
      const ch: Obj = {};
      desc[k] = ch;
      this.channel(kind, cluster, slot, k, v, ch, p);
      if (Object.entries(ch).every(([f, x]) => f in CHANNEL_DEFAULTS && CHANNEL_DEFAULTS[f] === x)) delete desc[k];
    }
  }

  private channel(
    kind: "complex" | "real" | "digital",
    cluster: string,
    slot: number,
    name: string,
    cfg: Obj,
    desc: Obj,
    path: string,
  ): void {
    const pcCfgs = cfg["portclock_configs"] as unknown[];
    const portClocks: string[] = pcCfgs.map((pcCfg, i) => {
      if (!isObject(pcCfg) || typeof pcCfg["port"] !== "string" || typeof pcCfg["clock"] !== "string") {
        throw invalid(
          `portclock_configs entry ${i} of ${cluster} module ${slot} ${name} needs a string "port" and "clock"`,
          `${path}/portclock_configs/${i}`,
          'Write each entry as {"port": "q0:mw", "clock": "q0.01", ...}.',
        );
      }
      return `${pcCfg["port"]}-${pcCfg["clock"]}`;
    });
    let node = `${cluster}.module${slot}.${name}`;
    const forAll = (f: (pc: string) => void): void => portClocks.forEach(f);
    // quantify processes portclock_configs last (it re-inserts the key at the end of the dict)
    for (const [k, v] of Object.entries(cfg)) {
      if (k === "portclock_configs") continue;
      const p = `${path}/${esc(k)}`;
      if (k === "marker_debug_mode_enable" && kind !== "digital") desc[k] = v;
      else if (k === "mix_lo" && kind !== "digital") desc[k] = v;
      else if (k === "downconverter_freq" && kind === "complex") desc[k] = v;
      else if (k === "lo_name" && kind !== "digital") node = this.mixer(kind, String(v), node, portClocks, p);
      else if (k === "lo_freq" && kind === "complex")
        forAll((pc) => (this.option("modulation_frequencies", pc)["lo_freq"] = v));
      else if (k === "auto_lo_cal" && kind === "complex")
        forAll((pc) => (this.option("mixer_corrections", pc)["auto_lo_cal"] = v));
      else if (k === "dc_mixer_offset_I" && kind === "complex")
        forAll((pc) => (this.option("mixer_corrections", pc)["dc_offset_i"] = v));
      else if (k === "dc_mixer_offset_Q" && kind === "complex")
        forAll((pc) => (this.option("mixer_corrections", pc)["dc_offset_q"] = v));
      else if (k === "input_gain_I" && kind === "complex")
        forAll((pc) => (this.option("input_gain", pc)["gain_I"] = v));
      else if (k === "input_gain_Q" && kind === "complex")
        forAll((pc) => (this.option("input_gain", pc)["gain_Q"] = v));
      else if ((k === "input_gain_0" || k === "input_gain_1") && kind === "real")
        forAll((pc) => this.setOption("input_gain", pc, v));
      else if ((k === "output_att" || k === "input_att") && kind === "complex")
        forAll((pc) => this.setOption(k, pc, v));
      else
        this.warn(
          "OLD_STYLE_KEY_IGNORED",
          `key '${k}' of old-style ${kind} channel ${cluster} module ${slot} ${name} has no new-style equivalent and was not converted`,
          p,
        );
    }
    pcCfgs.forEach((raw, i) => {
      const pcCfg = { ...(raw as Obj) };
      const p = `${path}/portclock_configs/${i}`;
      const port = pcCfg["port"] as string;
      const pc = portClocks[i]!;
      this.graph.push([node, port]);
      delete pcCfg["port"];
      delete pcCfg["clock"];
      for (const [oldKey, newKey] of Object.entries(DEPRECATED_PORTCLOCK_KEYS)) {
        if (!(oldKey in pcCfg)) continue;
        this.warn("OLD_STYLE_DEPRECATED_KEY", `'${oldKey}' of ${pc} is deprecated; converted to '${newKey}'`, p);
        pcCfg[newKey] = pcCfg[oldKey];
        delete pcCfg[oldKey];
      }
      const take = (key: string, option: string, field: string): void => {
        if (!(key in pcCfg)) return;
        this.option(option, pc)[field] = pcCfg[key];
        delete pcCfg[key];
      };
      if (kind === "digital") {
        take("in_threshold_primary", "digitization_thresholds", "in_threshold_primary");
      } else {
        take("interm_freq", "modulation_frequencies", "interm_freq");
        if (kind === "complex") {
          take("mixer_amp_ratio", "mixer_corrections", "amp_ratio");
          take("auto_sideband_cal", "mixer_corrections", "auto_sideband_cal");
          take("mixer_phase_error_deg", "mixer_corrections", "phase_error");
        }
        for (const key of SEQUENCER_OPTION_KEYS) take(key, "sequencer_options", key);
      }
      for (const k of Object.keys(pcCfg)) {
        if (kind === "complex" && !IGNORED_PORTCLOCK_KEYS.includes(k)) {
          // quantify passes every remaining key to SequencerOptions, which rejects unknown ones
          throw invalid(
            `portclock_configs entry ${i} (${pc}) of ${cluster} module ${slot} ${name} has unknown key '${k}'`,
            `${p}/${esc(k)}`,
            `Port-clock entries take port, clock, interm_freq, mixer_amp_ratio, mixer_phase_error_deg, auto_sideband_cal and the sequencer options ${SEQUENCER_OPTION_KEYS.join(", ")}.`,
          );
        }
        this.warn(
          "OLD_STYLE_KEY_IGNORED",
          `key '${k}' of ${pc} on the ${kind} channel ${cluster} module ${slot} ${name} has no new-style equivalent and was not converted`,
          `${p}/${esc(k)}`,
        );
      }
    });
  }

  /** `lo_name`: a mixer between the channel and the ports; returns the node the ports connect to. */
  private mixer(kind: "complex" | "real", lo: string, channelNode: string, portClocks: string[], path: string): string {
    const loCfg = this.old[lo];
    if (!isObject(loCfg)) {
      throw invalid(
        `lo_name '${lo}' names no entry of the old-style config`,
        path,
        `Add "${lo}": {"instrument_type": "LocalOscillator", "frequency": null, "power": 10} at the top level, or fix the name.`,
      );
    }
    const optical = kind === "real" && portClocks.some((pc) => pc.includes("optical_control"));
    const mixer = `${optical ? "optical_mod" : "iq_mixer"}_${lo}`;
    this.hd[mixer] = { instrument_type: optical ? "OpticalModulator" : "IQMixer" };
    this.graph.push([channelNode, `${mixer}.if`], [`${lo}.output`, `${mixer}.lo`]);
    if ("frequency" in loCfg) {
      for (const pc of portClocks) this.option("modulation_frequencies", pc)["lo_freq"] = loCfg["frequency"];
    }
    return `${mixer}.${optical ? "out" : "rf"}`;
  }
}

const MODULE_HINT =
  'An old-style module is {"instrument_type": "QCM", "complex_output_0": {"portclock_configs": [...]}, ...}.';

function invalid(what: string, path: string, hint: string): HardwareConfigError {
  return new HardwareConfigError(
    "OLD_STYLE_CONFIG_INVALID",
    `Old-style hardware config (backend "${OLD_STYLE_BACKEND}") cannot be converted: ${what}.`,
    { path, hint },
  );
}

/**
 * The new-style config equivalent to an old-style one, plus what the conversion skipped or renamed.
 * Throws HardwareConfigError OLD_STYLE_CONFIG_INVALID (path: JSON pointer into the old-style config).
 */
export function convertOldStyleConfig(old: unknown): { config: Record<string, unknown>; warnings: HardwareWarning[] } {
  if (!isOldStyleConfig(old)) {
    throw new HardwareConfigError(
      "NOT_OLD_STYLE_CONFIG",
      `This is not an old-style hardware config: it has no "backend": "${OLD_STYLE_BACKEND}".`,
      { path: "/backend", hint: "New-style configs (hardware_description / connectivity) load as they are." },
    );
  }
  const c = new Converter(old as Obj);
  const config = c.run();
  return { config, warnings: c.warnings };
}

function isObject(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function esc(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
