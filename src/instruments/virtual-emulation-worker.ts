/**
 * Worker-thread side of the virtual Cluster's emulation (virtual-emulation-pool.ts): runs the
 * emulator for one START (or the scope re-run of a stored scope) off the server's event loop, so the
 * SCPI server keeps answering every client while a program is emulated. Results are copied back
 * (structured clone), never transferred: the emulator may keep its buffers between runs.
 */
import { parentPort } from "node:worker_threads";
import type { EmuClusterResult, EmuModuleInput, EmuRawScopePath, EmuRunOptions } from "../emulator/api.js";
import { runCluster } from "../emulator/cluster.js";

export type EmulationRequest =
  /** one START: the armed sequencers' inputs; options are plain data (no input model) */
  | { id: number; kind: "run"; inputs: EmuModuleInput[]; options: EmuRunOptions }
  /** the same inputs again with the scope captured: the scope paths of sequencer `seq` of `slot` */
  | { id: number; kind: "scope"; inputs: EmuModuleInput[]; options: EmuRunOptions; slot: number; seq: number };

export type EmulationReply =
  | { id: number; ok: true; kind: "run"; result: EmuClusterResult; ms: number }
  | { id: number; ok: true; kind: "scope"; scope: EmuRawScopePath[] | null; ms: number }
  | { id: number; ok: false; message: string };

export function handleEmulationRequest(req: EmulationRequest): EmulationReply {
  const t0 = performance.now();
  try {
    const result = runCluster(req.inputs, req.options);
    const ms = performance.now() - t0;
    if (req.kind === "run") return { id: req.id, ok: true, kind: "run", result, ms };
    const sr = result.modules.find((m) => m.slot === req.slot)?.sequencers.find((s) => s.index === req.seq);
    const raw = sr?.rawAcquisitions ? Object.values(sr.rawAcquisitions)[0] : undefined;
    return { id: req.id, ok: true, kind: "scope", scope: raw ? raw.scope : null, ms };
  } catch (e) {
    return { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const port = parentPort;
if (port) {
  port.on("message", (req: EmulationRequest) => port.postMessage(handleEmulationRequest(req)));
  port.postMessage({ ready: true });
}
