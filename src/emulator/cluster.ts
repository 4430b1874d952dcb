/**
 * Cluster run loop: sequencers advance in RT-time order (always the one furthest behind), wait_sync
 * releases all synced sequencers together, and each module integrates its acquisitions as soon as
 * their windows are final. Nothing iterates per ns: cost is per executed Q1 instruction.
 */
import type { EmuClusterResult, EmuEvent, EmuModuleInput, EmuRunOptions, RunCluster } from "./api.js";
import { ModuleEngine } from "./module.js";
import { SequencerEngine, Step } from "./sequencer.js";
import { LinqRouter } from "./linq.js";
import { TriggerNetwork } from "./trigger-network.js";

const CHUNK_RT_INSTRUCTIONS = 4096;

export const runCluster: RunCluster = (modules: EmuModuleInput[], options: EmuRunOptions = {}): EmuClusterResult => {
  const events: EmuEvent[] = [];
  const linq = new LinqRouter(options.linq);
  const engines = modules.map((m) => new ModuleEngine(m, options, events, linq));
  const all: { seq: SequencerEngine; mod: ModuleEngine }[] = [];
  for (const mod of engines) for (const seq of mod.seqs) all.push({ seq, mod });
  TriggerNetwork.forCluster(
    all.map((x) => x.seq),
    () => {
      for (const m of engines) m.flush();
    },
  );
  const blocked = new Uint8Array(all.length);

  for (;;) {
    // pick the runnable sequencer with the smallest RT time, and the runner-up's time
    let pick = -1,
      best = Infinity,
      second = Infinity;
    for (let i = 0; i < all.length; i++) {
      if (blocked[i] || !all[i]!.seq.running || all[i]!.seq.fbWaiting) continue;
      const t = all[i]!.seq.trt;
      if (t < best) {
        second = best;
        best = t;
        pick = i;
      } else if (t < second) second = t;
    }
    if (pick < 0) {
      if (releaseSync(all, blocked)) continue;
      if (!wakeFeedback(all, engines)) break;
      continue;
    }
    const { seq, mod } = all[pick]!;
    // run the chosen sequencer until it passes the runner-up (fewer switches, same result)
    // (bounded, so acquisitions are integrated and histories pruned regularly)
    let budget = CHUNK_RT_INSTRUCTIONS;
    do {
      const r = seq.step();
      if (r === Step.SYNC_BLOCKED) {
        blocked[pick] = 1;
        break;
      }
      if (r === Step.DONE || r === Step.FEEDBACK_BLOCKED) break;
    } while (seq.trt <= second && --budget > 0);
    mod.flush();
  }
  for (const mod of engines) mod.flush();
  const results = engines.map((m) => m.result());
  events.sort((a, b) => a.startNs - b.startNs || a.slot - b.slot || a.sequencer - b.sequencer);
  const endTimeNs = all.reduce((t, { seq }) => Math.max(t, seq.endNs), 0);
  return { modules: results, events, endTimeNs };
};

/**
 * Every running sequencer waits for LINQ data: integrate what can be integrated (which may send
 * thresholded bits); if that wakes nobody, the data will never come and the waiting sequencers fail.
 * Returns false when no sequencer was waiting.
 */
function wakeFeedback(all: { seq: SequencerEngine }[], engines: ModuleEngine[]): boolean {
  const waiting = all.filter(({ seq }) => seq.running && seq.fbWaiting);
  if (waiting.length === 0) return false;
  for (const m of engines) m.flush();
  if (waiting.some(({ seq }) => !seq.fbWaiting)) return true;
  for (const { seq } of waiting) seq.feedbackStarved();
  return true;
}

/**
 * All runnable sequencers are blocked in wait_sync (or stopped): release them at the latest RT time
 * among them. Returns false when nothing is blocked (the run is over).
 */
function releaseSync(all: { seq: SequencerEngine }[], blocked: Uint8Array): boolean {
  let release = -Infinity,
    any = false;
  for (let i = 0; i < all.length; i++) {
    if (!blocked[i] || !all[i]!.seq.running) continue;
    any = true;
    release = Math.max(release, all[i]!.seq.trt);
  }
  if (!any) return false;
  for (let i = 0; i < all.length; i++) {
    if (!blocked[i]) continue;
    blocked[i] = 0;
    if (all[i]!.seq.running) all[i]!.seq.releaseSync(release);
  }
  return true;
}
