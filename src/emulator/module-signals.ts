/**
 * The signal side of one module of the emulated cluster: its sequencers and their signal
 * configuration (routing, modulation, markers), the summed and clipped DAC outputs, the loopback /
 * user input model, and the rendered report window. ModuleEngine (module.ts) adds the RtSink and
 * the deferred acquisitions on top.
 */
import { MODULE_CATALOG, type ModuleSpec, type ModuleType } from "../core/module-catalog.js";
import { BinStore, ScopeStore } from "./acquisition.js";
import type { EmuEvent, EmuModuleInput, EmuRunOptions } from "./api.js";
import { History } from "./history.js";
import { loadProgram, type Op } from "./program.js";
import { mixInto, mixIntoF32 } from "./mix.js";
import { renderMarkers, renderPaths, type SignalConfig } from "./render.js";
import { SequencerEngine, type RtSink } from "./sequencer.js";
import type { LinqRouter } from "./linq.js";

/** DAC/ADC counts, output full scale and scope resolution per type: the module catalog (§5, §6.3, §7.6). */
type ModuleIo = Pick<ModuleSpec, "dacs" | "adcs" | "outputFullScaleV" | "adcBits" | "binScale" | "isRF">;
export const MARKERS_PER_MODULE = 4;
/** render / acquisition chunk: scratch buffers stay in cache */
export const RENDER_CHUNK_NS = 16_384;

interface Scratch {
  /** rendered paths, [2·sequencer position + path] */
  paths: Float64Array[];
  dacs: Float64Array[];
  inputs: Float64Array[];
  cos: Float64Array;
  sin: Float64Array;
  /** per DAC: the path buffers summed into it, in summation order */
  dacSrc: Float64Array[][];
  /** views dacs[d][0 .. viewN), inputs[a][0 .. viewN), paths[p][0 .. viewN), rebuilt only when the length changes */
  viewN: number;
  dacViews: Float64Array[];
  inputViews: Float64Array[];
  pathViews: Float64Array[];
  /** the array outputs() returns for acquisitions (reused): a DAC view, or its only source's path view */
  outArr: Float64Array[];
  /** the array inputSamples returns (reused) */
  inputArr: Float64Array[];
}

export abstract class ModuleSignals implements RtSink {
  readonly io: ModuleIo;
  readonly seqs: SequencerEngine[] = [];
  protected readonly cfgs: SignalConfig[] = [];
  protected readonly bins: Map<number, BinStore>[] = [];
  protected readonly scope: ScopeStore | null;
  protected readonly scopeSeq: number;
  protected readonly tof: number;
  private readonly outOffset: Float64Array;
  private readonly inGain: Float64Array;
  protected readonly isRf: boolean;
  /** reusable buffers for acquisition windows (no per-acquisition allocation in the hot path) */
  protected scratch: Scratch | null = null;
  /** per DAC: the path buffers summed into it (indices into Scratch.paths), in summation order */
  private dacSources: number[][] = [];
  /** every DAC offset is 0, so outputs are exactly 0 outside the active spans */
  protected readonly zeroIdle: boolean;
  /** per DAC: one source and no offset, so for acquisitions it is that source's path when nothing clips */
  private readonly directDac: boolean[];
  /** per sequencer position: renderPaths' bound of its last rendered window */
  private readonly bounds: Float64Array;

  constructor(
    readonly input: EmuModuleInput,
    protected readonly opts: EmuRunOptions,
    protected readonly events: EmuEvent[],
    protected readonly linq: LinqRouter | null = null,
  ) {
    const type = input.type;
    this.io = MODULE_CATALOG[type];
    this.isRf = this.io.isRF;
    this.tof = opts.timeOfFlightNs ?? 0;
    this.outOffset = Float64Array.from(
      { length: this.io.dacs },
      (_, d) => (input.params.out_offset?.[d] ?? 0) / this.io.outputFullScaleV,
    );
    this.inGain = Float64Array.from({ length: this.io.adcs }, (_, a) =>
      this.isRf ? 1 : 10 ** ((input.params.in_gain?.[a] ?? 0) / 20),
    );
    const sel = input.params.scope_acq_sequencer_select;
    this.scopeSeq = sel ?? -1;
    this.scope = sel !== undefined && this.io.adcs > 0 ? new ScopeStore(this.io.adcs) : null;
    const render = opts.render ?? null;
    for (const s of input.sequencers) {
      const waves: (Float32Array | undefined)[] = [];
      const waveLengths = new Map<number, number>();
      for (const w of Object.values(s.sequence.waveforms)) {
        waves[w.index] = Float32Array.from(w.data);
        waveLengths.set(w.index, w.data.length);
      }
      const weights: (Float32Array | undefined)[] = [];
      const weightIdx = new Set<number>();
      for (const w of Object.values(s.sequence.weights)) {
        weights[w.index] = Float32Array.from(w.data);
        weightIdx.add(w.index);
      }
      const acqs = new Map<number, { numBins: number }>();
      const store = new Map<number, BinStore>();
      for (const a of Object.values(s.sequence.acquisitions)) {
        acqs.set(a.index, { numBins: a.num_bins });
        store.set(a.index, new BinStore(a.index, a.num_bins));
      }
      this.bins.push(store);
      this.cfgs.push(this.signalConfig(s.params, waves, weights));
      const program = loadProgram(s.sequence.program, type);
      this.seqs.push(
        new SequencerEngine(
          input.slot,
          s.index,
          program,
          s.params,
          waveLengths,
          weightIdx,
          acqs,
          this,
          opts.maxInstructions ?? 50_000_000,
          render,
        ),
      );
      if (linq) {
        const seq = this.seqs[this.seqs.length - 1]!;
        seq.linq = linq;
        linq.attach(seq);
      }
    }
    this.dacSources = Array.from({ length: this.io.dacs }, () => [] as number[]);
    this.cfgs.forEach((cfg, i) => {
      for (let r = 0; r < cfg.routeDac.length; r++) this.dacSources[cfg.routeDac[r]!]!.push(2 * i + cfg.routePath[r]!);
    });
    this.zeroIdle = this.outOffset.every((v) => v === 0);
    // a user input model sees the DAC samples themselves (a −0 included): always summed there
    this.bounds = new Float64Array(this.seqs.length);
    this.directDac = this.dacSources.map((src, d) => src.length === 1 && this.outOffset[d] === 0 && !opts.inputModel);
  }

