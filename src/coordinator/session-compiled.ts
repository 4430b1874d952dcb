/**
 * What a session accepts and records of a compiled schedule (src/coordinator/session.ts): compiled
 * or compiled with the session's compiler, checked against the session's Cluster (format version,
 * cluster name, module types, capabilities), and its provenance (hash, format, instrument).
 */
import { createHash } from "node:crypto";
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError, ScheduleError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { Idn } from "../instruments/reply-parse.js";
import { LINQ_MIN_FIRMWARE } from "../instruments/versions.js";
import type { Job } from "./jobs/job.js";
import type { SessionCompile } from "./session-options.js";

const FORMAT = "q1forge.compiled-schedule";
const FORMAT_VERSION = 1;

/** The hardware config's Cluster name (first hardware_description entry of instrument_type "Cluster"). */
export function clusterNameOf(hardwareConfig: unknown): string | null {
  const desc = (hardwareConfig as { hardware_description?: Record<string, { instrument_type?: string }> } | null)
    ?.hardware_description;
  if (!desc || typeof desc !== "object") return null;
  for (const [name, d] of Object.entries(desc)) if (d?.instrument_type === "Cluster") return name;
  return null;
}

export function isCompiled(x: unknown): x is CompiledSchedule {
  return typeof x === "object" && x !== null && (x as { format?: unknown }).format !== undefined && "clusters" in x;
}

export function toCompiled(
  what: unknown,
  compile: SessionCompile | undefined,
  hardwareConfig: unknown,
  driver?: ClusterDriver,
): CompiledSchedule {
  if (isCompiled(what)) return what;
  if (!compile)
    throw new InstrumentError("COMPILE_UNAVAILABLE", "a schedule was given, but this session has no compiler", {
      path: "execute",
      hint: "pass a compiled schedule, or open the session with q1forge's openSession (package root), which compiles",
    });
  // LINQ where the firmware has it; otherwise conditional playback over the trigger network
  if (driver && !driver.capabilities.linq.supported) {
    try {
      return compile(what, hardwareConfig, { feedbackMode: "trigger_network" });
    } catch (e) {
      throw linqOnlyOnThisFirmware(e, driver);
    }
  }
  return compile(what, hardwareConfig);
}

/**
 * A LINQ-only feature (RepeatUntilSuccess, SendFeedback / ReceiveFeedback) compiled over the trigger
 * network because the Cluster's firmware has no LINQ: the compiler's hint ("use feedback_mode linq")
 * cannot help on this Cluster, so say why and what can (docs/feedback.md).
 */
function linqOnlyOnThisFirmware(e: unknown, driver: ClusterDriver): unknown {
  if (
    !(e instanceof ScheduleError) ||
    (e.code !== "TRIGGER_NETWORK_LINQ_ONLY" && e.code !== "TRIGGER_NETWORK_REPEAT_UNSUPPORTED")
  )
    return e;
  const fw = driver.capabilities.linq.firmware ?? "unknown";
  return new ScheduleError(
    e.code,
    `${e.message}; this session's Cluster runs firmware ${fw}, which has no LINQ (needs ${LINQ_MIN_FIRMWARE} or later), so the session compiles over the trigger network`,
    {
      path: e.path,
      hint: `on this Cluster remove the operation (the trigger network offers only ConditionalOperation on a measured bit, or on a variable); or update the Cluster firmware to ${LINQ_MIN_FIRMWARE} or later, which has LINQ`,
      ...(e.details ? { details: e.details } : {}),
      cause: e,
    },
  );
}

