/**
 * START on the virtual Cluster: run the armed sequencers together in the emulator (virtual time),
 * convert results to raw accumulators and flags, then report RUNNING until the run's wall-clock
 * duration has passed. Without an emulator the run behaves like qblox-instruments' dummy. The phases
 * (beginRun … endRun) are shared by the inline run (runVirtual) and the run in a worker thread
 * (virtual-run-control.ts, virtual-emulation-pool.ts).
 */
import type {
  EmuClusterResult,
  EmuModuleInput,
  EmuRawAcquisition,
  EmuRunOptions,
  RunCluster,
} from "../emulator/api.js";
import { emptyRawAcquisition } from "./acq-binary.js";
import { markRunStart } from "./virtual-live.js";
import { scopeFromEmuRaw, type VirtualModule, type VirtualSequencer } from "./virtual-state.js";

/** One injected bin (normalised values, as set_dummy_binned_acquisition_data takes them). */
export interface DummyBin {
  i: number;
  q: number;
  thres?: number;
  avgCnt?: number;
}

export interface VirtualRunContext {
  modules: Map<number, VirtualModule>;
  armed: VirtualSequencer[];
  runCluster: RunCluster | undefined;
  runOptions: EmuRunOptions;
  runDurationMs: number | ((endTimeNs: number) => number) | undefined;
  /** key "slot/seq/acqName" */
  dummyData: Map<string, (DummyBin | null)[]>;
}

const MAX_DEFAULT_RUN_MS = 2000;

/** Inline run: emulate on the calling thread (a user runCluster or input model, or no emulator at all). */
export function runVirtual(ctx: VirtualRunContext): void {
  beginRun(ctx);
  let endTimeNs = 0;
  let neverEnds = new Set<VirtualSequencer>();
  if (ctx.runCluster) {
    try {
      const inputs = emulatorInputs(ctx);
      // scope samples are computed only when stored (a re-run); a user input model may not be repeatable
      const defer = ctx.runOptions.inputModel === undefined;
      const result = ctx.runCluster(inputs, defer ? { ...ctx.runOptions, deferScope: true } : ctx.runOptions);
      if (defer) deferScopes(ctx, inputs);
      ({ endTimeNs, neverEnds } = applyEmulatorResult(ctx, result));
    } catch (e) {
      applyEmulatorFailure(ctx, e instanceof Error ? e.message : String(e));
    }
  }
  endRun(ctx, endTimeNs, neverEnds);
}

/** Start of a run's result: every armed sequencer's outcome defaults to OKAY (binning done when it acquires). */
export function beginRun(ctx: VirtualRunContext): void {
  for (const s of ctx.armed) {
    s.pending = {
      status: "OKAY",
      info: s.module.info.supportsAcquisition && s.acquisitions.size > 0 ? ["ACQ_BINNING_DONE"] : [],
      warn: [],
      err: [],
      log: "",
    };
    s.deferredScope = null;
  }
}

/** The emulator input of the armed sequencers, one entry per module. */
export function emulatorInputs(ctx: VirtualRunContext): EmuModuleInput[] {
  const byModule = new Map<VirtualModule, VirtualSequencer[]>();
  for (const s of ctx.armed) byModule.set(s.module, [...(byModule.get(s.module) ?? []), s]);
  return [...byModule].map(([m, seqs]) => m.emuInput(seqs));
}

/** Store the emulator's results of the armed sequencers (others in `result` are ignored). */
export function applyEmulatorResult(
  ctx: VirtualRunContext,
  result: EmuClusterResult,
): { endTimeNs: number; neverEnds: Set<VirtualSequencer> } {
  const armed = new Set(ctx.armed);
  const neverEnds = new Set<VirtualSequencer>();
  for (const mr of result.modules) {
    const mod = ctx.modules.get(mr.slot);
    if (!mod) continue;
    for (const sr of mr.sequencers) {
      const seq = mod.sequencers[sr.index];
      if (!seq || !armed.has(seq)) continue;
      seq.storeResult(sr);
      const st = sr.status;
      seq.pending = {
        status: st.status,
        info: st.info_flags,
        warn: st.warn_flags,
        err: st.err_flags,
        log: st.log.join(" | "),
      };
      // e.g. wait_sync on a sequencer that never comes: the real instrument keeps running
      if (st.state === "RUNNING" || st.state === "ARMED") neverEnds.add(seq);
    }
  }
  return { endTimeNs: result.endTimeNs, neverEnds };
}

/** The emulator threw: every armed sequencer ends in ERROR with its message. */
export function applyEmulatorFailure(ctx: VirtualRunContext, msg: string): void {
  for (const s of ctx.armed)
    s.pending = {
      status: "ERROR",
      info: [],
      warn: [],
      err: ["SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION"],
      log: msg,
    };
}

