/**
 * Module-level hardware options of one sequencer's port-clock (reference 3.4 steps 1, 2, 8, 9;
 * 3.7): mixer DC offsets, input gains, RF attenuations and the scope-mode sequencer.
 */
import { HardwareConfigError, ValueRangeError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { ModuleSettings } from "../../contract/compiled-schedule.js";
import type { AcqChannelPlan, CompileWarning, SequencerPlan } from "../ir/plan.js";
import type { ResolvedMixerCorrections } from "./mixer.js";

/** RF attenuation ranges in dB (q1asm-and-scpi.md 6.3: out{n}_att 0…60, in0_att 0…30, 2 dB steps). */
export const OUTPUT_ATT_RANGE_DB = { min: 0, max: 60, step: 2 } as const;
export const INPUT_ATT_RANGE_DB = { min: 0, max: 30, step: 2 } as const;

type OffsetKey = "offset_ch0_path_I" | "offset_ch0_path_Q" | "offset_ch1_path_I" | "offset_ch1_path_Q";

/** which port-clock set each module DC offset (for the DC_OFFSET_NOT_UNIQUE warning) */
const offsetSetBy = new WeakMap<ModuleSettings, Map<OffsetKey, string>>();

export function applyModuleOptions(
  m: ModuleSettings,
  seq: SequencerPlan,
  hw: HardwareSetup,
  mixer: ResolvedMixerCorrections | null,
  channels: AcqChannelPlan[],
  warnings: CompileWarning[],
): void {
  const pc = seq.route.portClock;
  const ch = seq.route.channelName;
  const options = hw.model.portClock(pc);
  if (mixer && (ch === "complex_output_0" || ch === "complex_output_1")) {
    const k = ch === "complex_output_0" ? 0 : 1;
    const range = seq.spec.mixerDcOffsetRangeV;
    // RF modules take offsets in mV (calc_from_units_volt), baseband modules in V
    const unit = seq.spec.isRF ? 1000 : 1;
    for (const [field, value] of [
      ["dc_offset_i", mixer.dcOffsetI],
      ["dc_offset_q", mixer.dcOffsetQ],
    ] as const) {
      if (value === null) continue;
      if (!(Math.abs(value) <= range)) {
        throw new ValueRangeError(
          "DC_OFFSET_OUT_OF_RANGE",
          `mixer_corrections.${field} = ${value} V for ${pc} on ${seq.moduleName} (${seq.moduleType}) is outside ±${range} V`,
          {
            path: `/hardware_options/mixer_corrections/${pc}/${field}`,
            hint: `${seq.moduleType} accepts DC offsets within ±${range} V (values are given in volts)`,
          },
        );
      }
      const key: OffsetKey = `offset_ch${k}_path_${field === "dc_offset_i" ? "I" : "Q"}`;
      const prev = m[key];
      if (prev !== null && prev !== value * unit) {
        // quantify lets the port-clock configured last overwrite the output's offset; so do we, and say so
        const setBy = offsetSetBy.get(m)?.get(key) ?? "another port-clock";
        warnings.push({
          code: "DC_OFFSET_NOT_UNIQUE",
          message: `mixer_corrections.${field} of ${pc} (${value} V) and of ${setBy} (${prev / unit} V) share ${seq.moduleName}.${ch}: ${key} = ${value} V (${pc}) is used`,
          path: `/hardware_options/mixer_corrections/${pc}/${field}`,
        });
      }
      m[key] = value * unit;
      let byKey = offsetSetBy.get(m);
      if (!byKey) offsetSetBy.set(m, (byKey = new Map()));
      byKey.set(key, pc);
    }
    m[k === 0 ? "out0_lo_freq_cal_type_default" : "out1_lo_freq_cal_type_default"] = mixer.autoLoCal;
  }

  const gain = options.inputGain;
  if (gain !== null) {
    const complexIn = ch.startsWith("complex");
    if ((typeof gain === "number") === complexIn || seq.spec.isRF) {
      throw new HardwareConfigError(
        "INPUT_GAIN_MODE_MISMATCH",
        `input_gain of ${pc} on ${seq.moduleName} (${seq.moduleType}, channel ${ch}) is ${JSON.stringify(gain)}, which does not fit the channel`,
        {
          path: `/hardware_options/input_gain/${pc}`,
          hint: seq.spec.isRF
            ? "input_gain applies to baseband QRM inputs; use input_att on RF modules"
            : complexIn
              ? 'a complex input takes {"gain_I": <dB>, "gain_Q": <dB>}'
              : "a real input takes one integer gain in dB",
        },
      );
    }
    if (typeof gain === "number") {
      // quantify quirk kept: the input is picked from the last digit of the *main* channel name
      setUnique(m, ch.endsWith("0") ? "in0_gain" : "in1_gain", gain, seq, "input_gain");
    } else {
      setUnique(m, "in0_gain", gain.gain_I, seq, "input_gain");
      setUnique(m, "in1_gain", gain.gain_Q, seq, "input_gain");
    }
  }

  const outAtt = options.outputAtt;
  const inAtt = options.inputAtt;
  if ((outAtt !== null || inAtt !== null) && !seq.spec.isRF) {
    warnings.push({
      code: "ATTENUATION_ON_BASEBAND",
      message: `output_att/input_att of ${pc} ignored: ${seq.moduleName} is a baseband ${seq.moduleType} without attenuators`,
      path: `/hardware_options/${outAtt !== null ? "output_att" : "input_att"}/${pc}`,
    });
  } else if (seq.spec.isRF) {
    if (outAtt !== null && seq.route.outputIndices.length > 0) {
      const k = Math.floor(seq.route.outputIndices[0]! / 2);
      setAttenuation(
        m.out_att,
        k,
        checkedDb(outAtt, "output_att", OUTPUT_ATT_RANGE_DB, seq),
        seq,
        `out${k}_att`,
        "output_att",
      );
    }
    if (inAtt !== null) {
      if (seq.route.inputIndices.length === 0) {
        throw new HardwareConfigError(
          "INPUT_ATT_WITHOUT_INPUT",
          `input_att is set for ${pc}, but ${seq.moduleName}.${ch} has no input connected`,
          {
            path: `/hardware_options/input_att/${pc}`,
            hint: "connect the port to complex_input_0 as well, or remove input_att",
          },
        );
      }
      const k = Math.floor(seq.route.inputIndices[0]! / 2);
      const r = INPUT_ATT_RANGE_DB;
      if (Number.isInteger(inAtt) && (inAtt < r.min || inAtt > r.max)) {
        // quantify accepts any integer and leaves the range to the instrument (rejected when prepared):
        // the config compiles, the attenuator keeps its current value, and the user is told
        warnings.push({
          code: "INPUT_ATT_OUT_OF_RANGE",
          message: `input_att of ${pc} is ${inAtt} dB, outside the ${r.min} … ${r.max} dB range of ${seq.moduleName} (${seq.moduleType}): not applied, in${k}_att is left unset`,
          path: `/hardware_options/input_att/${pc}`,
        });
      } else {
        setAttenuation(m.in_att, k, checkedDb(inAtt, "input_att", r, seq), seq, `in${k}_att`, "input_att");
      }
    }
  }

  if (channels.some((c) => c.protocol === "Trace")) {
    if (m.scope_acq_sequencer_select !== null && m.scope_acq_sequencer_select !== seq.index) {
      throw new HardwareConfigError(
        "TWO_SCOPE_SEQUENCERS",
        `two sequencers of ${seq.moduleName} (seq${m.scope_acq_sequencer_select} and seq${seq.index}, latest ${pc}) use Trace acquisitions`,
        { path: pc, hint: "only one sequencer per module can acquire scope traces" },
      );
    }
    m.scope_acq_sequencer_select = seq.index;
  }
}

function setUnique(
  m: ModuleSettings,
  key: "in0_gain" | "in1_gain",
  value: number,
  seq: SequencerPlan,
  option: string,
): void {
  const prev = m[key];
  if (prev !== null && prev !== value) {
    throw new HardwareConfigError(
      "INPUT_GAIN_NOT_UNIQUE",
      `${option}: ${key} of ${seq.moduleName} is set to ${prev} and ${value} by different port-clocks (latest ${seq.route.portClock})`,
      {
        path: `/hardware_options/${option.split(".")[0]}/${seq.route.portClock}`,
        hint: "port-clocks sharing a module input/output must use the same value",
      },
    );
  }
  m[key] = value;
}

function setAttenuation(
  list: (number | null)[],
  k: number,
  value: number,
  seq: SequencerPlan,
  label: string,
  option: string,
): void {
  const prev = list[k];
  if (prev !== null && prev !== undefined && prev !== value) {
    throw new HardwareConfigError(
      "ATTENUATION_NOT_UNIQUE",
      `${option}: ${label} of ${seq.moduleName} is set to ${prev} dB and ${value} dB by different port-clocks (latest ${seq.route.portClock})`,
      {
        path: `/hardware_options/${option}/${seq.route.portClock}`,
        hint: "port-clocks multiplexed on one RF output/input share its attenuator; give them the same value",
      },
    );
  }
  list[k] = value;
}

function checkedDb(
  v: number,
  field: string,
  range: { min: number; max: number; step: number },
  seq: SequencerPlan,
): number {
  const pc = seq.route.portClock;
  const path = `/hardware_options/${field}/${pc}`;
  if (!Number.isInteger(v)) {
    throw new ValueRangeError(
      "ATTENUATION_NOT_INTEGER",
      `Trying to set ${field} of ${pc} on ${seq.moduleName} to non-integer value ${v} dB`,
      { path, hint: "attenuation is an integer number of dB" },
    );
  }
  if (v < range.min || v > range.max || v % range.step !== 0) {
    throw new ValueRangeError(
      "ATTENUATION_OUT_OF_RANGE",
      `${field} of ${pc} on ${seq.moduleName} (${seq.moduleType}) is ${v} dB; allowed are ${range.min} … ${range.max} dB in ${range.step} dB steps`,
      {
        path,
        hint: `use an even value between ${range.min} and ${range.max}`,
      },
    );
  }
  return v;
}
