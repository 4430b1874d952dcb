/**
 * One Q1 sequencer: the Q1 core (registers, flow, cycle costs) and the RT-queue timing model of
 * reference §4 (core time starts at −40 ns; RT instructions are queued at the RT timeline; underflow
 * when the RT timeline is behind the core; queue full → the core stalls). Latched parameters (§4.6)
 * are committed into the signal-state History at upd_param / play / acquire*.
 */
import type { EmuSequencerParams, SequencerState } from "./api.js";
import { History, REC, R_F, R_G0, R_G1, R_MRK, R_O0, R_O1, R_PH, R_T, R_W0, R_W1, R_WS } from "./history.js";
import { describeInstruction, MAX_OPERANDS, Op, type CompiledProgram } from "./program.js";
import { FeedbackQueue, type LinqEndpoint, type LinqRouter } from "./linq.js";

/**
 * RT queue depth, the one place it is set. Not documented by Qblox; Q1SIM (Qblox's sequencer
 * simulator) uses `RT_BUFFER_SIZE = 32` since v1.1 (16 in v1.0.5), and so does HS
 * (reference q1asm-and-scpi.md §4.2). test/emulator/compat-flags.test.ts pins the longest burst
 * that does not underflow with this depth.
 */
export const RT_QUEUE_DEPTH = 32;
/**
 * Acquisition binning FIFO (Q1SIM: 8 entries, one written every 300 ns; reference §7.2): more
 * acquisitions in flight raise ACQ_BINNING_FIFO_ERROR (16 acquisitions 100 ns apart overflow).
 */
export const ACQ_BINNING_FIFO_DEPTH = 8;
export const ACQ_BINNING_WRITE_NS = 300;
/** The Q1 core starts 10 cycles ahead of the RT timeline (§4.3). */
export const Q1_START_NS = -40;
/** Slack the Q1 core gains while the RT core waits in wait_sync (Q1SIM: ~200 ns, §4.5). */
export const WAIT_SYNC_SLACK_NS = 200;
export const DEFAULT_MAX_INSTRUCTIONS = 50_000_000;

/** What the core needs from its module: acquisitions and report events. */
export interface RtSink {
  acquire(
    seq: SequencerEngine,
    op: Op,
    acqIndex: number,
    bin: number,
    w0: number,
    w1: number,
    startNs: number,
    pc: number,
  ): void;
  event(seq: SequencerEngine, op: Op, startNs: number, durationNs: number, pc: number): void;
}

export const enum Step {
  RT_ISSUED,
  SYNC_BLOCKED,
  DONE,
  /** the Q1 core waits in fb_pop_data / fb_pull_data for an entry not yet in its feedback queue */
  FEEDBACK_BLOCKED,
}

// pending-parameter bits
const P_MRK = 1,
  P_FREQ = 2,
  P_PH = 4,
  P_PHD = 8,
  P_RESET = 16,
  P_GAIN = 32,
  P_OFFS = 64;

export interface AcqDecl {
  numBins: number;
}

export class SequencerEngine implements LinqEndpoint {
  readonly regs = new Uint32Array(64);
  // LINQ (linq.ts): feedback queue, the id and valid bit attached to thresholded bits, the router
  readonly feedback = new FeedbackQueue();
  fbWaiting = false;
  tbId = 0;
  tbValid = 1;
  /** id attached to integrated IQ values (0: not shared) and the shift of their 32-bit window */
  iqId = 0;
  iqShift = 0;
  /** `wait 0` suspended the RT underflow guard (until an instruction with a non-zero duration runs) */
  guardOff = false;
  linq: LinqRouter | null = null;
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
  private stalled = false;

