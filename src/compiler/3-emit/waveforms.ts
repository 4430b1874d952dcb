/**
 * Waveforms (reference 3.11): sample every pulse at 1 GS/s, normalise it (amplitude carried as
 * gain), de-duplicate shapes per sequencer and check the waveform memory limit; store the weights of
 * weighted acquisitions. Output per sequencer: plain data keyed by node id.
 */
import { ResourceLimitError, ValueRangeError, ScheduleError } from "../../core/errors.js";
import { sampleWaveform } from "../../schedule/waveforms.js";
import type { AcquisitionOp, InlineQ1AsmOp, ScheduleOp, WaveformPulse } from "../../schedule/model.js";
import type { SampleFilter } from "./distortion/software.js";
import type { PlayInstruction, SequencerPlan, SequencerWaveforms } from "../ir/plan.js";
import { forEachOp } from "../ir/walk.js";
import { acquisitionHandler, isAcquisition, isWaveformPulse, pulseHandler } from "../ops/index.js";

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
 * normalisation); such sequencers get their own shape cache. Output aligned with `sequencers`.
 */
export function generateWaveforms(
  sequencers: readonly SequencerPlan[],
  filterOf: (seq: SequencerPlan) => SampleFilter | null = () => null,
): SequencerWaveforms[] {
  const shapeCache = new ShapeCache();
  return sequencers.map((seq) => {
    const filter = filterOf(seq);
    return sequencerWaveforms(seq, filter ? new ShapeCache(filter) : shapeCache);
  });
}

