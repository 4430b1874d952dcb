/**
 * One module of the emulated cluster: its sequencers, the summed and clipped DAC outputs, the
 * loopback / user input model, and deferred acquisitions. An acquisition is integrated once every
 * sequencer of the module has advanced past its window, so outputs inside the window are final;
 * histories are then pruned, keeping memory bounded for arbitrarily long programs.
 */
import { MODULE_CATALOG, type ModuleSpec, type ModuleType } from "../core/module-catalog.js";
import { DEFAULT_INTEGRATION_LENGTH_NS } from "../core/protocols.js";
import { BinStore, normaliseAcquisition, SCOPE_SAMPLES, ScopeStore } from "./acquisition.js";
import type {
  EmuEvent,
  EmuModuleInput,
  EmuModuleResult,
  EmuRawAcquisition,
  EmuRunOptions,
  EmuSequencerResult,
  QbloxAcquisitionEntry,
} from "./api.js";
import { History, R_F, R_G0, R_G1, R_MRK, R_O0, R_O1, R_PH } from "./history.js";
import { loadProgram, Op } from "./program.js";
import { finishIntegration, integrateInto, mixInto } from "./mix.js";
import { renderMarkers, renderPaths, renderPhasor, type SignalConfig } from "./render.js";
import { sequencerActiveSpans, SpanList } from "./spans.js";
import { SequencerEngine, type RtSink } from "./sequencer.js";
import type { LinqRouter } from "./linq.js";

/** DAC/ADC counts, output full scale and scope resolution per type: the module catalog (§5, §6.3, §7.6). */
type ModuleIo = Pick<ModuleSpec, "dacs" | "adcs" | "outputFullScaleV" | "adcBits" | "binScale" | "isRF">;
export const MARKERS_PER_MODULE = 4;
/** render / acquisition chunk: scratch buffers stay in cache */
const RENDER_CHUNK_NS = 16_384;

interface Scratch {
  /** rendered paths, [2·sequencer position + path] */
  paths: Float64Array[];
  dacs: Float64Array[];
  inputs: Float64Array[];
  cos: Float64Array;
  sin: Float64Array;
}

interface PendingAcq {
  seq: number;
  op: Op;
  acqIndex: number;
  bin: number;
  w0: number;
  w1: number;
  start: number;
  end: number;
  /** LINQ id attached to this acquisition's thresholded bits (0: not shared) and their valid bit */
  tbId: number;
  tbValid: number;
  /** LINQ id of the integrated IQ values (0: not shared) and the shift of their 32-bit window */
  iqId: number;
  iqShift: number;
}

export class ModuleEngine implements RtSink {
  readonly io: ModuleIo;
  readonly seqs: SequencerEngine[] = [];
  private readonly cfgs: SignalConfig[] = [];
  private readonly bins: Map<number, BinStore>[] = [];
  private readonly pending: PendingAcq[] = [];
  private pendingHead = 0;
  private readonly scope: ScopeStore | null;
  private readonly scopeSeq: number;
  private readonly tof: number;
  private readonly outOffset: Float64Array;
  private readonly inGain: Float64Array;
  private lastAcq: PendingAcq | null = null;
  private readonly isRf: boolean;
  /** reusable buffers for acquisition windows (no per-acquisition allocation in the hot path) */
  private scratch: Scratch | null = null;
  /** per DAC: the path buffers summed into it (indices into Scratch.paths), in summation order */
  private dacSources: number[][] = [];
  private readonly spans = new SpanList();
  private readonly acc = new Float64Array(2);
  /** every DAC offset is 0, so outputs are exactly 0 outside the active spans */
  private readonly zeroIdle: boolean;

