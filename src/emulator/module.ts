/**
 * One module of the emulated cluster: its sequencers, the summed and clipped DAC outputs, the
 * loopback / user input model, and deferred acquisitions. An acquisition is integrated once every
 * sequencer of the module has advanced past its window, so outputs inside the window are final;
 * histories are then pruned, keeping memory bounded for arbitrarily long programs. This file holds the
 * RtSink (acquisitions, report events), the deferred acquisitions and the results; the sequencers,
 * signal configuration and output / input rendering are in ModuleSignals (module-signals.ts).
 */
import { DEFAULT_INTEGRATION_LENGTH_NS } from "../core/protocols.js";
import { normaliseAcquisition, SCOPE_SAMPLES } from "./acquisition.js";
import type { EmuEvent, EmuModuleResult, EmuRawAcquisition, EmuSequencerResult, QbloxAcquisitionEntry } from "./api.js";
import { R_F, R_G0, R_G1, R_MRK, R_O0, R_O1, R_PH } from "./history.js";
import { Op } from "./program.js";
import { finishIntegration, integrateInto } from "./mix.js";
import { integratePhasor, renderPhasor } from "./render.js";
import { sequencerActiveSpans, SpanList } from "./spans.js";
import type { SequencerEngine } from "./sequencer.js";
import { ModuleSignals, RENDER_CHUNK_NS } from "./module-signals.js";

export { MARKERS_PER_MODULE } from "./module-signals.js";

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
  /** write-combine of the thresholded bits (fb_acq_tb_cfg): payload bytes (0: off), bit position */
  tbWcLength: number;
  tbWcBitPos: number;
  /** integrated (see flush) */
  done?: boolean;
}

export class ModuleEngine extends ModuleSignals {
  private readonly pending: PendingAcq[] = [];
  /**
   * The same acquisitions without the scope captures, in order: each is integrated once its window is
   * final even while a scope capture (16 µs) queued before it is still open, so results shared over
   * LINQ (and thresholded triggers) leave at the end of their window, as on the hardware.
   */
  private readonly acqPending: PendingAcq[] = [];
  private acqHead = 0;
  private pendingHead = 0;
  private lastAcq: PendingAcq | null = null;
  private readonly spans = new SpanList();
  private readonly acc = new Float64Array(2);
  /** ADCs feeding each sequencer's acquisition paths (acqSources), by sequencer position */
  private readonly acqSrc: [number, number][] = [];

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
      tbWcLength: seq.tbWcLength,
      tbWcBitPos: seq.tbWcBitPos,
    };
    this.lastAcq = a;
    if (op === Op.ACQUIRE_TTL) {
      // TTL counting is not emulated: a closed window yields a valid bin with count 0
      if (w0 === 0) this.bins[pos]!.get(acqIndex)!.valid[bin] = 1;
      return;
    }
    if (this.opts.skipSignals) {
      // signals are not integrated: shared thresholded bits go out as a valid 0 (timing only)
      if (a.tbId !== 0)
        this.linq?.send(seq, a.tbId, a.tbValid << 1, a.end, "thresholded_bits", a.tbWcBitPos, a.tbWcLength);
      // and shared IQ values as 0, 0
      if (a.iqId !== 0) {
        this.linq?.send(seq, a.iqId, 0, a.end, "iq");
        this.linq?.send(seq, a.iqId, 0, a.end, "iq");
      }
      return;
    }
    this.pending.push(a);
    this.acqPending.push(a);
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

  /** A play / acquisition that set_cond skipped (trigger network): a "skipped" event for the report. */
  skipped(seq: SequencerEngine, op: Op, startNs: number, durationNs: number, pc: number): void {
    const kind = EVENT_KIND[op];
    const win = this.opts.events ?? this.opts.render;
    if (kind !== "play" && kind !== "acquire" && kind !== "acquire_weighed" && kind !== "acquire_ttl") return;
    if (!win) return;
    if (startNs < win.fromNs || startNs >= win.toNs || this.events.length >= (this.opts.maxEvents ?? 100_000)) return;
    const line = seq.program.line[pc] ?? 0;
    this.events.push({
      kind: "skipped",
      skipped: kind,
      slot: seq.slot,
      sequencer: seq.index,
      startNs,
      durationNs,
      line,
    });
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
    const aq = this.acqPending;
    while (this.acqHead < aq.length && aq[this.acqHead]!.end <= h) {
      const a = aq[this.acqHead++]!;
      a.done = true;
      this.process(a);
    }
    if (this.acqHead > 1024 && this.acqHead * 2 > aq.length) {
      aq.splice(0, this.acqHead);
      this.acqHead = 0;
    }
    while (this.pendingHead < q.length && q[this.pendingHead]!.end <= h) {
      const a = q[this.pendingHead++]!;
      if (!a.done) this.process(a);
    }
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
    const src = (this.acqSrc[a.seq] ??= acqSources(seq.params.connect_acq, this.isRf));
    const src0 = src[0],
      src1 = src[1];
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
        if (cfg.demodEn && !weighed && has0 && has1) {
          // plain SSB: demodulate and integrate in one pass (bit-identical to the two below)
          integratePhasor(seq.history, c, ce, inputs[src0]!, inputs[src1]!, acc, a.start);
          continue;
        }
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
    // trigger network: the thresholded result goes to thresholded_acq_trigger_address (trigger-network.ts)
    seq.triggerNet?.result(seq, bit, a.end);
    // LINQ: the thresholded bit (bit 0) and its valid bit (bit 1) leave at the end of the window
    if (a.tbId !== 0)
      this.linq?.send(seq, a.tbId, (a.tbValid << 1) | bit, a.end, "thresholded_bits", a.tbWcBitPos, a.tbWcLength);
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
      held: { awgOffset: [s.rec[R_O0]!, s.rec[R_O1]!], markers: s.rec[R_MRK]! },
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