function sequencerWaveforms(seq: SequencerPlan, shapeCache: ShapeCache): SequencerWaveforms {
  const out: SequencerWaveforms = {
    waveforms: {},
    weights: {},
    plays: [],
    playOfNode: {},
    weightsOfNode: {},
    totalSamples: 0,
  };
  // Plays are looked up by shape, not by operation: 100,000 pulses share a handful of shapes.
  const playOfShape = new Map<NormalisedShape, number>();
  const weightsOfOp = new Map<ScheduleOp, [number, number]>(); // a library acquisition placed many times
  const waveIndex = new Map<string, number>();
  const weightIndex = new Map<string, number>();
  let weightSamples = 0;
  const complexChannel = seq.route.channelName.startsWith("complex");
  const limit = seq.spec.waveformSampleLimit;

  // InlineQ1ASM waveforms keep their given indices (quantify's behaviour); the compiler's own
  // waveforms take the lowest indices not reserved by them.
  const reserved = inlineWaveforms(seq, out, limit);
  let nextIndex = 0;
  const addWave = (hash: string, data: Float64Array, op: ScheduleOp): number => {
    const hit = waveIndex.get(hash);
    if (hit !== undefined) return hit;
    while (reserved.has(nextIndex)) nextIndex++;
    const index = nextIndex++;
    if (hash in out.waveforms) {
      throw new ScheduleError(
        "INLINE_WAVEFORM_CLASH",
        `an InlineQ1ASM waveform on ${seq.route.portClock} is named "${hash}", the name the compiler gives the waveform of "${op.name}"`,
        { path: op.path, hint: "rename the inline waveform" },
      );
    }
    out.totalSamples += data.length;
    if (out.totalSamples > limit) {
      throw new ResourceLimitError(
        "WAVEFORM_MEMORY_EXCEEDED",
        `waveform of "${op.name}" brings ${seq.route.portClock} (${seq.key}) to ${out.totalSamples} samples, over the limit of ${limit}`,
        {
          path: op.path,
          hint: "use fewer distinct pulse shapes, shorter pulses, or square pulses ≥ 100 ns (played through offsets)",
        },
      );
    }
    waveIndex.set(hash, index);
    out.waveforms[hash] = { data: Array.from(data), index };
    return index;
  };

  const playOf = (op: WaveformPulse): number => {
    const shape = shapeCache.get(op);
    const known = playOfShape.get(shape);
    if (known !== undefined) return known;
    if (shape.im !== null && !complexChannel) {
      throw new ScheduleError(
        "COMPLEX_ON_REAL_CHANNEL",
        `"${op.name}" (${op.type}) has a complex waveform, but port-clock ${seq.route.portClock} is on the real channel ${seq.route.channelName}`,
        {
          path: op.path,
          hint: "use a real pulse (phase 0, no DRAG component) or connect the port to a complex_output channel",
        },
      );
    }
    checkGain(shape.ampRe, op);
    checkGain(shape.ampIm, op);
    let play: PlayInstruction | null = null;
    if (shape.re && shape.im)
      play = {
        wave0: addWave(shape.hashRe, shape.re, op),
        wave1: addWave(shape.hashIm, shape.im, op),
        gain0: shape.ampRe,
        gain1: shape.ampIm,
      };
    else if (shape.re) {
      const w = addWave(shape.hashRe, shape.re, op);
      play = { wave0: w, wave1: w, gain0: shape.ampRe, gain1: 0 };
    } else if (shape.im) {
      const w = addWave(shape.hashIm, shape.im, op);
      play = { wave0: w, wave1: w, gain0: 0, gain1: shape.ampIm };
    }
    const k = play === null ? -1 : out.plays.push(play) - 1;
    playOfShape.set(shape, k);
    return k;
  };

  const weightsOf = (op: AcquisitionOp): [number, number] => {
    const known = weightsOfOp.get(op);
    if (known) return known;
    const pair: number[] = [];
    for (const w of [op.weights_a, op.weights_b]) {
      if (!w)
        throw new ScheduleError("MISSING_WEIGHTS", `weighted acquisition "${op.name}" has no weights`, {
          path: op.path,
          hint: "give weights_a and weights_b (samples at 1 GS/s)",
        });
      for (let k = 0; k < w.length; k++) {
        if (!(Math.abs(w[k]!) <= 1))
          throw new ValueRangeError(
            "WEIGHT_OUT_OF_RANGE",
            `weight sample ${k} of "${op.name}" is ${w[k]}, outside [-1, 1]`,
            { path: op.path, hint: "scale the integration weights into [-1, 1]" },
          );
      }
      const data = Float64Array.from(w);
      const hash = hashSamples(data);
      let idx = weightIndex.get(hash);
      if (idx === undefined) {
        idx = weightIndex.size;
        weightSamples += data.length;
        if (weightSamples > limit)
          throw new ResourceLimitError(
            "WEIGHT_MEMORY_EXCEEDED",
            `weights of "${op.name}" bring ${seq.key} to ${weightSamples} weight samples, over ${limit}`,
            { path: op.path, hint: "reuse identical weights (they are stored once) or shorten them" },
          );
        weightIndex.set(hash, idx);
        out.weights[hash] = { data: Array.from(data), index: idx };
      }
      pair.push(idx);
    }
    const result: [number, number] = [pair[0]!, pair[1]!];
    weightsOfOp.set(op, result);
    return result;
  };

  forEachOp(seq.nodes, (node) => {
    const op = node.op;
    if (isWaveformPulse(op)) out.playOfNode[node.id] = playOf(op);
    else if (isAcquisition(op) && acquisitionHandler(op).weighted) out.weightsOfNode[node.id] = weightsOf(op);
  });
  return out;
}

const pointer = (name: string): string => name.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Store the `waveforms` of this sequencer's InlineQ1ASM operations under their own names and indices
 * (checked: samples in [-1, 1], memory limit counted before storing, one content per index).
 * Returns the indices they take.
 */
