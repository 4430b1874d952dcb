/**
 * One Q1 sequencer: the Q1 core (registers, flow, cycle costs) executing its program against the
 * RT-queue timing model of reference §4 (core time starts at −40 ns; RT instructions are queued at the
 * RT timeline; underflow when the RT timeline is behind the core; queue full → the core stalls).
 * Latched parameters (§4.6) are committed into the signal-state History at upd_param / play / acquire*.
 * The state and RT bookkeeping live in SequencerRtState (sequencer-state.ts), the constants and
 * interfaces in sequencer-types.ts (re-exported here), the skipped events of a conditional not taken in
 * sequencer-skipped.ts.
 */
import { R_W0, R_W1, R_WS } from "./history.js";
import { describeInstruction, MAX_OPERANDS, Op } from "./program.js";
import type { LinqEndpoint } from "./linq.js";
import { SequencerRtState } from "./sequencer-state.js";
import { skippedBody } from "./sequencer-skipped.js";
import { Pend, Step, WAIT_SYNC_SLACK_NS } from "./sequencer-types.js";

export {
  ACQ_BINNING_FIFO_DEPTH,
  ACQ_BINNING_WRITE_NS,
  DEFAULT_MAX_INSTRUCTIONS,
  Q1_START_NS,
  RT_QUEUE_DEPTH,
  Step,
  WAIT_SYNC_SLACK_NS,
  type AcqDecl,
  type RtSink,
} from "./sequencer-types.js";

export class SequencerEngine extends SequencerRtState implements LinqEndpoint {
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
          if (v0 >= v1) {
            this.branch(pc, arg[b + 2]!, isReg[b + 2]!);
            if (pc > 0 && (op[pc - 1] === Op.FB_POP || op[pc - 1] === Op.FB_PULL)) skippedBody(this, this.sink, pc);
          }
          break;
        case Op.JLT:
          if (v0 < v1) {
            this.branch(pc, arg[b + 2]!, isReg[b + 2]!);
            if (pc > 0 && (op[pc - 1] === Op.FB_POP || op[pc - 1] === Op.FB_PULL)) skippedBody(this, this.sink, pc);
          }
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
          this.pend |= Pend.MRK;
          break;
        case Op.SET_FREQ:
          this.pFreq = (v0 | 0) / 4;
          this.pend |= Pend.FREQ;
          break;
        case Op.RESET_PH:
          this.pend |= Pend.RESET;
          break;
        case Op.SET_PH:
          this.pPh = v0 / 1e9;
          this.pend |= Pend.PH;
          break;
        case Op.SET_PH_DELTA:
          this.pPhd += v0 / 1e9;
          this.pend |= Pend.PHD;
          break;
        case Op.SET_AWG_GAIN:
          this.pG0 = int16(v0) / 32768;
          this.pG1 = int16(v1) / 32768;
          this.pend |= Pend.GAIN;
          break;
        case Op.SET_AWG_OFFS:
          this.pO0 = int16(v0) / 32768;
          this.pO1 = int16(v1) / 32768;
          this.pend |= Pend.OFFS;
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
        case Op.LATCH_EN:
        case Op.LATCH_RST:
        case Op.PLAY:
        case Op.ACQUIRE:
        case Op.ACQUIRE_WEIGHED:
        case Op.ACQUIRE_TTL:
        case Op.FB_TB_ID:
        case Op.FB_TB_VALID:
        case Op.FB_COM_DATA:
        case Op.FB_IQ_ID:
        case Op.FB_IQ_SHIFT:
        case Op.FB_TB_CFG:
        case Op.FB_COM_CFG:
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

  /** Release from wait_sync: all synced sequencers continue at RT time `releaseNs`. */
  releaseSync(releaseNs: number): void {
    const start = this.trt;
    this.enqueue(start);
    this.trt = releaseNs + this.syncDur;
    this.tq = Math.min(this.tq, releaseNs - WAIT_SYNC_SLACK_NS);
    this.triggerNet?.synced(releaseNs);
    this.sink.event(this, Op.WAIT_SYNC, start, this.trt - start, this.pc - 1);
    if (this.pc >= this.program.length)
      this.fail(
        "SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION",
        `execution ran past the last instruction after ${describeInstruction(this.program, this.pc - 1)}; end the program with \`stop\``,
        this.pc - 1,
      );
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
      this.sink.skipped?.(this, code, start, this.condElse, pc);
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
      case Op.FB_TB_CFG:
        this.tbWcLength = arg[b]! === 0 ? 0 : arg[b + 2]!;
        this.tbWcBitPos = arg[b + 1]!;
        break;
      case Op.FB_COM_CFG:
        this.comWcLength = arg[b]! === 0 ? 0 : arg[b + 2]!;
        this.comWcBitPos = arg[b + 1]!;
        break;
      case Op.LATCH_EN:
        this.counters?.setLatchEnabled(start, (isReg[b] ? regs[arg[b]!]! : arg[b]!) !== 0);
        break;
      case Op.LATCH_RST:
        this.counters?.reset(start);
        break;
      case Op.FB_COM_DATA:
        this.linq?.send(
          this,
          arg[b]! & 255,
          isReg[b + 1] ? regs[arg[b + 1]!]! : arg[b + 1]!,
          start,
          "register",
          this.comWcBitPos,
          this.comWcLength,
        );
        break;
      default:
        break; // wait, wait_trigger (no trigger network: waits its duration), RT no-ops
    }
    if (code === Op.WAIT_TRIGGER) this.infoFlags.add("TRIGGER_NETWORK_MISSED_INTERNAL_TRIGGER");
    this.trt = start + dur;
    this.sink.event(this, code, start, dur, pc);
  }
}

function int16(v: number): number {
  return ((v & 0xffff) << 16) >> 16;
}
