/**
 * Stage 4: sample every pulse at 1 GS/s, normalise it (amplitude carried as gain), de-duplicate
 * shapes per sequencer and check the waveform memory limit (reference 3.11).
 */
import { ResourceLimitError, ValueRangeError, ScheduleError } from "../../core/errors.js";
import { sampleWaveform } from "../../schedule/waveforms.js";
import type { AcquisitionOp, ScheduleOp, WaveformPulse } from "../../schedule/model.js";
import type { SampleFilter } from "./distortion/software.js";
import type { AssignedSchedule, PlayInstruction, SeqNode, SequencerPlan, SequencerWaveforms, WaveformPlan } from "../ir/plan.js";

/** A path whose peak is below this is not played (quantify: 2/2^16). */
const NULL_AMPLITUDE = 2 / 65536;

interface NormalisedShape {
  /** normalised real path (null when its peak is below NULL_AMPLITUDE) */
  re: Float64Array | null;
  im: Float64Array | null;
  ampRe: number;
  ampIm: number;
  hashRe: string;
  hashIm: string;
}

/**
 * `filterOf` gives a sequencer's software distortion correction (applied to the samples before
 * normalisation); such sequencers get their own shape cache.
 */
export function generateWaveforms(assigned: AssignedSchedule, filterOf: (seq: SequencerPlan) => SampleFilter | null = () => null): WaveformPlan {
  const shapeCache = new ShapeCache();
  const bySequencer = new Map<string, SequencerWaveforms>();
  for (const seq of assigned.sequencers) {
    const filter = filterOf(seq);
    bySequencer.set(seq.key, sequencerWaveforms(seq, filter ? new ShapeCache(filter) : shapeCache));
  }
  return { bySequencer };
}

function sequencerWaveforms(seq: SequencerPlan, shapeCache: ShapeCache): SequencerWaveforms {
  // Plays are looked up by shape, not by operation object: 100,000 pulses share a handful of shapes.
  const byShape = new Map<NormalisedShape, PlayInstruction | null>();
  const playOf = (op: WaveformPulse): PlayInstruction | null => byShape.get(shapeCache.get(op)) ?? null;
  const out: SequencerWaveforms = { waveforms: {}, weights: {}, playOf, weightIndices: new Map(), totalSamples: 0 };
  const waveIndex = new Map<string, number>();
  const weightIndex = new Map<string, number>();
  let weightSamples = 0;
  const complexChannel = seq.route.channelName.startsWith("complex");
  const limit = seq.spec.waveformSampleLimit;

  const addWave = (hash: string, data: Float64Array, op: ScheduleOp): number => {
    const hit = waveIndex.get(hash);
    if (hit !== undefined) return hit;
    const index = waveIndex.size;
    out.totalSamples += data.length;
    if (out.totalSamples > limit) {
      throw new ResourceLimitError("WAVEFORM_MEMORY_EXCEEDED", `waveform of "${op.name}" brings ${seq.route.portClock} (${seq.key}) to ${out.totalSamples} samples, over the limit of ${limit}`, {
        path: op.path,
        hint: "use fewer distinct pulse shapes, shorter pulses, or square pulses ≥ 100 ns (played through offsets)",
      });
    }
    waveIndex.set(hash, index);
    out.waveforms[hash] = { data: Array.from(data), index };
    return index;
  };

  const visit = (nodes: SeqNode[]): void => {
    for (const n of nodes) {
      if (n.kind === "loop") { visit(n.body); continue; }
      const op = n.op;
      if (isWaveformPulse(op)) {
        const shape = shapeCache.get(op);
        if (byShape.has(shape)) continue;
        if (shape.im !== null && !complexChannel) {
          throw new ScheduleError("COMPLEX_ON_REAL_CHANNEL", `"${op.name}" (${op.type}) has a complex waveform, but port-clock ${seq.route.portClock} is on the real channel ${seq.route.channelName}`, {
            path: op.path,
            hint: "use a real pulse (phase 0, no DRAG component) or connect the port to a complex_output channel",
          });
        }
        checkGain(shape.ampRe, op);
        checkGain(shape.ampIm, op);
        let play: PlayInstruction | null = null;
        if (shape.re && shape.im) play = { wave0: addWave(shape.hashRe, shape.re, op), wave1: addWave(shape.hashIm, shape.im, op), gain0: shape.ampRe, gain1: shape.ampIm };
        else if (shape.re) { const w = addWave(shape.hashRe, shape.re, op); play = { wave0: w, wave1: w, gain0: shape.ampRe, gain1: 0 }; }
        else if (shape.im) { const w = addWave(shape.hashIm, shape.im, op); play = { wave0: w, wave1: w, gain0: 0, gain1: shape.ampIm }; }
        byShape.set(shape, play);
      } else if (isWeighted(op)) {
        if (out.weightIndices.has(op)) continue;
        const pair: number[] = [];
        for (const w of [op.weights_a, op.weights_b]) {
          if (!w) throw new ScheduleError("MISSING_WEIGHTS", `weighted acquisition "${op.name}" has no weights`, { path: op.path });
          for (let k = 0; k < w.length; k++) {
            if (!(Math.abs(w[k]!) <= 1)) throw new ValueRangeError("WEIGHT_OUT_OF_RANGE", `weight sample ${k} of "${op.name}" is ${w[k]}, outside [-1, 1]`, { path: op.path, hint: "scale the integration weights into [-1, 1]" });
          }
          const data = Float64Array.from(w);
          const hash = hashSamples(data);
          let idx = weightIndex.get(hash);
          if (idx === undefined) {
            idx = weightIndex.size;
            weightSamples += data.length;
            if (weightSamples > limit) throw new ResourceLimitError("WEIGHT_MEMORY_EXCEEDED", `weights of "${op.name}" bring ${seq.key} to ${weightSamples} weight samples, over ${limit}`, { path: op.path });
            weightIndex.set(hash, idx);
            out.weights[hash] = { data: Array.from(data), index: idx };
          }
          pair.push(idx);
        }
        out.weightIndices.set(op, [pair[0]!, pair[1]!]);
      }
    }
  };
  visit(seq.nodes);
  return out;
}