function inlineWaveforms(seq: SequencerPlan, out: SequencerWaveforms, limit: number): Set<number> {
  const reserved = new Set<number>();
  const owner = new Map<number, { op: InlineQ1AsmOp; name: string; data: number[] }>();
  const seen = new Set<InlineQ1AsmOp>();
  forEachOp(seq.nodes, (node) => {
    const op = node.op;
    if (op.type !== "InlineQ1ASM" || seen.has(op)) return;
    seen.add(op);
    for (const [name, wave] of Object.entries(op.waveforms)) {
      const path = `${op.path}/waveforms/${pointer(name)}`;
      const { data, index } = wave;
      const prev = owner.get(index);
      if (prev) {
        if (prev.name === name && sameSamples(prev.data, data)) continue; // the same waveform again
        throw new ScheduleError(
          "INLINE_WAVEFORM_INDEX_CLASH",
          `InlineQ1ASM "${op.name}" puts waveform "${name}" at index ${index} of ${seq.route.portClock}, where "${prev.op.name}" already put "${prev.name}" with other samples`,
          { path: `${path}/index`, hint: "give each distinct inline waveform on a sequencer its own index" },
        );
      }
      if (name in out.waveforms) {
        throw new ScheduleError(
          "INLINE_WAVEFORM_INDEX_CLASH",
          `InlineQ1ASM "${op.name}" puts waveform "${name}" at index ${index}, but that name is already at index ${out.waveforms[name]!.index} of ${seq.route.portClock}`,
          { path, hint: "give each distinct inline waveform on a sequencer its own name" },
        );
      }
      for (let k = 0; k < data.length; k++) {
        if (!(Math.abs(data[k]!) <= 1))
          throw new ValueRangeError(
            "INLINE_WAVEFORM_OUT_OF_RANGE",
            `sample ${k} of waveform "${name}" of InlineQ1ASM "${op.name}" is ${data[k]}, outside [-1, 1]`,
            {
              path: `${path}/data/${k}`,
              hint: "waveform samples are fractions of full scale; scale them into [-1, 1]",
            },
          );
      }
      if (out.totalSamples + data.length > limit) {
        throw new ResourceLimitError(
          "WAVEFORM_MEMORY_EXCEEDED",
          `waveform "${name}" of InlineQ1ASM "${op.name}" brings ${seq.route.portClock} (${seq.key}) to ${out.totalSamples + data.length} samples, over the limit of ${limit}`,
          { path: `${path}/data`, hint: "shorten the inline waveform or use fewer distinct waveforms" },
        );
      }
      out.totalSamples += data.length;
      out.waveforms[name] = { data: data.slice(), index };
      owner.set(index, { op, name, data });
      reserved.add(index);
    }
  });
  return reserved;
}

function sameSamples(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function checkGain(g: number, op: WaveformPulse): void {
  if (!(Math.abs(g) <= 1)) {
    throw new ValueRangeError(
      "AMPLITUDE_OUT_OF_RANGE",
      `"${op.name}" (${op.type}) reaches amplitude ${g}, outside [-1, 1] of full scale`,
      {
        path: op.path,
        hint: "amplitudes are fractions of the output's full scale; reduce the amplitude",
      },
    );
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
    const params = pulseHandler(op).shapeKey(op as never);
    if (typeof params === "string") {
      const key = params;
      let hit = this.byText.get(key);
      if (!hit) {
        hit = normalise(op, this.filter);
        this.byText.set(key, hit);
      }
      return hit;
    }
    let level = this.root;
    for (let i = 0; i < params.length - 1; i++) {
      let next = level.get(params[i]!) as Map<number, unknown> | undefined;
      if (!next) {
        next = new Map();
        level.set(params[i]!, next);
      }
      level = next;
    }
    const last = params[params.length - 1]!;
    let shape = level.get(last) as NormalisedShape | undefined;
    if (!shape) {
      shape = normalise(op, this.filter);
      level.set(last, shape);
    }
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
  let h1 = 0x811c9dc5,
    h2 = 0x01000193 ^ x.length;
  for (let k = 0; k < x.length; k++) {
    const v = Math.round(x[k]! * 1e12);
    const lo = v | 0,
      hi = Math.floor(v / 4294967296) | 0;
    h1 = Math.imul(h1 ^ lo, 0x01000193);
    h2 = Math.imul(h2 ^ hi ^ lo, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0") + `_${x.length}`;
}
