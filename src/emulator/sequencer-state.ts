/**
 * The state of one Q1 sequencer and its RT-timeline bookkeeping (reference §4): registers, flags,
 * the RT queue (queue full → the core stalls; underflow when the RT timeline is behind the core),
 * the acquisition binning FIFO, acquisition checks, set_cond evaluation, and the latched parameters
 * (§4.6) committed into the signal-state History. The Q1 core that drives it is SequencerEngine
 * (sequencer.ts).
 */
import type { EmuSequencerParams, SequencerState } from "./api.js";
import { History, REC, R_F, R_G0, R_G1, R_MRK, R_O0, R_O1, R_PH, R_T, R_W0, R_W1, R_WS } from "./history.js";
import { describeInstruction, MAX_OPERANDS, Op, type CompiledProgram } from "./program.js";
import { FeedbackQueue, type LinqRouter } from "./linq.js";
import { conditionHolds, type TriggerCounters, type TriggerNetwork } from "./trigger-network.js";
import {
  ACQ_BINNING_FIFO_DEPTH,
  ACQ_BINNING_WRITE_NS,
  Pend,
  Q1_START_NS,
  RT_QUEUE_DEPTH,
  type AcqDecl,
  type RtSink,
} from "./sequencer-types.js";

export abstract class SequencerRtState {
  readonly regs = new Uint32Array(64);
  // LINQ (linq.ts): feedback queue, the id and valid bit attached to thresholded bits, the router
  readonly feedback = new FeedbackQueue();
  fbWaiting = false;
  tbId = 0;
  tbValid = 1;
  /** id attached to integrated IQ values (0: not shared) and the shift of their 32-bit window */
  iqId = 0;
  iqShift = 0;
  /** write-combine (fb_acq_tb_cfg): payload length in bytes (0: off) and this sequencer's bit position */
  tbWcLength = 0;
  tbWcBitPos = 0;
  /** write-combine of fb_com_data (fb_com_cfg): payload length in bytes (0: off) and bit position */
  comWcLength = 0;
  comWcBitPos = 0;
  /** `wait 0` suspended the RT underflow guard (until an instruction with a non-zero duration runs) */
  guardOff = false;
  linq: LinqRouter | null = null;
  /** the cluster's trigger network and this sequencer's counters (trigger-network.ts); null when unused */
  triggerNet: TriggerNetwork | null = null;
  counters: TriggerCounters | null = null;
  pc = 0;
  tq = Q1_START_NS;
  trt = 0;
  executed = 0;
  state: SequencerState = "RUNNING";
  readonly errFlags = new Set<string>();
  readonly infoFlags = new Set<string>();
  readonly warnFlags = new Set<string>();
  readonly log: string[] = [];
  /** RT time at which the RT core finished (valid once state is STOPPED) */
  endNs = 0;
  /** duration argument of the wait_sync the core is blocked in */
  syncDur = 0;
  /** 1-based Q1ASM source line of the instruction that stopped the sequencer with an error (0: none/unknown) */
  errorLine = 0;

  private readonly queue = new Float64Array(RT_QUEUE_DEPTH);
  private qHead = 0;
  private qLen = 0;
  /** completion times of the acquisitions in the binning FIFO (ascending) */
  private readonly binFifo: number[] = [];
  /** the last enqueue found the queue full and stalled the core */
  protected stalled = false;

  // pending (latched) values
  protected pend = 0;
  protected pMrk = 0;
  protected pFreq = 0;
  protected pPh = 0;
  protected pPhd = 0;
  protected pG0 = 0;
  protected pG1 = 0;
  protected pO0 = 0;
  protected pO1 = 0;
  // NCO phase registers (turns) and accumulator
  private phRel = 0;
  private phDelta = 0;
  private acc = 0;
  private accT = 0;
  private readonly phOffs: number;
  // set_cond (applies from the next RT instruction on)
  protected condEn = 0;
  protected condMask = 0;
  protected condOp = 0;
  protected condElse = 4;

  /** active state, REC fields; rec[R_T] is the time of the last commit */
  readonly rec = new Float64Array(REC);
  readonly history = new History();
  /** records needed to render the report window (last one before it + those inside) */
  readonly renderLog: History | null;