  private signalConfig(
    p: EmuModuleInput["sequencers"][number]["params"],
    waves: (Float32Array | undefined)[],
    weights: (Float32Array | undefined)[],
  ): SignalConfig {
    const dac: number[] = [],
      path: number[] = [];
    const connect = p.connect_out ?? defaultConnectOut(this.input.type, this.io.dacs);
    for (const [key, v] of Object.entries(connect)) {
      const out = Number(key.replace(/\D/g, ""));
      if (v === "off" || !Number.isInteger(out)) continue;
      if (this.isRf) {
        // an RF output is a DAC pair: path0 → 2k, path1 → 2k+1
        if (2 * out + 1 < this.io.dacs) {
          dac.push(2 * out, 2 * out + 1);
          path.push(0, 1);
        }
      } else if (out < this.io.dacs) {
        dac.push(out);
        path.push(v === "Q" ? 1 : 0);
      }
    }
    const waveAbsMax: number[] = [];
    waves.forEach((w, i) => {
      let m = 0;
      if (w) for (let k = 0; k < w.length; k++) m = Math.max(m, Math.abs(w[k]!));
      waveAbsMax[i] = Number.isNaN(m) ? Infinity : m;
    });
    return {
      waveAbsMax,
      modEn: p.mod_en_awg ?? false,
      demodEn: p.demod_en_acq ?? false,
      gainRatio: p.mixer_corr_gain_ratio ?? 1,
      mixPhaseRad: ((p.mixer_corr_phase_offset_degree ?? 0) * Math.PI) / 180,
      waves,
      weights,
      routeDac: Int32Array.from(dac),
      routePath: Uint8Array.from(path),
      markerOverride: p.marker_ovr_en ? (p.marker_ovr_value ?? 0) & 15 : -1,
    };
  }

  abstract acquire(
    seq: SequencerEngine,
    op: Op,
    acqIndex: number,
    bin: number,
    w0: number,
    w1: number,
    startNs: number,
    pc: number,
  ): void;
  abstract event(seq: SequencerEngine, op: Op, startNs: number, durationNs: number, pc: number): void;

  /** Scratch buffers of at least n samples (grown geometrically). */
  private ensureScratch(n: number): Scratch {
    const sc = this.scratch;
    if (sc && sc.cos.length >= n) return sc;
    const cap = Math.max(1024, n, (sc?.cos.length ?? 0) * 2);
    const mk = (): Float64Array => new Float64Array(cap);
    const paths = Array.from({ length: 2 * this.seqs.length }, mk);
    this.scratch = {
      paths,
      dacs: Array.from({ length: this.io.dacs }, mk),
      inputs: Array.from({ length: this.io.adcs }, mk),
      cos: mk(),
      sin: mk(),
      dacSrc: this.dacSources.map((src) => src.map((p) => paths[p]!)),
      viewN: -1,
      dacViews: [],
      inputViews: [],
      pathViews: [],
      outArr: new Array<Float64Array>(this.io.dacs),
      inputArr: new Array<Float64Array>(this.io.adcs),
    };
    return this.scratch;
  }

  /** Views of the scratch DAC and input buffers of length n (cached for the last n). */
  private views(sc: Scratch, n: number): void {
    if (sc.viewN === n) return;
    sc.viewN = n;
    sc.dacViews = sc.dacs.map((b) => b.subarray(0, n));
    sc.inputViews = sc.inputs.map((b) => b.subarray(0, n));
    sc.pathViews = sc.paths.map((b) => b.subarray(0, n));
  }

