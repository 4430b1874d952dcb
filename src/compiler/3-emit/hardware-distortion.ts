/**
 * Hardware distortion corrections and latency compensation (reference 1.2 bitmask, 1.3, 3.4 step 3,
 * 5.3): the real-time filters of QCM outputs (exponential overshoot exp0–exp3, 32-tap FIR) and the
 * "delay_comp" settings that keep other outputs and markers aligned with filtered outputs.
 */
import { HardwareConfigError, ValueRangeError } from "../../core/errors.js";
import { parseChannelName } from "../../hardware/channels.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { ModuleSettings } from "../../contract/compiled-schedule.js";
import type { CompileWarning, SequencerPlan } from "../ir/plan.js";
import { markerDefault } from "../ops/emit-context.js";

type OutputDistortion = ModuleSettings["distortion_corrections"][number];
type FilterName = keyof OutputDistortion;

/** DistortionCorrectionLatencyEnum bits. */
const LATENCY_BITS: Record<FilterName, number> = { exp0: 2, exp1: 4, exp2: 8, exp3: 16, fir: 32 };
export const FIR_TAPS = 32;
export const EXP_MIN_TIME_CONSTANT = 6;

/** Fill `m.distortion_corrections` for all sequencers of one module. */
export function applyHardwareDistortion(
  m: ModuleSettings,
  seqs: readonly SequencerPlan[],
  hw: HardwareSetup,
  warnings: CompileWarning[],
): void {
  const list = m.distortion_corrections;
  const seen = new Set<string>();
  // 1. latency compensation of every used channel
  for (const seq of seqs) {
    const ch = seq.route.channelName;
    if (seen.has(ch)) continue;
    seen.add(ch);
    const desc = hw.model.channel(seq.cluster, seq.slot, ch);
    const mask = desc.latencyCompensationMask;
    const parsed = parseChannelName(ch);
    if (!parsed || parsed.direction !== "output") continue;
    if (parsed.mode === "digital") {
      const k = seq.spec.isRF ? parsed.index + 2 : parsed.index;
      markerDelays(list[k], mask);
      continue;
    }
    for (const o of seq.route.outputIndices) {
      const entry = list[o];
      if (!entry) continue;
      if (desc.markerDebugModeEnable) {
        checkDebugMarkerFree(seq, o, seqs);
        // quantify `_configure_dc_latency_comp_for_marker`: the debug marker of this output is delayed
        // like the output (RF: the marker of the channel, (marker bits + 1) % 2)
        markerDelays(list[seq.spec.isRF ? (markerDefault(seq, true) + 1) % 2 : o], mask);
      }
      for (const f of Object.keys(LATENCY_BITS) as FilterName[])
        entry[f].config = mask & LATENCY_BITS[f] ? "delay_comp" : "bypassed";
    }
  }
  // 2. QCM real-time filters
  const owner = new Map<number, string>();
  for (const seq of seqs) {
    const pc = seq.route.portClock;
    const distortion = hw.model.portClock(pc).distortion;
    if (distortion === null || distortion.kind === "software") continue;
    const path = `/hardware_options/distortion_corrections/${pc}`;
    if (seq.moduleType !== "QCM") {
      warnings.push({
        code: "HARDWARE_DISTORTION_IGNORED",
        message: `hardware distortion correction of ${pc} ignored: ${seq.moduleName} is a ${seq.moduleType}; real-time filters exist on QCM outputs only`,
        path,
      });
      continue;
    }
    const complex = seq.route.channelName.startsWith("complex");
    if (distortion.listForm !== complex) {
      throw new HardwareConfigError(
        "DISTORTION_CORRECTION_MODE",
        `distortion_corrections of ${pc} on ${seq.moduleName}.${seq.route.channelName} must be ${complex ? "a list of two corrections (I, Q)" : "a single correction"}`,
        {
          path,
          hint: complex
            ? "a complex channel takes [<correction for I>, <correction for Q>]"
            : "a real channel takes one {exp0_coeffs, …, fir_coeffs} object",
        },
      );
    }
    const perOutput = distortion.perPath;
    const debug = hw.model.channel(seq.cluster, seq.slot, seq.route.channelName).markerDebugModeEnable;
    seq.route.outputIndices.forEach((o, i) => {
      const entry = list[o];
      const corr = perOutput[i];
      if (!entry || !corr) return;
      const prev = owner.get(o);
      if (prev !== undefined && prev !== pc) {
        throw new HardwareConfigError(
          "DISTORTION_CORRECTION_NOT_UNIQUE",
          `output ${o} of ${seq.moduleName} gets hardware distortion corrections from both ${prev} and ${pc}`,
          { path, hint: "one output has one set of filters; configure it on a single port-clock" },
        );
      }
      owner.set(o, pc);
      for (const n of [0, 1, 2, 3] as const) {
        const coeffs = corr[`exp${n}_coeffs`];
        if (coeffs === undefined || coeffs === null) continue;
        checkExpCoeffs(coeffs, n, seq, `${path}${complex ? `/${i}` : ""}/exp${n}_coeffs`);
        entry[`exp${n}`] = { coeffs: [...coeffs], config: "enabled", marker_delay: debug ? "delay_comp" : "bypassed" };
      }
      if (corr.fir_coeffs !== undefined && corr.fir_coeffs !== null) {
        if (corr.fir_coeffs.length !== FIR_TAPS) {
          throw new ValueRangeError(
            "FIR_COEFFS_LENGTH",
            `fir_coeffs of ${pc} on ${seq.moduleName} has ${corr.fir_coeffs.length} coefficients; the QCM FIR filter has exactly ${FIR_TAPS} taps`,
            {
              path: `${path}${complex ? `/${i}` : ""}/fir_coeffs`,
              hint: `give ${FIR_TAPS} coefficients (pad with zeros)`,
            },
          );
        }
        entry.fir = {
          coeffs: [...corr.fir_coeffs],
          config: "enabled",
          marker_delay: debug ? "delay_comp" : "bypassed",
        };
      }
    });
  }
}