  constructor(
    readonly slot: number,
    readonly index: number,
    readonly program: CompiledProgram,
    readonly params: EmuSequencerParams,
    readonly waveLengths: ReadonlyMap<number, number>,
    readonly weightIndices: ReadonlySet<number>,
    readonly acqs: ReadonlyMap<number, AcqDecl>,
    protected readonly sink: RtSink,
    protected readonly maxInstructions: number,
    private readonly render: { fromNs: number; toNs: number } | null,
  ) {
    this.phOffs = ((params.nco_phase_offs ?? 0) / 360) % 1;
    const r = this.rec;
    r[R_T] = 0;
    r[R_G0] = params.gain_awg_path0 ?? 1;
    r[R_G1] = params.gain_awg_path1 ?? 1;
    r[R_O0] = params.offset_awg_path0 ?? 0;
    r[R_O1] = params.offset_awg_path1 ?? 0;
    r[R_F] = params.nco_freq ?? 0;
    r[R_PH] = frac(this.phOffs);
    r[R_W0] = -1;
    r[R_W1] = -1;
    r[R_WS] = 0;
    r[R_MRK] = 0;
    this.renderLog = render ? new History(16) : null;
    this.pushRecord();
    if (program.length === 0)
      this.fail(
        "SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION",
        "the program has no instructions; upload a program that ends with `stop`",
      );
  }

  get syncEnabled(): boolean {
    return this.params.sync_en === true;
  }
  get running(): boolean {
    return this.state === "RUNNING";
  }

  /**
   * The Q1 core waits in fb_pop_data / fb_pull_data for data that will never come (the run is over for
   * everyone else): the RT core underflows where its queue ends, or, after `wait 0`, the sequencer hangs.
   */
  feedbackStarved(): void {
    const pc = this.pc;
    this.fbWaiting = false;
    if (!this.guardOff) {
      this.errFlags.add("SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW");
      this.halt(
        this.trt,
        `RT queue underflow at ${this.trt} ns: the Q1 core blocks in ${describeInstruction(this.program, pc)} waiting for LINQ data that never arrives; check the routing (ids 16-255 are dropped unless routed) and that the source sends with this id`,
        pc,
      );
      return;
    }
    this.fail(
      "FORCED_STOP",
      `the Q1 core waits forever in ${describeInstruction(this.program, pc)} (after wait 0): no LINQ data with this id arrives; check the routing and the source's id`,
      pc,
    );
  }

  /**
   * `w: wait N / loop R,@w` with a full, stalling RT queue is periodic with period N: every further
   * iteration only translates the clocks and the queue by N. Skip all but the last iteration at once
   * (exactly equivalent; this is what makes long idle times cost nothing).
   */
  protected skipWaitLoop(loopPc: number, r: number): void {
    const p = this.program,
      w = loopPc - 1,
      wb = w * MAX_OPERANDS;
    if (p.op[w] !== Op.WAIT || p.argc[w] !== 1 || p.isReg[wb] || this.condEn) return;
    const k = Math.min(this.regs[r]! - 1, Math.floor((this.maxInstructions - this.executed) / 2));
    if (k <= 0) return;
    const shift = k * p.arg[wb]!;
    this.trt += shift;
    this.tq += shift;
    for (let i = 0; i < this.qLen; i++) this.queue[(this.qHead + i) % RT_QUEUE_DEPTH]! += shift;
    this.regs[r] = this.regs[r]! - k;
    this.executed += 2 * k;
  }

  protected branch(pc: number, target: number, targetIsReg: number): void {
    this.pc = targetIsReg ? this.regs[target]! : target;
    this.tq += this.program.takenNs[pc]!;
  }

  protected checkAcquire(
    pc: number,
    start: number,
    acqIndex: number,
    bin: number,
    w0: number,
    w1: number,
    code: Op,
  ): boolean {
    const decl = this.acqs.get(acqIndex);
    if (
      decl &&
      bin < decl.numBins &&
      (code !== Op.ACQUIRE_WEIGHED || (this.weightIndices.has(w0) && this.weightIndices.has(w1)))
    )
      return true;
    const where = describeInstruction(this.program, pc);
    if (!decl) {
      this.errFlags.add("ACQ_INDEX_INVALID");
      this.halt(
        start,
        `${where} uses acquisition index ${acqIndex}, which is not declared in sequence.acquisitions; declare it`,
        pc,
      );
      return false;
    }
    if (bin >= decl.numBins) {
      this.errFlags.add("ACQ_BIN_INDEX_INVALID");
      this.halt(
        start,
        `${where} writes bin ${bin} of acquisition index ${acqIndex}, which has only ${decl.numBins} bins; increase num_bins`,
        pc,
      );
      return false;
    }
    if (code === Op.ACQUIRE_WEIGHED && (!this.weightIndices.has(w0) || !this.weightIndices.has(w1))) {
      if (!this.weightIndices.has(w0)) this.errFlags.add("ACQ_WEIGHT_PLAYBACK_INDEX_INVALID_PATH_0");
      if (!this.weightIndices.has(w1)) this.errFlags.add("ACQ_WEIGHT_PLAYBACK_INDEX_INVALID_PATH_1");
      this.halt(
        start,
        `${where} uses weight index ${this.weightIndices.has(w0) ? w1 : w0}, which is not in sequence.weights; add it`,
        pc,
      );
      return false;
    }
    return true;
  }