function checkGain(g: number, op: WaveformPulse): void {
  if (!(Math.abs(g) <= 1)) {
    throw new ValueRangeError("AMPLITUDE_OUT_OF_RANGE", `"${op.name}" (${op.type}) reaches amplitude ${g}, outside [-1, 1] of full scale`, {
      path: op.path,
      hint: "amplitudes are fractions of the output's full scale; reduce the amplitude",
    });
  }
}

export function isWaveformPulse(op: ScheduleOp): op is WaveformPulse {
  switch (op.type) {
    case "SquarePulse": case "RampPulse": case "StaircasePulse": case "SoftSquarePulse": case "ChirpPulse":
    case "DRAGPulse": case "GaussPulse": case "SuddenNetZeroPulse": case "NumericalPulse": case "SkewedHermitePulse":
      return true;
    default:
      return false;
  }
}

function isWeighted(op: ScheduleOp): op is AcquisitionOp {
  return op.type === "NumericalSeparatedWeightedIntegration" || op.type === "NumericalWeightedIntegration";
}

/** Numbers that determine the samples (not port, time or name); null for shapes keyed by text. */
function shapeParams(op: WaveformPulse): number[] | null {
  switch (op.type) {
    case "SquarePulse": return [0, op.durationNs, op.amp, op.ampImag];
    case "RampPulse": return [1, op.durationNs, op.amp, op.offset];
    case "StaircasePulse": return [2, op.durationNs, op.start_amp, op.final_amp, op.num_steps];
    case "SoftSquarePulse": return [3, op.durationNs, op.amp];
    case "ChirpPulse": return [4, op.durationNs, op.amp, op.start_freq, op.end_freq];
    case "DRAGPulse": return [5, op.durationNs, op.G_amp, op.D_amp, op.phase, op.sigma ?? -1, op.nr_sigma ?? -1];
    case "GaussPulse": return [6, op.durationNs, op.G_amp, op.phase, op.sigma ?? -1, op.nr_sigma ?? -1];
    case "SuddenNetZeroPulse": return [7, op.durationNs, op.amp_A, op.amp_B, op.net_zero_A_scale, op.t_pulse, op.t_phi, op.t_integral_correction];
    case "SkewedHermitePulse": return [8, op.durationNs, op.amplitude, op.skewness, op.phase];
    case "NumericalPulse": return null;
  }
}

/**
 * Cache of normalised shapes keyed by the numeric parameters through nested Maps, so that looking
 * up 100,000 pulses never formats a float as text.
 */
class ShapeCache {
  private readonly root = new Map<number, unknown>();
  private readonly byText = new Map<string, NormalisedShape>();

  constructor(private readonly filter: SampleFilter | null = null) {}

  get(op: WaveformPulse): NormalisedShape {
    const params = shapeParams(op);
    if (params === null) {
      const key = op.type === "NumericalPulse" ? `${op.durationNs}|${op.interpolation}|${op.samples_re.join(",")}|${op.samples_im?.join(",") ?? ""}|${op.t_samples.join(",")}` : "";
      let hit = this.byText.get(key);
      if (!hit) { hit = normalise(op, this.filter); this.byText.set(key, hit); }
      return hit;
    }
    let level = this.root;
    for (let i = 0; i < params.length - 1; i++) {
      let next = level.get(params[i]!) as Map<number, unknown> | undefined;
      if (!next) { next = new Map(); level.set(params[i]!, next); }
      level = next;
    }
    const last = params[params.length - 1]!;
    let shape = level.get(last) as NormalisedShape | undefined;
    if (!shape) { shape = normalise(op, this.filter); level.set(last, shape); }
    return shape;
  }
}

function normalise(op: WaveformPulse, filter: SampleFilter | null): NormalisedShape {
  const sampled = sampleWaveform(op);
  const re = filter ? filter(sampled.re) : sampled.re;
  const im = filter && sampled.im ? filter(sampled.im) : sampled.im;
  const ampRe = signedPeak(re);
  const ampIm = im ? signedPeak(im) : 0;
  const reN = Math.abs(ampRe) >= NULL_AMPLITUDE ? scale(re, 1 / ampRe) : null;
  const imN = im && Math.abs(ampIm) >= NULL_AMPLITUDE ? scale(im, 1 / ampIm) : null;
  return { re: reN, im: imN, ampRe, ampIm, hashRe: reN ? hashSamples(reN) : "", hashIm: imN ? hashSamples(imN) : "" };
}

function signedPeak(x: Float64Array): number {
  let best = 0;
  for (let k = 0; k < x.length; k++) if (Math.abs(x[k]!) > Math.abs(best)) best = x[k]!;
  return best;
}

function scale(x: Float64Array, f: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) y[k] = x[k]! * f + 0; // + 0 turns -0 into 0
  return y;
}

/** Deterministic content hash of samples rounded to 12 decimals (FNV-1a, 2×32 bit), used as waveform name. */
export function hashSamples(x: Float64Array): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ x.length;
  for (let k = 0; k < x.length; k++) {
    const v = Math.round(x[k]! * 1e12);
    const lo = v | 0, hi = Math.floor(v / 4294967296) | 0;
    h1 = Math.imul(h1 ^ lo, 0x01000193);
    h2 = Math.imul(h2 ^ hi ^ lo, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0") + `_${x.length}`;
}