  // pending (latched) values
  private pend = 0;
  private pMrk = 0;
  private pFreq = 0;
  private pPh = 0;
  private pPhd = 0;
  private pG0 = 0;
  private pG1 = 0;
  private pO0 = 0;
  private pO1 = 0;
  // NCO phase registers (turns) and accumulator
  private phRel = 0;
  private phDelta = 0;
  private acc = 0;
  private accT = 0;
  private readonly phOffs: number;
  // set_cond (applies from the next RT instruction on)
  private condEn = 0;
  private condMask = 0;
  private condOp = 0;
  private condElse = 4;

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
    private readonly sink: RtSink,
    private readonly maxInstructions: number,
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
   * Execute Q1 instructions until one RT instruction has been issued, the core blocks in wait_sync,
   * or the sequencer stops. Allocation-free.
   */
  step(): Step {
    const p = this.program,
      regs = this.regs,
      op = p.op,
      arg = p.arg,
      isReg = p.isReg,
      n = p.length;
    while (this.state === "RUNNING") {
      if (this.executed >= this.maxInstructions) {
        this.fail(
          "FORCED_STOP",
          `stopped after ${this.executed} executed instructions (emulator guard) at ${describeInstruction(p, this.pc)}; raise maxInstructions or check for an endless loop`,
          this.pc,
        );
        return Step.DONE;
      }
      const pc = this.pc;
      const b = pc * MAX_OPERANDS;
      const v0 = isReg[b] ? regs[arg[b]!]! : arg[b]!;
      const v1 = isReg[b + 1] ? regs[arg[b + 1]!]! : arg[b + 1]!;
      this.executed++;
      this.tq += p.costNs[pc]!;
      this.pc = pc + 1;
      switch (op[pc]) {
        case Op.STOP:
          this.state = "Q1_STOPPED";
          this.finishRt();
          return Step.DONE;
        case Op.NOP:
        case Op.PARAM_NOP:
          break;
        case Op.JMP:
          this.pc = v0;
          break;
        case Op.JGE:
          if (v0 >= v1) this.branch(pc, arg[b + 2]!, isReg[b + 2]!);
          break;
        case Op.JLT:
          if (v0 < v1) this.branch(pc, arg[b + 2]!, isReg[b + 2]!);
          break;
        case Op.LOOP: {
          const r = arg[b]!;
          regs[r] = (regs[r]! - 1) >>> 0;
          if (regs[r] !== 0) {
            this.branch(pc, arg[b + 1]!, isReg[b + 1]!);
            if (this.pc === pc - 1 && this.stalled && regs[r]! > 1) this.skipWaitLoop(pc, r);
          }
          break;
        }
        case Op.MOVE:
          regs[arg[b + 1]!] = v0;
          break;
        case Op.NOT:
          regs[arg[b + 1]!] = ~v0 >>> 0;
          break;
        case Op.ADD:
          regs[arg[b + 2]!] = (v0 + v1) >>> 0;
          break;
        case Op.SUB:
          regs[arg[b + 2]!] = (v0 - v1) >>> 0;
          break;
        case Op.AND:
          regs[arg[b + 2]!] = (v0 & v1) >>> 0;
          break;
        case Op.OR:
          regs[arg[b + 2]!] = (v0 | v1) >>> 0;
          break;
        case Op.XOR:
          regs[arg[b + 2]!] = (v0 ^ v1) >>> 0;
          break;
        // shifts by ≥ 32 clear the register; asr is a logical shift in ISA v1 (§2.4)
        case Op.ASL:
          regs[arg[b + 2]!] = v1 >= 32 ? 0 : (v0 << v1) >>> 0;
          break;
        case Op.ASR:
          regs[arg[b + 2]!] = v1 >= 32 ? 0 : v0 >>> v1;
          break;
        case Op.SET_MRK:
          this.pMrk = v0 & 15;
          this.pend |= P_MRK;
          break;
        case Op.SET_FREQ:
          this.pFreq = (v0 | 0) / 4;
          this.pend |= P_FREQ;
          break;
        case Op.RESET_PH:
          this.pend |= P_RESET;
          break;
        case Op.SET_PH:
          this.pPh = v0 / 1e9;
          this.pend |= P_PH;
          break;
        case Op.SET_PH_DELTA:
          this.pPhd += v0 / 1e9;
          this.pend |= P_PHD;
          break;
        case Op.SET_AWG_GAIN:
          this.pG0 = int16(v0) / 32768;
          this.pG1 = int16(v1) / 32768;
          this.pend |= P_GAIN;
          break;
        case Op.SET_AWG_OFFS:
          this.pO0 = int16(v0) / 32768;
          this.pO1 = int16(v1) / 32768;
          this.pend |= P_OFFS;
          break;
        case Op.FB_POP:
        case Op.FB_PULL: {
          const e = op[pc] === Op.FB_POP ? this.feedback.pop(arg[b]!) : this.feedback.pull();
          if (!e) {
            // blocks until an entry arrives: undo this attempt, the cluster runs it again on delivery
            this.executed--;
            this.tq -= p.costNs[pc]!;
            this.pc = pc;
            this.fbWaiting = true;
            return Step.FEEDBACK_BLOCKED;
          }
          this.tq = Math.max(this.tq - p.costNs[pc]!, e.arrivalNs) + p.costNs[pc]!;
          if (op[pc] === Op.FB_POP) regs[arg[b + 1]!] = e.value;
          else {
            regs[arg[b]!] = e.id;
            regs[arg[b + 1]!] = e.value;
          }
          // the report's "feedback" event: when the core had the value (the conditional decides here)
          this.sink.event(this, op[pc] as Op, this.tq, 0, pc);
          break;
        }
        case Op.SET_COND: {
          this.condEn = v0;
          this.condMask = v1;
          this.condOp = isReg[b + 2] ? regs[arg[b + 2]!]! : arg[b + 2]!;
          this.condElse = arg[b + 3]!;
          break;
        }
        case Op.UPD_PARAM:
        case Op.WAIT:
        case Op.RT_NOP:
        case Op.WAIT_TRIGGER:
        case Op.PLAY:
        case Op.ACQUIRE:
        case Op.ACQUIRE_WEIGHED:
        case Op.ACQUIRE_TTL:
        case Op.FB_TB_ID:
        case Op.FB_TB_VALID:
        case Op.FB_COM_DATA:
        case Op.FB_IQ_ID:
        case Op.FB_IQ_SHIFT:
          this.issueRt(pc, b);
          return Step.RT_ISSUED;
        case Op.WAIT_SYNC: {
          if (!this.syncEnabled) {
            this.issueRt(pc, b);
            return Step.RT_ISSUED;
          }
          if (this.trt < this.tq) {
            this.underflow(pc);
            return Step.DONE;
          }
          this.syncDur = v0;
          return Step.SYNC_BLOCKED;
        }
        case Op.UNSUPPORTED:
          this.fail(
            "SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION",
            `${describeInstruction(p, pc)} is not supported by the emulator (ISA v1 baseline); remove it or run on hardware`,
            pc,
          );
          return Step.DONE;
        default:
          this.fail(
            "SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION",
            `illegal instruction at ${describeInstruction(p, pc)}`,
            pc,
          );
          return Step.DONE;
      }
      if (this.pc >= n) {
        this.fail(
          "SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION",
          `execution ran past the last instruction after ${describeInstruction(p, pc)}; end the program with \`stop\``,
          pc,
        );
        return Step.DONE;
      }
    }
    return Step.DONE;
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

  /** Release from wait_sync: all synced sequencers continue at RT time `releaseNs`. */
  releaseSync(releaseNs: number): void {
    const start = this.trt;
    this.enqueue(start);
    this.trt = releaseNs + this.syncDur;
    this.tq = Math.min(this.tq, releaseNs - WAIT_SYNC_SLACK_NS);
    this.sink.event(this, Op.WAIT_SYNC, start, this.trt - start, this.pc - 1);
    if (this.pc >= this.program.length)
      this.fail(
        "SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION",
        `execution ran past the last instruction after ${describeInstruction(this.program, this.pc - 1)}; end the program with \`stop\``,
        this.pc - 1,
      );
  }

  /**
   * `w: wait N / loop R,@w` with a full, stalling RT queue is periodic with period N: every further
   * iteration only translates the clocks and the queue by N. Skip all but the last iteration at once
   * (exactly equivalent; this is what makes long idle times cost nothing).
   */
  private skipWaitLoop(loopPc: number, r: number): void {
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

  private branch(pc: number, target: number, targetIsReg: number): void {
    this.pc = targetIsReg ? this.regs[target]! : target;
    this.tq += this.program.takenNs[pc]!;
  }

  /** Timing (§4.5), conditional playback (§8.3) and the RT action of one instruction. */
  private issueRt(pc: number, b: number): void {
    const p = this.program,
      regs = this.regs,
      arg = p.arg,
      isReg = p.isReg;
    if (this.trt < this.tq) {
      // after `wait 0` the RT core waits for the next instruction instead of underflowing (LINQ seed)
      if (!this.guardOff) {
        this.underflow(pc);
        return;
      }
      this.trt = this.tq;
    }
    this.enqueue(this.trt);
    const start = this.trt;
    const argc = p.argc[pc]!;
    let dur = argc === 0 ? 4 : isReg[b + argc - 1] ? regs[arg[b + argc - 1]!]! : arg[b + argc - 1]!;
    const code = p.op[pc] as Op;
    if (code === Op.WAIT && isReg[b + argc - 1] && dur < 4) {
      // Q1SIM: "WAIT TIME < 4 ns"; the immediate form is rejected by the assembler
      this.fail(
        "SEQUENCE_PROCESSOR_RT_EXEC_ILLEGAL_INSTRUCTION",
        `${describeInstruction(p, pc)} waits ${dur} ns (register value); the minimum RT duration is 4 ns`,
        pc,
      );
      return;
    }
    // `wait 0`: the RT core looks for its next instruction 4 ns later, with the underflow guard off
    if (dur === 0 && code === Op.WAIT) {
      this.guardOff = true;
      dur = 4;
    } else this.guardOff = false;
    if (this.condEn && !this.conditionTrue()) {
      this.trt = start + this.condElse;
      return;
    }
    switch (code) {
      case Op.UPD_PARAM:
        this.commit(start);
        break;
      case Op.PLAY: {
        const w0 = isReg[b] ? regs[arg[b]!]! : arg[b]!;
        const w1 = isReg[b + 1] ? regs[arg[b + 1]!]! : arg[b + 1]!;
        const bad0 = !this.waveLengths.has(w0),
          bad1 = !this.waveLengths.has(w1);
        if (bad0 || bad1) {
          if (bad0) this.errFlags.add("AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_0");
          if (bad1) this.errFlags.add("AWG_WAVE_PLAYBACK_INDEX_INVALID_PATH_1");
          this.halt(
            start,
            `${describeInstruction(p, pc)} plays waveform index ${bad0 ? w0 : w1}, which is not in the uploaded waveforms; add it to sequence.waveforms`,
            pc,
          );
          return;
        }
        this.rec[R_W0] = w0;
        this.rec[R_W1] = w1;
        this.rec[R_WS] = start;
        this.commit(start, true);
        break;
      }
      case Op.ACQUIRE:
      case Op.ACQUIRE_WEIGHED:
      case Op.ACQUIRE_TTL: {
        const acqIndex = arg[b]!;
        const bin = isReg[b + 1] ? regs[arg[b + 1]!]! : arg[b + 1]!;
        let w0 = -1,
          w1 = -1;
        if (code === Op.ACQUIRE_WEIGHED) {
          w0 = isReg[b + 2] ? regs[arg[b + 2]!]! : arg[b + 2]!;
          w1 = isReg[b + 3] ? regs[arg[b + 3]!]! : arg[b + 3]!;
        } else if (code === Op.ACQUIRE_TTL) {
          w0 = arg[b + 2]!; // enable: 1 opens, 0 closes the counting window
        }
        if (!this.checkAcquire(pc, start, acqIndex, bin, w0, w1, code)) return;
        if (code !== Op.ACQUIRE_TTL) this.binFifoPush(start, pc);
        this.commit(start);
        this.sink.acquire(this, code, acqIndex, bin, w0, w1, start, pc);
        break;
      }
      case Op.FB_TB_ID:
        this.tbId = (isReg[b] ? regs[arg[b]!]! : arg[b]!) & 255;
        break;
      case Op.FB_TB_VALID:
        this.tbValid = arg[b]! & 1;
        break;
      case Op.FB_IQ_ID:
        this.iqId = (isReg[b] ? regs[arg[b]!]! : arg[b]!) & 255;
        break;
      case Op.FB_IQ_SHIFT:
        this.iqShift = arg[b]! & 63;
        break;
      case Op.FB_COM_DATA:
        this.linq?.send(this, arg[b]! & 255, isReg[b + 1] ? regs[arg[b + 1]!]! : arg[b + 1]!, start, "register");
        break;
      default:
        break; // wait, wait_trigger (no trigger network: waits its duration), RT no-ops
    }
    if (code === Op.WAIT_TRIGGER) this.infoFlags.add("TRIGGER_NETWORK_MISSED_INTERNAL_TRIGGER");
    this.trt = start + dur;
    this.sink.event(this, code, start, dur, pc);
  }

  private checkAcquire(
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

  /** No trigger network is emulated: every address bit is FALSE (counters stay 0, §8.3). */
  private conditionTrue(): boolean {
    const m = this.condMask & 0x7fff;
    switch (this.condOp) {
      case 0:
        return false; // OR
      case 1:
        return true; // NOR
      case 2:
        return m === 0; // AND over no true bits
      case 3:
        return m !== 0; // NAND
      case 4:
        return false; // XOR (even number of true bits)
      default:
        return true; // XNOR
    }
  }

  /** Commit pending parameters at RT time t (§4.6); a play also commits its new waveforms. */
  private commit(t: number, force = false): void {
    const r = this.rec,
      pend = this.pend;
    if (pend === 0 && !force) return;
    // advance the NCO accumulator to t with the old frequency: set_freq is phase-continuous
    this.acc = frac(this.acc + r[R_F]! * (t - this.accT) * 1e-9);
    this.accT = t;
    if (pend & P_RESET) {
      this.acc = 0;
      this.phRel = 0;
      this.phDelta = 0;
    }
    if (pend & P_FREQ) r[R_F] = this.pFreq;
    if (pend & P_PH) this.phRel = this.pPh;
    if (pend & P_PHD) {
      this.phDelta = frac(this.phDelta + this.pPhd);
      this.pPhd = 0;
    }
    if (pend & P_GAIN) {
      r[R_G0] = this.pG0;
      r[R_G1] = this.pG1;
    }
    if (pend & P_OFFS) {
      r[R_O0] = this.pO0;
      r[R_O1] = this.pO1;
    }
    if (pend & P_MRK) r[R_MRK] = this.pMrk;
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

  private enqueue(start: number): void {
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

  private underflow(pc: number): void {
    this.errFlags.add("SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW");
    this.halt(
      this.trt,
      `RT queue underflow at ${describeInstruction(this.program, pc)}: the RT core needed it at ${this.trt} ns but the Q1 core issued it at ${this.tq} ns; add wait time or move classical instructions out of the tight loop`,
      pc,
    );
  }

  private finishRt(): void {
    this.endNs = this.trt;
    this.state = "STOPPED";
  }

  /** One acquisition enters the binning FIFO at `start`; it drains one entry per ACQ_BINNING_WRITE_NS. */
  private binFifoPush(start: number, pc: number): void {
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

  private halt(atNs: number, message: string, pc = -1): void {
    this.log.push(message);
    if (pc >= 0 && this.errorLine === 0) this.errorLine = this.program.line[pc] ?? 0;
    this.endNs = atNs;
    this.trt = atNs;
    this.state = "STOPPED";
  }

  private fail(flag: string, message: string, pc = -1): void {
    this.errFlags.add(flag);
    this.halt(this.trt, message, pc);
  }
}

function frac(x: number): number {
  return x - Math.floor(x);
}
function int16(v: number): number {
  return ((v & 0xffff) << 16) >> 16;
}
