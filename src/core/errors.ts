/**
 * Every user-facing failure of q1forge is a Q1ForgeError: a stable machine-readable `code`,
 * a `path` naming the offending item (JSON pointer, operation, port-clock, module, …) and a `hint`
 * saying how to fix it. The CLI prints these as text or, with --json, as `toJSON()`.
 */
export interface ErrorJson {
  error: string;
  code: string;
  message: string;
  path: string | null;
  hint: string | null;
  details?: Record<string, unknown>;
}

export class Q1ForgeError extends Error {
  readonly code: string;
  readonly path: string | null;
  readonly hint: string | null;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    opts: { path?: string | null; hint?: string | null; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = opts.path ?? null;
    this.hint = opts.hint ?? null;
    this.details = opts.details;
  }

  toJSON(): ErrorJson {
    const out: ErrorJson = {
      error: this.name,
      code: this.code,
      message: this.message,
      path: this.path,
      hint: this.hint,
    };
    if (this.details) out.details = this.details;
    return out;
  }

  /** One human-readable paragraph: message, location and hint. */
  describe(): string {
    let s = `${this.name} [${this.code}]: ${this.message}`;
    if (this.path) s += `\n  at: ${this.path}`;
    if (this.hint) s += `\n  hint: ${this.hint}`;
    return s;
  }
}

type Opts = { path?: string | null; hint?: string | null; details?: Record<string, unknown>; cause?: unknown };

/** Input could not be parsed (malformed JSON, bad unit string). */
export class InputParseError extends Q1ForgeError {
  constructor(message: string, opts: Opts = {}) {
    super("INPUT_PARSE", message, opts);
  }
}
/** Input does not match its JSON Schema / zod schema. */
export class SchemaValidationError extends Q1ForgeError {
  readonly issues: { path: string; message: string }[];
  constructor(message: string, issues: { path: string; message: string }[], opts: Opts = {}) {
    super("SCHEMA_VALIDATION", message, { ...opts, details: { issues } });
    this.issues = issues;
  }
}
/** The hardware config is well-formed but semantically wrong (unknown instrument, bad channel, …). */
export class HardwareConfigError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** The schedule is well-formed but semantically wrong (unknown operation, missing clock, bad timing ref, …). */
export class ScheduleError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** Timing problems: off-grid starts, overlaps, cyclic references, program longer than a repetition. */
export class TimingError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** Frequency solving / NCO range problems. */
export class FrequencyError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** A hardware resource limit was exceeded (sequencers, waveform memory, instructions, registers, bins). */
export class ResourceLimitError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** A value is outside the range the hardware accepts (amplitude, offset, gain, attenuation, …). */
export class ValueRangeError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** Q1ASM assembly / validation error, with line and column. */
export class Q1AsmError extends Q1ForgeError {
  readonly line: number;
  readonly column: number;
  constructor(code: string, message: string, line: number, column: number, opts: Opts = {}) {
    super(code, message, { ...opts, path: opts.path ?? `line ${line}, column ${column}` });
    this.line = line;
    this.column = column;
  }
}
/** A program failed while being emulated (underflow, illegal instruction, acquisition errors, …). */
export class EmulationError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** Instrument communication / instrument-reported errors. */
export class InstrumentError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
/** Wrong CLI usage (exit code 2). */
export class UsageError extends Q1ForgeError {
  constructor(message: string, opts: Opts = {}) {
    super("USAGE", message, opts);
  }
}
/** The device config (quantum device elements and edges) is malformed or lacks a parameter a gate needs. */
export class DeviceConfigError extends Q1ForgeError {
  constructor(code: string, message: string, opts: Opts = {}) {
    super(code, message, opts);
  }
}