  /**
   * ADC samples over [from, to): loopback of DAC k into ADC k delayed by the time of flight, or the
   * user's model. Returned arrays are scratch views, valid until the next call. `seedFrom` is the
   * start of the acquisition window this chunk belongs to (for bit-identical chunked rendering).
   */
  protected inputSamples(from: number, to: number, seedFrom = from): Float64Array[] {
    const n = Math.max(0, to - from);
    const sc = this.ensureScratch(n);
    const outs = this.outputs(from - this.tof, to - this.tof, false, sc, seedFrom - this.tof);
    const model = this.opts.inputModel;
    const res = sc.inputArr;
    for (let k = 0; k < res.length; k++) {
      if (model) {
        res[k] = Float64Array.from(
          model({
            slot: this.input.slot,
            input: k,
            fromNs: from,
            toNs: to,
            outputs: outs.map((o) => Float32Array.from(o)),
          }),
        );
        continue;
      }
      const o = outs[k],
        g = this.inGain[k]!;
      if (o && g === 1) {
        res[k] = o; // 0 dB loopback: the DAC samples themselves
        continue;
      }
      const x = sc.inputViews[k]!;
      if (o) for (let i = 0; i < n; i++) x[i] = o[i]! * g;
      else x.fill(0);
      res[k] = x;
    }
    return res;
  }

  /**
   * Summed, offset and clipped DAC outputs over [from, to); flags OUTPUT_OVERFLOW on clipping.
   * The result lives in the scratch buffers (views valid until the next call), or is written to
   * `dst` at `dstOff` when given.
   */
  outputs(
    from: number,
    to: number,
    fromRenderLog: boolean,
    sc: Scratch,
    seedFrom = from,
    dst?: (Float64Array | Float32Array)[],
    dstOff = 0,
  ): Float64Array[] {
    const n = Math.max(0, to - from);
    const bounds = this.bounds;
    for (let i = 0; i < this.seqs.length; i++) {
      const cfg = this.cfgs[i]!,
        s = this.seqs[i]!;
      bounds[i] = 0;
      if (cfg.routeDac.length === 0) continue;
      bounds[i] = renderPaths(
        fromRenderLog ? (s.renderLog as History) : s.history,
        cfg,
        from,
        to,
        sc.paths[2 * i]!,
        sc.paths[2 * i + 1]!,
        seedFrom,
      );
    }
    this.views(sc, n);
    const dacs = sc.dacViews;
    const out = dst ? dacs : sc.outArr;
    for (let d = 0; d < dacs.length; d++) {
      const srcs = sc.dacSrc[d]!;
      const to = dst?.[d];
      if (!dst) {
        out[d] = dacs[d]!;
        // one source, no offset, nothing to clip: the DAC is that path (sum and clip would copy it;
        // only a −0 would become +0, which no acquisition sum can tell)
        const p = this.dacSources[d]![0]!;
        if (this.directDac[d] && (bounds[p >> 1]! <= 1 || inRange(sc.paths[p]!, n))) {
          out[d] = sc.pathViews[p]!;
          continue;
        }
      }
      const clipped =
        to === undefined
          ? mixInto(dacs[d]!, 0, this.outOffset[d]!, srcs, n)
          : to instanceof Float32Array
            ? mixIntoF32(to, dstOff, this.outOffset[d]!, srcs, n)
            : mixInto(to, dstOff, this.outOffset[d]!, srcs, n);
      if (!clipped) continue;
      for (const p of this.dacSources[d]!) this.seqs[p >> 1]!.warnFlags.add("OUTPUT_OVERFLOW");
    }
    return out;
  }

  /** Rendered outputs of the report window, computed in cache-sized chunks straight into Float32 arrays. */
  protected renderOutputs(from: number, to: number): Float32Array[] {
    const n = Math.max(0, to - from);
    const out = Array.from({ length: this.io.dacs }, () => new Float32Array(n));
    const sc = this.ensureScratch(Math.min(n, RENDER_CHUNK_NS));
    for (let t = from; t < to; t += RENDER_CHUNK_NS)
      this.outputs(t, Math.min(to, t + RENDER_CHUNK_NS), true, sc, t, out, t - from);
    return out;
  }

  markers(from: number, to: number): Uint8Array[] {
    const m = Array.from({ length: MARKERS_PER_MODULE }, () => new Uint8Array(Math.max(0, to - from)));
    this.seqs.forEach((s, i) => {
      if (s.renderLog) renderMarkers(s.renderLog, this.cfgs[i]!.markerOverride, from, to, m);
    });
    return m;
  }
}

/** true when every sample of a[0 .. n) is within ±1 (a DAC fed by it alone would not clip). */
function inRange(a: Float64Array, n: number): boolean {
  for (let k = 0; k < n; k++) {
    const v = a[k]!;
    if (v > 1 || v < -1) return false;
  }
  return true;
}

/** Driver default channel map: baseband path0 → even outputs, path1 → odd; RF: every output IQ. */
function defaultConnectOut(type: ModuleType, dacs: number): Record<string, "I" | "Q" | "IQ"> {
  const m: Record<string, "I" | "Q" | "IQ"> = {};
  if (MODULE_CATALOG[type].isRF) for (let k = 0; 2 * k < dacs; k++) m[`out${k}`] = "IQ";
  else for (let k = 0; k < dacs; k++) m[`out${k}`] = k % 2 === 0 ? "I" : "Q";
  return m;
}
