/**
 * Worker-thread side of the compile pool: compiles, validates compiled schedules and simulates,
 * off the service's event loop. Replies with JSON text (cheap to transfer) or a typed error.
 */
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { compile } from "../compile.js";
import { CompiledScheduleSchema, type CompiledSchedule } from "../contract/compiled-schedule.js";
import { Q1ForgeError, SchemaValidationError } from "../core/errors.js";
import { compileSchemaCheck } from "../core/schema-check.js";
import { simulate } from "../emulator/simulate.js";
import { jsonSchema } from "./schemas.js";

/** workerData of the compile pool's threads (CompilePool) */
export const COMPILE_WORKER_DATA = { q1forgeCompileWorker: true } as const;

export type WorkerRequest =
  | { id: number; op: "compile"; schedule: unknown; hardware: unknown; device?: unknown; verify: boolean }
  | { id: number; op: "check"; compiled: unknown; hash?: boolean }
  | { id: number; op: "simulate"; schedule?: unknown; hardware?: unknown; device?: unknown; compiled?: unknown };

export type WorkerReply =
  | { id: number; ok: true; text: string; hash: string; ms: number }
  | { id: number; ok: false; error: Record<string, unknown>; internal: boolean };

/**
 * The certainly-valid check (src/core/schema-check.ts) of the compiled-schedule JSON Schema in its
 * output form (no unknown keys): true only for documents zod accepts unchanged (the schema has no
 * defaults or transforms), in a third of zod's time. Anything else goes through zod, which strips
 * unknown keys or produces the typed error. Built on first use.
 */
let fastCheck: ((value: unknown) => boolean) | null = null;

function checked(compiled: unknown): CompiledSchedule {
  fastCheck ??= compileSchemaCheck(jsonSchema(CompiledScheduleSchema, "output"));
  if (fastCheck(compiled)) return compiled as CompiledSchedule;
  const r = CompiledScheduleSchema.safeParse(compiled);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 20).map((i) => ({ path: "/" + i.path.join("/"), message: i.message }));
    throw new SchemaValidationError(
      `the compiled schedule does not match schemas/compiled-schedule.schema.json (${r.error.issues.length} issue(s); first at ${issues[0]?.path ?? "/"}: ${issues[0]?.message ?? ""})`,
      issues,
      {
        path: "/compiled" + (issues[0]?.path ?? ""),
        hint: "send the compiled schedule exactly as POST /v1/compile returned it",
      },
    );
  }
  return r.data as CompiledSchedule;
}

function simulateSummary(c: CompiledSchedule): unknown {
  const r = simulate(c);
  const sequencers: unknown[] = [];
  const end: Record<string, number> = {};
  for (const [cname, cl] of Object.entries(r.clusters)) {
    end[cname] = cl.endTimeNs;
    for (const [mname, m] of Object.entries(cl.modules))
      for (const [sname, s] of Object.entries(m.sequencers))
        sequencers.push({
          cluster: cname,
          module: mname,
          sequencer: sname,
          state: String((s as { state?: unknown }).state ?? ""),
          flags: ((s as { flags?: unknown[] }).flags ?? []).map(String),
          end_time_ns: s.endTimeNs,
        });
  }
  const acquisitions: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(r.acquisitions))
    acquisitions[k] = {
      acq_channel: a.acq_channel,
      protocol: a.protocol,
      bin_mode: a.bin_mode,
      dims: a.dims,
      shape: a.shape,
      real: Array.from(a.re),
      imag: Array.from(a.im),
    };
  return { end_time_ns: end, sequencers, acquisitions, events: r.events.length };
}

export function handle(req: WorkerRequest): WorkerReply {
  const t0 = performance.now();
  try {
    let out: unknown;
    if (req.op === "compile")
      out = compile(req.schedule, req.hardware, {
        verify: req.verify,
        ...(req.device !== undefined ? { device: req.device } : {}),
      });
    else if (req.op === "check") out = checked(req.compiled);
    else {
      const c =
        req.compiled !== undefined
          ? checked(req.compiled)
          : compile(req.schedule, req.hardware, {
              verify: false,
              ...(req.device !== undefined ? { device: req.device } : {}),
            });
      out = simulateSummary(c);
    }
    const text = JSON.stringify(out);
    const hash =
      req.op === "simulate" || (req.op === "check" && req.hash === false)
        ? ""
        : createHash("sha256").update(text).digest("hex");
    return { id: req.id, ok: true, text, hash, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof Q1ForgeError) return { id: req.id, ok: false, error: { ...e.toJSON() }, internal: false };
    return { id: req.id, ok: false, error: { message: e instanceof Error ? e.message : String(e) }, internal: true };
  }
}

// only on the pool's threads: the service itself may run on a worker thread and import this module
if (parentPort && (workerData as { q1forgeCompileWorker?: boolean } | null)?.q1forgeCompileWorker) {
  parentPort.on("message", (req: WorkerRequest) => parentPort!.postMessage(handle(req)));
  parentPort.postMessage({ ready: true });
}
