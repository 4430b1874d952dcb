/**
 * Parsers for the text replies of the Cluster (reference 9, 10.3, 10.4). Every parser throws
 * MalformedReplyError naming the query when the reply does not have the documented form.
 */
import type { SequencerState, SequencerStatusLevel } from "../contract/sequencer-status.js";
import { MALFORMED_REPLY_HINT, MalformedReplyError } from "./instrument-errors.js";

export type SystemStatus = "BOOTING" | "INITIALIZING" | "OKAY" | "RESOLVED" | "CRITICAL" | "ERROR" | "CRIT_ERROR";
const SYSTEM_STATUSES = new Set<string>([
  "BOOTING",
  "INITIALIZING",
  "OKAY",
  "RESOLVED",
  "CRITICAL",
  "ERROR",
  "CRIT_ERROR",
]);

export interface SystemState {
  status: SystemStatus;
  /** e.g. PLL_UNLOCKED, SLOT_3_TEMPERATURE_OUT_OF_RANGE */
  flags: string[];
}

export interface SequencerStatus {
  status: SequencerStatusLevel;
  state: SequencerState;
  infoFlags: string[];
  warnFlags: string[];
  errFlags: string[];
  log: string;
}

export interface Idn {
  manufacturer: string;
  model: string;
  serial: string;
  /** key=value build info of the 4th field (fwVersion, swSCPIVersion, …) */
  build: Record<string, string>;
}

const SEQ_STATES = new Set<string>(["IDLE", "ARMED", "RUNNING", "Q1_STOPPED", "STOPPED"]);
const SEQ_LEVELS = new Set<string>(["OKAY", "WARNING", "ERROR"]);

/** Flag names use underscores; older firmware sends spaces and dashes. */
function flagList(text: string): string[] {
  return text
    .split(",")
    .map((f) => f.trim().replace(/[\s-]+/g, "_"))
    .filter((f) => f.length > 0);
}

export function parseSystemState(reply: string): SystemState {
  const semi = reply.indexOf(";");
  const status = (semi < 0 ? reply : reply.slice(0, semi)).trim().replace(/[\s-]+/g, "_");
  if (!SYSTEM_STATUSES.has(status))
    throw new MalformedReplyError(`STATus:GENeral:STATE? returned "${reply}", expected STATUS;FLAGS`, {
      path: "STATus:GENeral:STATE?",
      hint: MALFORMED_REPLY_HINT,
    });
  return { status: status as SystemStatus, flags: semi < 0 ? [] : flagList(reply.slice(semi + 1)) };
}

/** SCPI 1.0 form `STATUS;STATE;INFO,;WARN,;ERR,;LOG`, and the legacy `STATE;FLAGS,` form. */
export function parseSequencerState(reply: string, query: string): SequencerStatus {
  const parts = reply.split(";");
  if (parts.length >= 5 && SEQ_LEVELS.has(parts[0]!.trim())) {
    const state = parts[1]!.trim();
    if (!SEQ_STATES.has(state))
      throw new MalformedReplyError(`${query} returned unknown state "${state}"`, {
        path: query,
        hint: MALFORMED_REPLY_HINT,
      });
    return {
      status: parts[0]!.trim() as SequencerStatusLevel,
      state: state as SequencerState,
      infoFlags: flagList(parts[2]!),
      warnFlags: flagList(parts[3]!),
      errFlags: flagList(parts[4]!),
      log: parts.slice(5).join(";"),
    };
  }
  if (parts.length === 2 && SEQ_STATES.has(parts[0]!.trim())) {
    const flags = flagList(parts[1]!);
    return {
      status: "OKAY",
      state: parts[0]!.trim() as SequencerState,
      infoFlags: flags,
      warnFlags: [],
      errFlags: [],
      log: "",
    };
  }
  throw new MalformedReplyError(`${query} returned "${reply}", expected STATUS;STATE;INFO,;WARN,;ERR,;LOG`, {
    path: query,
    hint: MALFORMED_REPLY_HINT,
  });
}

export function parseIdn(reply: string): Idn {
  const f = reply.split(",");
  if (f.length < 4)
    throw new MalformedReplyError(`*IDN? returned "${reply}", expected 4 comma-separated fields`, {
      path: "*IDN?",
      hint: MALFORMED_REPLY_HINT,
    });
  const build: Record<string, string> = {};
  for (const kv of f.slice(3).join(",").trim().split(/\s+/)) {
    const eq = kv.indexOf("=");
    if (eq > 0) build[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { manufacturer: f[0]!.trim(), model: f[1]!.trim(), serial: f[2]!.trim(), build };
}

export function parseNumber(reply: string, query: string): number {
  const v = Number(reply.trim());
  if (reply.trim() === "" || !Number.isFinite(v))
    throw new MalformedReplyError(`${query} returned "${reply}", expected a number`, {
      path: query,
      hint: MALFORMED_REPLY_HINT,
    });
  return v;
}

export function parseBool(reply: string, query: string): boolean {
  const t = reply.trim();
  if (t === "1" || /^true$/i.test(t) || /^on$/i.test(t)) return true;
  if (t === "0" || /^false$/i.test(t) || /^off$/i.test(t)) return false;
  throw new MalformedReplyError(`${query} returned "${reply}", expected 0 or 1`, {
    path: query,
    hint: MALFORMED_REPLY_HINT,
  });
}

export function parseJsonBlock<T>(block: Buffer | undefined, query: string): T {
  if (!block) throw new MalformedReplyError(`${query} returned no block`, { path: query, hint: MALFORMED_REPLY_HINT });
  let v: unknown;
  try {
    v = JSON.parse(block.toString("utf8"));
  } catch {
    throw new MalformedReplyError(`${query} returned a block that is not JSON`, {
      path: query,
      hint: MALFORMED_REPLY_HINT,
    });
  }
  // every JSON block the driver reads is a document (object) or a list: null or a bare value is malformed
  if (v === null || typeof v !== "object")
    throw new MalformedReplyError(`${query} returned ${JSON.stringify(v)}, expected a JSON object or array`, {
      path: query,
      hint: MALFORMED_REPLY_HINT,
    });
  return v as T;
}
