/**
 * Stable codes of InstrumentError raised by the transport, driver and coordinator. Callers switch
 * on `err.code`; the subclasses exist so `instanceof` checks read well at call sites.
 */
import { InstrumentError } from "../core/errors.js";

export type InstrumentErrorCode =
  | "CONNECTION_REFUSED"
  | "TIMEOUT"
  | "CONNECTION_LOST"
  | "MALFORMED_REPLY"
  | "INSTRUMENT_ERROR"
  | "SEQUENCER_ERROR"
  | "RUN_TIMEOUT"
  | "RUN_NOT_DONE"
  | "NOT_PREPARED"
  | "MODULE_MISSING"
  | "ACQUISITION_MISSING"
  | "ACQUISITION_INCOMPLETE"
  | "UNSUPPORTED";

type Opts = { path?: string | null; hint?: string | null; details?: Record<string, unknown>; cause?: unknown };

/** The TCP connection could not be established, timed out, or broke; the transport reconnects on the next command. */
export class InstrumentConnectionError extends InstrumentError {
  constructor(code: "CONNECTION_REFUSED" | "TIMEOUT" | "CONNECTION_LOST", message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** The hint of every MalformedReplyError (its path is the query whose reply was malformed). */
export const MALFORMED_REPLY_HINT =
  "the reply does not follow the Qblox Cluster SCPI protocol: check that the address is a Cluster with a supported firmware version (*IDN?) and that no other client shares this connection";

/** The instrument answered something that is not valid SCPI for the query that was sent. */
export class MalformedReplyError extends InstrumentError {
  constructor(message: string, opts: Opts = {}) {
    super("MALFORMED_REPLY", message, opts);
  }
}
/** The instrument's own error queue (SYSTem:ERRor:NEXT?) reported errors after a command. */
export class InstrumentReportedError extends InstrumentError {
  /** instrument error codes and messages, oldest first */
  readonly instrumentErrors: { code: number; message: string }[];
  constructor(message: string, instrumentErrors: { code: number; message: string }[], opts: Opts = {}) {
    super("INSTRUMENT_ERROR", message, { ...opts, details: { ...opts.details, instrumentErrors } });
    this.instrumentErrors = instrumentErrors;
  }
  /** numeric code of the first reported error (e.g. -285 for an assembly failure) */
  get instrumentCode(): number {
    return this.instrumentErrors[0]?.code ?? 0;
  }
}