/** Injected data, then RUNNING for the run's wall-clock duration (from now) before the result shows. */
export function endRun(ctx: VirtualRunContext, endTimeNs: number, neverEnds: Set<VirtualSequencer>): void {
  applyDummyData(ctx);
  const d = ctx.runDurationMs;
  const ms = typeof d === "function" ? d(endTimeNs) : (d ?? Math.min(MAX_DEFAULT_RUN_MS, endTimeNs / 1e6));
  const now = Date.now();
  for (const s of ctx.armed) {
    s.state = "RUNNING";
    s.emulating = false;
    s.clearFlags();
    s.runEndsAt = neverEnds.has(s) ? Number.POSITIVE_INFINITY : now + ms;
    markRunStart(s, now);
    if (neverEnds.has(s)) s.pending = null;
    s.settle(now);
  }
}

/**
 * The run's emulation was stopped by the virtual Cluster (wall-clock budget): each armed sequencer is
 * STOPPED with status ERROR, FORCED_STOP in its error flags and `log`; its acquisitions hold no valid
 * bins (nothing of this run was acquired).
 */
export function stopRun(ctx: VirtualRunContext, log: string): void {
  for (const s of ctx.armed) {
    for (const a of s.acquisitions.values()) {
      a.raw = emptyRawAcquisition(a.index, a.numBins, s.module.scopePaths);
      a.pendingScope = null;
    }
    s.deferredScope = null;
    s.pending = null;
    s.emulating = false;
    s.state = "STOPPED";
    s.status = "ERROR";
    s.infoFlags = [];
    s.warnFlags = [];
    s.errFlags = ["FORCED_STOP"];
    s.log = log;
  }
}

/** Hand each scope-triggering sequencer a closure that re-runs the same inputs with the scope on. */
function deferScopes(ctx: VirtualRunContext, inputs: EmuModuleInput[]): void {
  const run = ctx.runCluster!,
    options = ctx.runOptions;
  let rerun: ReturnType<RunCluster> | null = null;
  for (const input of inputs) {
    const sel = input.params.scope_acq_sequencer_select;
    const seq = sel === undefined ? undefined : ctx.modules.get(input.slot)?.sequencers[sel];
    if (!seq || !input.sequencers.some((s) => s.index === sel)) continue;
    seq.deferredScope = () => {
      rerun ??= run(inputs, options);
      const sr = rerun.modules.find((m) => m.slot === input.slot)?.sequencers.find((s) => s.index === sel);
      const raw = sr?.rawAcquisitions ? Object.values(sr.rawAcquisitions)[0] : undefined;
      return raw ? scopeFromEmuRaw(raw.scope) : null;
    };
  }
}

/**
 * Like deferScopes, for a run emulated in a worker: each scope-triggering sequencer gets a closure
 * that asks `rerun` (the worker) for its scope; the store that calls it waits for the answer.
 */
export function deferScopesAsync(
  ctx: VirtualRunContext,
  inputs: EmuModuleInput[],
  rerun: (slot: number, seq: number) => Promise<EmuRawAcquisition["scope"] | null>,
): void {
  for (const input of inputs) {
    const sel = input.params.scope_acq_sequencer_select;
    const seq = sel === undefined ? undefined : ctx.modules.get(input.slot)?.sequencers[sel];
    if (!seq || !ctx.armed.includes(seq) || !input.sequencers.some((s) => s.index === sel)) continue;
    const slot = input.slot;
    seq.deferredScope = () => rerun(slot, sel!).then((scope) => (scope ? scopeFromEmuRaw(scope) : null));
  }
}

function applyDummyData(ctx: VirtualRunContext): void {
  for (const s of ctx.armed) {
    for (const [name, a] of s.acquisitions) {
      const bins = ctx.dummyData.get(`${s.module.slot}/${s.index}/${name}`);
      if (!bins) continue;
      a.raw = emptyRawAcquisition(a.index, a.numBins, s.module.scopePaths);
      const div = s.module.info.binScale;
      bins.slice(0, a.numBins).forEach((b, i) => {
        if (!b) return;
        const avg = b.avgCnt ?? 1;
        const m = avg > 0 ? avg : 1;
        a.raw.bins.valid[i] = 1;
        a.raw.bins.path0[i] = Math.round(b.i * div * m);
        a.raw.bins.path1[i] = Math.round(b.q * div * m);
        a.raw.bins.thres[i] = Math.round((b.thres ?? 0) * m);
        a.raw.bins.avgCnt[i] = avg;
      });
    }
  }
}