  /** set_cond's condition at the current RT time over the trigger-network address bits (§8.3). */
  protected conditionTrue(): boolean {
    return conditionHolds(this.condOp, this.condMask, this.counters ? this.counters.bits(this.trt) : 0);
  }

  /** Commit pending parameters at RT time t (§4.6); a play also commits its new waveforms. */
  protected commit(t: number, force = false): void {
    const r = this.rec,
      pend = this.pend;
    if (pend === 0 && !force) return;
    // advance the NCO accumulator to t with the old frequency: set_freq is phase-continuous
    this.acc = frac(this.acc + r[R_F]! * (t - this.accT) * 1e-9);
    this.accT = t;
    if (pend & Pend.RESET) {
      this.acc = 0;
      this.phRel = 0;
      this.phDelta = 0;
    }
    if (pend & Pend.FREQ) r[R_F] = this.pFreq;
    if (pend & Pend.PH) this.phRel = this.pPh;
    if (pend & Pend.PHD) {
      this.phDelta = frac(this.phDelta + this.pPhd);
      this.pPhd = 0;
    }
    if (pend & Pend.GAIN) {
      r[R_G0] = this.pG0;
      r[R_G1] = this.pG1;
    }
    if (pend & Pend.OFFS) {
      r[R_O0] = this.pO0;
      r[R_O1] = this.pO1;
    }
    if (pend & Pend.MRK) r[R_MRK] = this.pMrk;
    r[R_PH] = frac(this.acc + this.phRel + this.phDelta + this.phOffs);
    r[R_T] = t;
    this.pend = 0;
    this.pushRecord();
  }

  private pushRecord(): void {
    this.history.push(this.rec);
    const log = this.renderLog;
    if (log && this.render && this.rec[R_T]! < this.render.toNs) {
      log.push(this.rec);
      if (this.rec[R_T]! <= this.render.fromNs) log.keepLast();
    }
  }

  protected enqueue(start: number): void {
    const q = this.queue;
    // entries whose start time has passed have been consumed by the RT core
    while (this.qLen > 0 && q[this.qHead]! <= this.tq) {
      this.qHead = (this.qHead + 1) % RT_QUEUE_DEPTH;
      this.qLen--;
    }
    this.stalled = this.qLen >= RT_QUEUE_DEPTH;
    if (this.stalled) {
      // queue full: the core stalls until the oldest entry starts
      this.tq = q[this.qHead]!;
      this.qHead = (this.qHead + 1) % RT_QUEUE_DEPTH;
      this.qLen--;
    }
    q[(this.qHead + this.qLen) % RT_QUEUE_DEPTH] = start;
    this.qLen++;
  }

  protected underflow(pc: number): void {
    this.errFlags.add("SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW");
    this.halt(
      this.trt,
      `RT queue underflow at ${describeInstruction(this.program, pc)}: the RT core needed it at ${this.trt} ns but the Q1 core issued it at ${this.tq} ns; add wait time or move classical instructions out of the tight loop`,
      pc,
    );
  }

  protected finishRt(): void {
    this.endNs = this.trt;
    this.state = "STOPPED";
  }

  /** One acquisition enters the binning FIFO at `start`; it drains one entry per ACQ_BINNING_WRITE_NS. */
  protected binFifoPush(start: number, pc: number): void {
    const fifo = this.binFifo;
    while (fifo.length > 0 && fifo[0]! <= start) fifo.shift();
    const done = (fifo.length > 0 ? fifo[fifo.length - 1]! : start) + ACQ_BINNING_WRITE_NS;
    if (fifo.length >= ACQ_BINNING_FIFO_DEPTH) {
      if (!this.errFlags.has("ACQ_BINNING_FIFO_ERROR"))
        this.log.push(
          `${describeInstruction(this.program, pc)} at ${start} ns: ${fifo.length} acquisitions are still being binned (one per ${ACQ_BINNING_WRITE_NS} ns, ${ACQ_BINNING_FIFO_DEPTH} at most); keep acquisitions ≥ ${ACQ_BINNING_WRITE_NS} ns apart`,
        );
      this.errFlags.add("ACQ_BINNING_FIFO_ERROR");
      return; // flagged; the emulator still records the value
    }
    fifo.push(done);
  }

  protected halt(atNs: number, message: string, pc = -1): void {
    this.log.push(message);
    if (pc >= 0 && this.errorLine === 0) this.errorLine = this.program.line[pc] ?? 0;
    this.endNs = atNs;
    this.trt = atNs;
    this.state = "STOPPED";
  }

  protected fail(flag: string, message: string, pc = -1): void {
    this.errFlags.add(flag);
    this.halt(this.trt, message, pc);
  }
}

function frac(x: number): number {
  return x - Math.floor(x);
}