/** marker_delay "delay_comp" exactly on the filters whose bit is set in the latency-compensation mask. */
function markerDelays(entry: OutputDistortion | undefined, mask: number): void {
  if (!entry) return;
  for (const f of Object.keys(LATENCY_BITS) as FilterName[])
    entry[f].marker_delay = mask & LATENCY_BITS[f] ? "delay_comp" : "bypassed";
}

function checkExpCoeffs(c: number[], n: number, seq: SequencerPlan, path: string): void {
  const ok = c.length === 2 && c[0]! >= EXP_MIN_TIME_CONSTANT && c[1]! >= -1 && c[1]! < 1;
  if (ok) return;
  throw new ValueRangeError(
    "EXP_COEFFS_INVALID",
    `exp${n}_coeffs of ${seq.route.portClock} on ${seq.moduleName} is ${JSON.stringify(c)}; it must be [time_constant ≥ ${EXP_MIN_TIME_CONSTANT}, amplitude in [-1, 1)]`,
    {
      path,
      hint: "e.g. [2000, -0.1]: time constant in samples (ns), amplitude of the overshoot",
    },
  );
}

/** marker_debug_mode_enable drives the output's marker, which then cannot also be a digital_output (3.4 step 3). */
function checkDebugMarkerFree(seq: SequencerPlan, o: number, seqs: readonly SequencerPlan[]): void {
  if (seq.spec.isRF) return;
  const clash = seqs.find((s) => s.route.channelName === `digital_output_${o}`);
  if (!clash) return;
  throw new HardwareConfigError(
    "MARKER_DEBUG_CONFLICT",
    `${seq.moduleName}.${seq.route.channelName} has marker_debug_mode_enable, but marker ${o} is also used as digital_output_${o} by ${clash.route.portClock}`,
    {
      path: `/hardware_description/${seq.cluster}/modules/${seq.slot}/${seq.route.channelName}/marker_debug_mode_enable`,
      hint: "disable marker debug mode or move the digital signal to another marker",
    },
  );
}
