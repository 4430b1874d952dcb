/**
 * Stage 3: NCO and LO frequencies (reference 3.5, 3.6). Baseband without LO runs the NCO at the
 * clock frequency; with an external LO or an RF module's internal LO, LO + IF = clock is solved
 * from whichever of lo_freq / interm_freq is given. All port-clocks sharing an LO must agree.
 */
import { FrequencyError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { TimedSchedule } from "../ir/nodes.js";
import type { FrequencyPlan, SequencerFrequencies, SequencerPlan } from "../ir/plan.js";

export const NCO_LIMIT_HZ = 500e6;

/** LO frequencies decided so far (insertion order = first use). */
interface LoState {
  externalLos: Map<string, number>;
  moduleLos: Map<string, (number | null)[]>;
}

export function solveFrequencies(
  sequencers: readonly SequencerPlan[],
  timed: TimedSchedule,
  hw: HardwareSetup,
): FrequencyPlan {
  const los: LoState = { externalLos: new Map(), moduleLos: new Map() };
  const loOwner = new Map<string, { freq: number; portClock: string }>();
  const bySequencer = sequencers.map((seq) => sequencerFrequencies(seq, timed, hw, los, loOwner));
  return {
    bySequencer,
    externalLos: [...los.externalLos].map(([name, frequencyHz]) => ({ name, frequencyHz })),
    moduleLos: [...los.moduleLos].map(([moduleName, frequenciesHz]) => ({ moduleName, frequenciesHz })),
  };
}

function sequencerFrequencies(
  seq: SequencerPlan,
  timed: TimedSchedule,
  hw: HardwareSetup,
  plan: LoState,
  loOwner: Map<string, { freq: number; portClock: string }>,
): SequencerFrequencies {
  const route = seq.route;
  const pc = route.portClock;
  const where = `port-clock ${pc} (${seq.key})`;
  // marker-only port-clocks (clock "digital", e.g. RF switch MarkerPulses on a complex output) need no NCO or LO
  const digital = route.channelName.startsWith("digital") || route.clock === "digital";
  if (digital) return { ncoEnabled: false, ifHz: null, clockHz: 0 };
  const clock = timed.clocks[route.clock];
  if (!clock || clock.freq === null || !Number.isFinite(clock.freq)) {
    throw new FrequencyError("CLOCK_WITHOUT_FREQUENCY", `clock "${route.clock}" used by ${where} has no frequency`, {
      path: `/resources/${route.clock}`,
      hint: `add "${route.clock}": {"freq": <Hz>} to the schedule's resources`,
    });
  }
  const { intermFreq: cfgIf, loFreq: cfgLo } = hw.model.portClock(pc).modulation;
  const ncoEnabled = seq.moduleType === "QRC" || !(cfgIf === 0 || route.outputIndices.length === 0);
  const chan = hw.model.channel(route.cluster, route.slot, route.channelName);
  let clockHz = clock.freq;

  let ifHz: number | null;
  if (seq.spec.isRF && route.outputIndices.length === 0) {
    // Input-only RF sequencer: quantify solves LOs per connected output only, so the LO is left to
    // the output port-clocks; the NCO (QRC only) takes interm_freq, else clock − the LO of input k.
    const known = loOwner.get(`${route.moduleName}:lo${Math.floor((route.inputIndices[0] ?? 0) / 2)}`);
    ifHz = !ncoEnabled ? null : (cfgIf ?? (known ? clockHz - known.freq : null));
    if (ncoEnabled && ifHz === null) {
      throw new FrequencyError(
        "UNDERCONSTRAINED",
        `frequency settings underconstrained for ${where}: an input-only sequencer needs interm_freq (no output LO to derive it from)`,
        {
          path: `/hardware_options/modulation_frequencies/${pc}`,
          hint: "add interm_freq for this port-clock",
        },
      );
    }
  } else if (route.externalLo || seq.spec.isRF) {
    if (chan.downconverterFreq !== null) {
      const d = chan.downconverterFreq;
      if (d < 0 || d < clockHz) {
        throw new FrequencyError(
          "BAD_DOWNCONVERTER",
          `downconverter_freq ${d} Hz of ${where} must be ≥ 0 and ≥ the clock frequency ${clockHz} Hz`,
          {
            path: `/hardware_description/${route.cluster}/modules/${route.slot}/${route.channelName}/downconverter_freq`,
            hint: `set downconverter_freq above the clock frequency (${clockHz} Hz), or remove it`,
          },
        );
      }
      if (d !== 0) clockHz = d - clockHz;
    }
    const loKey = route.externalLo
      ? `external:${route.externalLo.name}`
      : `${route.moduleName}:lo${Math.floor((route.outputIndices[0] ?? route.inputIndices[0] ?? 0) / 2)}`;
    const known = loOwner.get(loKey);
    const { lo, nco } = solveLoIf(clockHz, cfgLo ?? null, cfgIf, chan.mixLo || seq.spec.isRF, where);
    if (known && !close(known.freq, lo)) {
      throw new FrequencyError(
        "LO_CONFLICT",
        `${where} needs LO ${loLabel(loKey)} at ${lo} Hz, but port-clock ${known.portClock} already set it to ${known.freq} Hz`,
        {
          path: `/hardware_options/modulation_frequencies/${pc}`,
          hint: "port-clocks sharing one LO must agree on lo_freq; choose interm_freq values so that clock − IF is the same LO frequency",
        },
      );
    }
    if (!known) loOwner.set(loKey, { freq: lo, portClock: pc });
    if (!route.externalLo) checkInternalLoRange(seq, loKey, lo, where);
    if (route.externalLo) plan.externalLos.set(route.externalLo.name, lo);
    else {
      const k = Number(loKey.slice(loKey.lastIndexOf("lo") + 2));
      const los = plan.moduleLos.get(route.moduleName) ?? new Array<number | null>(seq.spec.internalLos).fill(null);
      los[k] = lo;
      plan.moduleLos.set(route.moduleName, los);
    }
    ifHz = ncoEnabled ? nco : null;
  } else {
    if (ncoEnabled && cfgIf !== null && !close(cfgIf, clockHz)) {
      throw new FrequencyError(
        "IF_CONFLICT",
        `${where} has interm_freq ${cfgIf} Hz, but without an LO the NCO must run at the clock frequency ${clockHz} Hz`,
        {
          path: `/hardware_options/modulation_frequencies/${pc}/interm_freq`,
          hint: "remove interm_freq (or set it to null / the clock frequency), or set it to 0 to disable modulation",
        },
      );
    }
    ifHz = ncoEnabled ? clockHz : null;
  }
  if (ifHz !== null && Math.abs(ifHz) > NCO_LIMIT_HZ) {
    throw new FrequencyError(
      "NCO_OUT_OF_RANGE",
      `${where} needs an NCO frequency of ${fmtHz(ifHz)}, outside ±500 MHz`,
      {
        path: `/hardware_options/modulation_frequencies/${pc}`,
        hint:
          route.externalLo || seq.spec.isRF
            ? "choose lo_freq / interm_freq so that |IF| ≤ 500 MHz"
            : "a baseband module without LO runs the NCO at the clock frequency; route the port through an IQ mixer with a LocalOscillator, or use an RF module",
      },
    );
  }
  return { ncoEnabled, ifHz, clockHz };
}

/** Internal LOs of RF modules have a hardware range (ModuleSpec.loFrequencyRangeHz). */
function checkInternalLoRange(seq: SequencerPlan, loKey: string, lo: number, where: string): void {
  const range = seq.spec.loFrequencyRangeHz;
  if (!range || (lo >= range.min && lo <= range.max)) return;
  throw new FrequencyError(
    "LO_OUT_OF_RANGE",
    `${where} needs the internal LO ${loLabel(loKey)} of ${seq.moduleName} (${seq.moduleType}) at ${fmtHz(lo)}, outside ${fmtHz(range.min)} … ${fmtHz(range.max)}`,
    {
      path: `/hardware_options/modulation_frequencies/${seq.route.portClock}`,
      hint: `choose lo_freq (or interm_freq, LO = clock − IF) so that the LO lies within ${fmtHz(range.min)} … ${fmtHz(range.max)}`,
    },
  );
}

/** Reference 3.5 table: solve LO + IF = clock from what is given. */
export function solveLoIf(
  clockHz: number,
  lo: number | null,
  nco: number | null,
  mixLo: boolean,
  where: string,
): { lo: number; nco: number } {
  if (!mixLo) {
    if (nco === null)
      throw new FrequencyError(
        "UNDERCONSTRAINED",
        `frequency settings underconstrained for ${where}: with mix_lo=false the interm_freq must be given`,
        { path: "/hardware_options/modulation_frequencies", hint: "add interm_freq to modulation_frequencies" },
      );
    return { lo: clockHz, nco };
  }
  if (lo === null && nco === null) {
    throw new FrequencyError(
      "UNDERCONSTRAINED",
      `frequency settings underconstrained for ${where}: neither lo_freq nor interm_freq is given (clock ${clockHz} Hz)`,
      {
        path: "/hardware_options/modulation_frequencies",
        hint: "give either lo_freq or interm_freq in hardware_options.modulation_frequencies for this port-clock",
      },
    );
  }
  if (lo !== null && nco !== null) {
    if (!close(lo + nco, clockHz)) {
      throw new FrequencyError(
        "OVERCONSTRAINED",
        `frequency settings overconstrained for ${where}: lo_freq ${lo} Hz + interm_freq ${nco} Hz ≠ clock ${clockHz} Hz`,
        {
          path: "/hardware_options/modulation_frequencies",
          hint: "give only one of lo_freq / interm_freq, or make LO + IF equal the clock frequency",
        },
      );
    }
    return { lo, nco };
  }
  if (nco !== null) return { lo: clockHz - nco, nco };
  return { lo: lo!, nco: clockHz - lo! };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-6;
}

function loLabel(key: string): string {
  return key.startsWith("external:") ? `"${key.slice(9)}"` : key.replace(":", ".");
}

function fmtHz(hz: number): string {
  return Math.abs(hz) >= 1e9 ? `${hz / 1e9} GHz` : `${hz / 1e6} MHz`;
}