  constructor(
    readonly input: EmuModuleInput,
    private readonly opts: EmuRunOptions,
    private readonly events: EmuEvent[],
    private readonly linq: LinqRouter | null = null,
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
    return {
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

  // ---- RtSink -------------------------------------------------------------------------------

  acquire(seq: SequencerEngine, op: Op, acqIndex: number, bin: number, w0: number, w1: number, startNs: number): void {
    const pos = this.seqs.indexOf(seq);
    const cfg = this.cfgs[pos]!;
    let len = 0;
    if (op === Op.ACQUIRE) len = seq.params.integration_length_acq ?? DEFAULT_INTEGRATION_LENGTH_NS;
    else if (op === Op.ACQUIRE_WEIGHED) len = Math.max(cfg.weights[w0]?.length ?? 0, cfg.weights[w1]?.length ?? 0);
    const a: PendingAcq = {
      seq: pos,
      op,
      acqIndex,
      bin,
      w0,
      w1,
      start: startNs,
      end: startNs + len,
      tbId: op === Op.ACQUIRE_TTL ? 0 : seq.tbId,
      tbValid: seq.tbValid,
      iqId: op === Op.ACQUIRE_TTL ? 0 : seq.iqId,
      iqShift: seq.iqShift,
    };
    this.lastAcq = a;
    if (op === Op.ACQUIRE_TTL) {
      // TTL counting is not emulated: a closed window yields a valid bin with count 0
      if (w0 === 0) this.bins[pos]!.get(acqIndex)!.valid[bin] = 1;
      return;
    }
    if (this.opts.skipSignals) {
      // signals are not integrated: shared thresholded bits go out as a valid 0 (timing only)
      if (a.tbId !== 0) this.linq?.send(seq, a.tbId, a.tbValid << 1, a.end, "thresholded_bits");
      return;
    }
    this.pending.push(a);
    if (this.scope && seq.index === this.scopeSeq) {
      if (this.opts.deferScope) this.scope.count(this.input.params.scope_acq_avg_mode_en ?? true);
      else this.pending.push({ ...a, op: Op.NOP, end: startNs + SCOPE_SAMPLES });
    }
  }

  event(seq: SequencerEngine, op: Op, startNs: number, durationNs: number, pc: number): void {
    const win = this.opts.events ?? this.opts.render;
    if (!win || startNs < win.fromNs || startNs >= win.toNs || this.events.length >= (this.opts.maxEvents ?? 100_000))
      return;
    const kind = EVENT_KIND[op];
    if (!kind) return;
    const r = seq.rec;
    const e: EmuEvent = {
      kind,
      slot: seq.slot,
      sequencer: seq.index,
      startNs,
      durationNs,
      line: seq.program.line[pc] ?? 0,
    };
    if (op === Op.PLAY || op === Op.UPD_PARAM || op === Op.ACQUIRE || op === Op.ACQUIRE_WEIGHED) {
      e.gain = [r[R_G0]!, r[R_G1]!];
      e.offset = [r[R_O0]!, r[R_O1]!];
      e.ncoFreqHz = r[R_F]!;
      e.ncoPhaseDeg = r[R_PH]! * 360;
      e.marker = r[R_MRK]!;
    }
    if (op === Op.FB_POP || op === Op.FB_PULL) {
      const b = pc * 5;
      e.linqId = op === Op.FB_POP ? seq.program.arg[b]! : seq.regs[seq.program.arg[b]!]!;
      e.linqValue = seq.regs[seq.program.arg[b + 1]!]!;
    }
    if (op === Op.PLAY) {
      const b = pc * 5,
        p = seq.program;
      e.waveforms = [
        p.isReg[b] ? seq.regs[p.arg[b]!]! : p.arg[b]!,
        p.isReg[b + 1] ? seq.regs[p.arg[b + 1]!]! : p.arg[b + 1]!,
      ];
      const cfg = this.cfgs[this.seqs.indexOf(seq)]!;
      e.durationNs = Math.max(cfg.waves[e.waveforms[0]]?.length ?? 0, cfg.waves[e.waveforms[1]]?.length ?? 0);
    }
    if ((op === Op.ACQUIRE || op === Op.ACQUIRE_WEIGHED || op === Op.ACQUIRE_TTL) && this.lastAcq) {
      e.acqIndex = this.lastAcq.acqIndex;
      e.bin = this.lastAcq.bin;
      if (op !== Op.ACQUIRE_TTL) e.durationNs = this.lastAcq.end - this.lastAcq.start;
    }
    this.events.push(e);
  }

  // ---- deferred acquisitions ---------------------------------------------------------------

  /** RT time up to which every sequencer's outputs are final. */
  horizon(): number {
    let h = Infinity;
    // a sequencer waiting for LINQ data after `wait 0` plays nothing until the data comes
    for (const s of this.seqs) if (s.running && !(s.fbWaiting && s.guardOff)) h = Math.min(h, s.trt);
    return h;
  }

  /** Integrate every pending acquisition whose window is final, then prune histories. */
  flush(): void {
    const h = this.horizon();
    const q = this.pending;
    while (this.pendingHead < q.length && q[this.pendingHead]!.end <= h) this.process(q[this.pendingHead++]!);
    if (this.pendingHead > 1024 && this.pendingHead * 2 > q.length) {
      q.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    // outputs are needed from (next acquisition start − time of flight) on
    const keepFrom = Math.min(this.pendingHead < q.length ? q[this.pendingHead]!.start : h, h) - this.tof;
    if (Number.isFinite(keepFrom)) for (const s of this.seqs) s.history.pruneBefore(keepFrom);
  }

  /**
   * Integrate one acquisition window (or capture one scope trigger). Only the active spans of the
   * outputs are rendered: zero input integrates to zero, so skipping it leaves the sums unchanged.
   */
  private process(a: PendingAcq): void {
    const seq = this.seqs[a.seq]!,
      cfg = this.cfgs[a.seq]!;
    const scope = a.op === Op.NOP ? this.scope! : null;
    const spans = this.windowSpans(a.start, a.end);
    const chunk = this.opts.inputModel ? Infinity : RENDER_CHUNK_NS;
    const [src0, src1] = acqSources(seq.params.connect_acq, this.isRf);
    const has0 = src0 >= 0 && src0 < this.io.adcs,
      has1 = src1 >= 0 && src1 < this.io.adcs;
    const weighed = a.op === Op.ACQUIRE_WEIGHED;
    const wt0 = weighed ? cfg.weights[a.w0] : undefined,
      wt1 = weighed ? cfg.weights[a.w1] : undefined;
    if (scope) scope.begin(this.input.params.scope_acq_avg_mode_en ?? true);
    const acc = this.acc;
    acc[0] = 0;
    acc[1] = 0;
    for (let i = 0; i < spans.count; i++) {
      const e = spans.end(i);
      for (let c = spans.start(i); c < e; c += chunk) {
        const ce = Math.min(e, c + chunk);
        const inputs = this.inputSamples(c, ce, a.start);
        if (scope) {
          scope.add(inputs, c - a.start, this.io.adcBits);
          continue;
        }
        const sc = this.scratch!;
        if (cfg.demodEn) renderPhasor(seq.history, c, ce, sc.cos, sc.sin, a.start);
        integrateInto(
          acc,
          has0 ? inputs[src0] : undefined,
          has1 ? inputs[src1] : undefined,
          c - a.start,
          ce - c,
          cfg.demodEn ? sc.cos : null,
          sc.sin,
          wt0,
          wt1,
          weighed,
        );
      }
    }
    if (scope) {
      scope.end();
      return;
    }
    const [sum0, sum1] = finishIntegration(acc, has0, has1, cfg.demodEn, weighed);
    const theta = ((seq.params.thresholded_acq_rotation ?? 0) * Math.PI) / 180;
    const rotated = sum0 * Math.cos(theta) - sum1 * Math.sin(theta);
    const bit = rotated >= (seq.params.thresholded_acq_threshold ?? 0) ? 1 : 0;
    const scale = this.io.binScale;
    this.bins[a.seq]!.get(a.acqIndex)!.add(a.bin, Math.round(sum0 * scale), Math.round(sum1 * scale), bit);
    // LINQ: the thresholded bit (bit 0) and its valid bit (bit 1) leave at the end of the window
    if (a.tbId !== 0) this.linq?.send(seq, a.tbId, (a.tbValid << 1) | bit, a.end, "thresholded_bits");
    // IQ: I then Q, each the 32-bit window [31+shift : shift] of the 48-bit accumulator floor(Σ·2^22)
    if (a.iqId !== 0) {
      this.linq?.send(seq, a.iqId, linqIqWord(sum0, a.iqShift), a.end, "iq");
      this.linq?.send(seq, a.iqId, linqIqWord(sum1, a.iqShift), a.end, "iq");
    }
  }

  /** Spans of [from, to) (acquisition time) whose input samples are needed. */
  private windowSpans(from: number, to: number): SpanList {
    const sp = this.spans;
    sp.count = 0;
    if (this.opts.inputModel || !this.zeroIdle) {
      sp.push(from, to);
      return sp;
    }
    const tof = this.tof;
    for (let i = 0; i < this.seqs.length; i++) {
      if (this.cfgs[i]!.routeDac.length > 0)
        sequencerActiveSpans(this.seqs[i]!.history, this.cfgs[i]!, from - tof, to - tof, sp);
    }
    sp.normalise();
    for (let i = 0; i < 2 * sp.count; i++) sp.data[i]! += tof;
    return sp;
  }

  /** Scratch buffers of at least n samples (grown geometrically). */
  private ensureScratch(n: number): Scratch {
    const sc = this.scratch;
    if (sc && sc.cos.length >= n) return sc;
    const cap = Math.max(1024, n, (sc?.cos.length ?? 0) * 2);
    const mk = (): Float64Array => new Float64Array(cap);
    this.scratch = {
      paths: Array.from({ length: 2 * this.seqs.length }, mk),
      dacs: Array.from({ length: this.io.dacs }, mk),
      inputs: Array.from({ length: this.io.adcs }, mk),
      cos: mk(),
      sin: mk(),
    };
    return this.scratch;
  }

  /**
   * ADC samples over [from, to): loopback of DAC k into ADC k delayed by the time of flight, or the
   * user's model. Returned arrays are scratch views, valid until the next call. `seedFrom` is the
   * start of the acquisition window this chunk belongs to (for bit-identical chunked rendering).
   */
  private inputSamples(from: number, to: number, seedFrom = from): Float64Array[] {
    const n = Math.max(0, to - from);
    const sc = this.ensureScratch(n);
    const outs = this.outputs(from - this.tof, to - this.tof, false, sc, seedFrom - this.tof);
    const model = this.opts.inputModel;
    return sc.inputs.map((buf, k) => {
      if (model)
        return Float64Array.from(
          model({
            slot: this.input.slot,
            input: k,
            fromNs: from,
            toNs: to,
            outputs: outs.map((o) => Float32Array.from(o)),
          }),
        );
      const o = outs[k],
        g = this.inGain[k]!;
      if (o && g === 1) return o; // 0 dB loopback: the DAC samples themselves
      const x = buf.subarray(0, n);
      if (o) for (let i = 0; i < n; i++) x[i] = o[i]! * g;
      else x.fill(0);
      return x;
    });
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
    for (let i = 0; i < this.seqs.length; i++) {
      const cfg = this.cfgs[i]!,
        s = this.seqs[i]!;
      if (cfg.routeDac.length === 0) continue;
      renderPaths(
        fromRenderLog ? (s.renderLog as History) : s.history,
        cfg,
        from,
        to,
        sc.paths[2 * i]!,
        sc.paths[2 * i + 1]!,
        seedFrom,
      );
    }
    const dacs = sc.dacs.map((b) => b.subarray(0, n));
    for (let d = 0; d < dacs.length; d++) {
      const srcs = this.dacSources[d]!.map((p) => sc.paths[p]!);
      if (!mixInto(dst ? dst[d]! : dacs[d]!, dst ? dstOff : 0, this.outOffset[d]!, srcs, n)) continue;
      for (const p of this.dacSources[d]!) this.seqs[p >> 1]!.warnFlags.add("OUTPUT_OVERFLOW");
    }
    return dacs;
  }

  /** Rendered outputs of the report window, computed in cache-sized chunks straight into Float32 arrays. */
  private renderOutputs(from: number, to: number): Float32Array[] {
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

  result(): EmuModuleResult {
    const render = this.opts.render;
    const outputs = render ? this.renderOutputs(render.fromNs, render.toNs) : [];
    const markers = render ? this.markers(render.fromNs, render.toNs) : [];
    const sequencers = this.seqs.map((s, i) => this.sequencerResult(s, i));
    return { slot: this.input.slot, type: this.input.type, sequencers, outputs, markers };
  }

  private sequencerResult(s: SequencerEngine, pos: number): EmuSequencerResult {
    const acquisitions: Record<string, QbloxAcquisitionEntry> = {};
    const rawAcquisitions: Record<string, EmuRawAcquisition> = {};
    const seqInput = this.input.sequencers[pos]!;
    let binned = false;
    for (const [name, decl] of Object.entries(seqInput.sequence.acquisitions)) {
      const b = this.bins[pos]!.get(decl.index)!;
      if (b.valid.some((v) => v === 1)) binned = true;
      const scope =
        this.scope && s.index === this.scopeSeq
          ? this.scope.raw()
          : Array.from({ length: this.io.adcs }, () => ({ data: new Float64Array(0), outOfRange: false, avgCnt: 0 }));
      const raw: EmuRawAcquisition = {
        index: decl.index,
        scopeBits: this.io.adcBits,
        scope,
        bins: {
          valid: b.valid.slice(),
          path0: b.path0.slice(),
          path1: b.path1.slice(),
          thres: b.thres.slice(),
          avgCnt: b.avgCnt.slice(),
        },
      };
      rawAcquisitions[name] = raw;
      acquisitions[name] = normaliseAcquisition(raw, this.io.binScale);
    }
    if (binned) s.infoFlags.add("ACQ_BINNING_DONE");
    if (this.scope && s.index === this.scopeSeq && this.scope.avgCnt > 0)
      for (let p = 0; p < this.io.adcs; p++) s.infoFlags.add(`ACQ_SCOPE_DONE_PATH_${p}`);
    const err = [...s.errFlags],
      warn = [...s.warnFlags];
    return {
      index: s.index,
      status: {
        state: s.state,
        status: err.length ? "ERROR" : warn.length ? "WARNING" : "OKAY",
        info_flags: [...s.infoFlags],
        warn_flags: warn,
        err_flags: err,
        log: [...s.log],
      },
      acquisitions,
      rawAcquisitions,
      endTimeNs: s.endNs,
      ...(err.length > 0 && s.errorLine > 0 ? { errorLine: s.errorLine } : {}),
    };
  }
}

const EVENT_KIND: Partial<Record<Op, EmuEvent["kind"]>> = {
  [Op.PLAY]: "play",
  [Op.ACQUIRE]: "acquire",
  [Op.ACQUIRE_WEIGHED]: "acquire_weighed",
  [Op.ACQUIRE_TTL]: "acquire_ttl",
  [Op.UPD_PARAM]: "upd_param",
  [Op.WAIT_SYNC]: "wait_sync",
  [Op.FB_POP]: "feedback",
  [Op.FB_PULL]: "feedback",
};

/** Driver default channel map: baseband path0 → even outputs, path1 → odd; RF: every output IQ. */
function defaultConnectOut(type: ModuleType, dacs: number): Record<string, "I" | "Q" | "IQ"> {
  const m: Record<string, "I" | "Q" | "IQ"> = {};
  if (MODULE_CATALOG[type].isRF) for (let k = 0; 2 * k < dacs; k++) m[`out${k}`] = "IQ";
  else for (let k = 0; k < dacs; k++) m[`out${k}`] = k % 2 === 0 ? "I" : "Q";
  return m;
}

/** ADC feeding acquisition path0/path1 (−1 = off) from connect_acq (§6.1). */
function acqSources(c: Record<string, "in0" | "in1" | "off"> | undefined, rf: boolean): [number, number] {
  const idx = (v: string | undefined): number => (v === "in0" ? 0 : v === "in1" ? 1 : -1);
  if (rf) {
    const i = idx(c?.["acq"] ?? "in0");
    return i < 0 ? [-1, -1] : [2 * i, 2 * i + 1];
  }
  return [idx(c?.["I"] ?? "in0"), idx(c?.["Q"] ?? "in1")];
}

/**
 * The 32-bit LINQ word of one integration path (seed, "IQ Values"): the accumulator holds
 * floor(sum · 2^22) in 48 bits (two's complement); LINQ sends bits [31+shift : shift].
 */
export function linqIqWord(sum: number, shift: number): number {
  const acc = BigInt.asIntN(48, BigInt(Math.floor(sum * 2 ** 22)));
  return Number(BigInt.asUintN(32, acc >> BigInt(shift)));
}