/** Format version, cluster name and module types: refuse what this session cannot run. */
export function checkCompiled(c: CompiledSchedule, clusterName: string, address: string, driver: ClusterDriver): void {
  if (c.format !== FORMAT || c.version !== FORMAT_VERSION)
    throw new InstrumentError(
      "FORMAT_VERSION",
      `compiled schedule "${String(c.name)}" has format ${String(c.format)} version ${String(c.version)}; this session runs ${FORMAT} version ${FORMAT_VERSION}`,
      { path: "/version", hint: "recompile the schedule with this q1forge version" },
    );
  const names = Object.keys(c.clusters);
  const foreign = names.filter((n) => n !== clusterName);
  if (foreign.length > 0)
    throw new InstrumentError(
      "CLUSTER_MISMATCH",
      `compiled schedule "${c.name}" uses cluster(s) ${foreign.join(", ")}; this session owns cluster "${clusterName}" at ${address}`,
      {
        path: `/clusters/${foreign[0]}`,
        hint: "open one session per Cluster, or pass { clusterName } to openSession",
      },
    );
  for (const [mname, m] of Object.entries(c.clusters[clusterName]?.modules ?? {})) {
    const have = driver.modules.get(m.slot);
    if (!have || have.type !== m.instrument_type)
      throw new InstrumentError(
        "MODULE_MISSING",
        `compiled schedule "${c.name}" needs a ${m.instrument_type} in slot ${m.slot} (${mname}); the Cluster has ${have ? `a ${have.type}` : "no module"} there`,
        {
          path: `/clusters/${clusterName}/modules/${mname}`,
          hint: "fix the hardware config's modules, or the Cluster",
        },
      );
  }
  const sync = c.clusters[clusterName]?.settings.sync_on_external_trigger;
  if (sync !== null && sync !== undefined)
    throw new InstrumentError(
      "CAPABILITY_MISSING",
      `compiled schedule "${c.name}" synchronises on an external trigger, which this driver does not support`,
      {
        path: `/clusters/${clusterName}/settings/sync_on_external_trigger`,
        hint: "remove sync_on_external_trigger from the hardware config",
      },
    );
  checkLinq(c, clusterName, address, driver);
}

/**
 * A compiled schedule whose `feedback` section routes LINQ ids (routes, or router entries for this
 * Cluster) needs LINQ; refuse it on a Cluster whose firmware has none (driver.capabilities, learnt at
 * connect), naming the module that would send and the firmware.
 */
export function checkLinq(c: CompiledSchedule, clusterName: string, address: string, driver: ClusterDriver): void {
  const fb = c.feedback;
  if (!fb) return;
  const router = fb.router[clusterName];
  const routed = router ? router.local_routes.length + router.cmm_routes.length + router.broadcast.length : 0;
  const k = fb.routes.findIndex((r) => r.source.cluster === clusterName);
  if (k < 0 && routed === 0) return;
  const linq = driver.capabilities.linq;
  if (linq.supported) return;
  const route = fb.routes[k];
  const what = route
    ? `${route.source.module} (slot ${route.source.slot}) sequencer ${route.source.sequencer} sends LINQ id ${route.id} (${route.mode}, "${route.trigger_label}")`
    : `its router configuration for cluster "${clusterName}" routes LINQ ids`;
  throw new InstrumentError(
    "CAPABILITY_MISSING",
    `compiled schedule "${c.name}" needs LINQ feedback: ${what}; the Cluster "${clusterName}" at ${address} runs firmware ${linq.firmware ?? "unknown"}, which has no LINQ (needs ${LINQ_MIN_FIRMWARE} or later)`,
    {
      path: route ? `/feedback/routes/${k}` : `/feedback/router/${clusterName}`,
      hint: `update the Cluster firmware to ${LINQ_MIN_FIRMWARE} or later, or compile the schedule with "feedback_mode": "trigger_network" (what a session compiles by default on this firmware)`,
    },
  );
}

/**
 * sha256 of the compiled JSON without its wall-clock fields (`diagnostics.stage_ms`, the compile's
 * stage timings), so identical schedules give identical hashes.
 */
export function compiledHash(c: CompiledSchedule): string {
  const content = { ...c, diagnostics: { ...c.diagnostics, stage_ms: undefined } };
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

export function fillProvenance(
  job: Job,
  c: CompiledSchedule,
  idn: Idn,
  hashes: WeakMap<CompiledSchedule, string>,
): void {
  let h = hashes.get(c);
  if (!h) {
    h = compiledHash(c);
    hashes.set(c, h);
  }
  const p = job.provenance;
  p.compiled_hash = h;
  p.compiler_version = c.compiler_version ?? p.compiler_version;
  p.format = c.format;
  p.format_version = c.version;
  p.instrument = {
    manufacturer: idn.manufacturer,
    model: idn.model,
    serial: idn.serial,
    firmware: { ...idn.build },
  };
}
