/**
 * Waveforms (reference 3.11): sample every pulse at 1 GS/s, normalise it (amplitude carried as
 * gain), de-duplicate shapes per sequencer and check the waveform memory limit; store the weights of
 * weighted acquisitions. Output per sequencer: plain data keyed by node id.
 */
import { ResourceLimitError, ValueRangeError, ScheduleError } from "../../core/errors.js";
import type { AcquisitionOp, InlineQ1AsmOp, ScheduleOp, WaveformPulse } from "../../schedule/model.js";
import type { SampleFilter } from "./distortion/software.js";
import type { IrNode } from "../ir/nodes.js";
import type { PlayInstruction, SequencerPlan, SequencerWaveforms } from "../ir/plan.js";
import { forEachOp } from "../ir/walk.js";
import { acquisitionHandler, handlerOf } from "../ops/index.js";
import { mayHold } from "../2-plan/sequencers.js";
import { hashSamples, ShapeCache } from "./shape-cache.js";

// moved to shape-cache.ts; re-exported for the tests that import them from here
export { hashNumbers, hashSamples, numbersText } from "./shape-cache.js";

/**
 * `filterOf` gives a sequencer's software distortion correction (applied to the samples before
 * normalisation); such sequencers get their own shape cache. Output aligned with `sequencers`.
 */
export function generateWaveforms(
  sequencers: readonly SequencerPlan[],
  filterOf: (seq: SequencerPlan) => SampleFilter | null = () => null,
): SequencerWaveforms[] {
  const shapeCache = new ShapeCache();
  const playTable = new PlayTable();
  return sequencers.map((seq, seqNo) => {
    const filter = filterOf(seq);
    return sequencerWaveforms(seq, seqNo, filter ? new ShapeCache(filter) : shapeCache, playTable);
  });
}

function sequencerWaveforms(
  seq: SequencerPlan,
  seqNo: number,
  shapeCache: ShapeCache,
  playTable: PlayTable,
): SequencerWaveforms {
  const playOfNode = playTable.writer();
  const out: SequencerWaveforms = {
    waveforms: {},
    weights: {},
    plays: [],
    playOfNode: playOfNode.array,
    weightsOfNode: {},
    totalSamples: 0,
  };
  // Plays are looked up by shape, not by operation: 100,000 pulses share a handful of shapes. Each
  // cached shape remembers its play on the sequencer that last asked (`seqNo` tells which).
  const weightsOfOp = new Map<ScheduleOp, [number, number]>(); // a library acquisition placed many times
  const waveIndex = new Map<string, number>();
  const weightIndex = new Map<string, number>();
  let weightSamples = 0;
  const complexChannel = seq.route.channelName.startsWith("complex");
  const limit = seq.spec.waveformSampleLimit;

  // InlineQ1ASM waveforms keep their given indices (quantify's behaviour); the compiler's own
  // waveforms take the lowest indices not reserved by them.
  const reserved = mayHold(seq, (type) => type === "InlineQ1ASM") ? inlineWaveforms(seq, out, limit) : NO_INDICES;
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
    const entry = shapeCache.get(op);
    if (entry.playSeq === seqNo) return entry.play;
    const shape = entry.shape;
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
    entry.playSeq = seqNo;
    entry.play = k;
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

  // the pass's one walk over every node: a plain loop (forEachOp would call a closure per node)
  const visit = (nodes: readonly IrNode[]): void => {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.kind !== "op") {
        visit(node.body);
        continue;
      }
      const op = node.op;
      const family = handlerOf(op).family;
      if (family === "pulse") playOfNode.set(node.id, playOf(op as WaveformPulse));
      else if (family === "acquisition" && acquisitionHandler(op as AcquisitionOp).weighted)
        out.weightsOfNode[node.id] = weightsOf(op as AcquisitionOp);
    }
  };
  visit(seq.nodes);
  out.playOfNode = playOfNode.array; // the shared array, or this sequencer's copy
  return out;
}

const NO_INDICES: ReadonlySet<number> = new Set();

/**
 * `SequencerWaveforms.playOfNode` as dense arrays indexed by node id (a record with sparse integer
 * keys costs ~100 ns per write in V8 and turns into a dictionary when a sequencer holds fewer than
 * about one id in nine). A pulse node is placed on one sequencer only, so the sequencers of one
 * compile share one array (memory in proportion to the node ids, not to ids × sequencers); entries
 * of nodes that are not this sequencer's pulses hold −1 or another sequencer's play. A sequencer that
 * finds its node's entry already written (two sequencers with one node id: hand-built IR) goes on in
 * a copy of its own.
 */
class PlayTable {
  readonly shared: number[] = [];
  /** ids whose entry in `shared` a sequencer wrote as −1 (a pulse too low to play) */
  readonly unplayed = new Set<number>();

  writer(): PlayWriter {
    return new PlayWriter(this);
  }
}

class PlayWriter {
  array: number[];

  constructor(private readonly table: PlayTable) {
    this.array = table.shared;
  }

  set(id: number, play: number): void {
    let a = this.array;
    const shared = a === this.table.shared;
    const unplayed = this.table.unplayed;
    if (shared && id < a.length && (a[id] !== -1 || (unplayed.size !== 0 && unplayed.has(id))))
      a = this.array = a.slice(); // the entry is taken: go on in a copy of our own
    for (let n = a.length; n < id; n++) a.push(-1);
    a[id] = play;
    if (play === -1 && a === this.table.shared) unplayed.add(id);
  }
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
