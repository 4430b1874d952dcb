/**
 * Result handles of a running job (QM's StreamingResultFetcher): one stream per acquisition channel,
 * filled while the sequencers run from polls of the instrument's acquisitions, and replaced by the
 * final (checked) values when the job completes. Values arrive in the channel's row-major order
 * (APPEND: repetition-major), so `countSoFar()` is the number of leading values with data.
 */
import type { AcquisitionData, AcquisitionResult } from "../../contract/acquisition-results.js";
import type { AcquisitionChannelLayout } from "../../contract/compiled-schedule.js";
import { InstrumentError, UsageError } from "../../core/errors.js";
import { JobTimeoutError, timeoutMs, waitFor } from "./status.js";

/** A batch of new values of one channel (index = position of values[0] in the row-major result). */
export interface StreamChunk {
  index: number;
  real: number[];
  imag: number[] | null;
}

export class ResultStream {
  readonly name: string;
  readonly layout: AcquisitionChannelLayout;
  private real: number[] = [];
  private imag: number[] | null = null;
  private count = 0;
  private size: number;
  private processing = true;
  private failure: Error | null = null;
  private final: AcquisitionData | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(layout: AcquisitionChannelLayout) {
    this.name = layout.acq_channel;
    this.layout = layout;
    this.size = layout.shape.reduce((a, b) => a * b, 1);
  }

  /** Number of values with data so far (leading values in row-major order). */
  countSoFar(): number {
    return this.count;
  }
  /** Total number of values the channel will hold. */
  get expectedCount(): number {
    return this.size;
  }
  /** true while the job may still add values. */
  isProcessing(): boolean {
    return this.processing;
  }

  /**
   * Everything so far: the final result once the job completed, else the leading values with data
   * (the shape then says how many: [countSoFar] for partial data).
   */
  fetchAll(): AcquisitionData {
    if (this.final) return this.final;
    return {
      acq_channel: this.layout.acq_channel,
      protocol: this.layout.protocol,
      bin_mode: this.layout.bin_mode,
      dims: this.layout.dims,
      shape: [this.count],
      real: this.real.slice(0, this.count),
      imag: this.imag ? this.imag.slice(0, this.count) : null,
    };
  }

  /**
   * Resolve once `n` values are there (or the job ended with fewer: then JOB_RESULTS_INCOMPLETE).
   * `n` above the channel's size (`expectedCount`) or not a whole number ≥ 0 is a USAGE error (path `n`).
   */
  waitForValues(n: number, opts: { timeout?: number } = {}): Promise<AcquisitionData> {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > this.size)
      return Promise.reject(
        new UsageError(
          `channel "${this.name}" holds ${this.size} values; waitForValues(${typeof n === "number" ? n : JSON.stringify(n)}) can never resolve`,
          {
            path: "n",
            hint: `wait for a whole number of values from 0 to ${this.size} (expectedCount), or use waitForAllValues()`,
          },
        ),
      );
    const want = n;
    return waitFor(
      (wake) => this.subscribe(wake),
      () => {
        if (this.count >= want) return this.fetchAll();
        if (!this.processing) throw this.endedEarly(want);
        return undefined;
      },
      timeoutMs(opts.timeout),
      () =>
        new JobTimeoutError(
          `channel "${this.name}" has ${this.count} of the ${want} values waited for after ${opts.timeout} s`,
          { path: `acquisitions/${this.name}`, hint: "raise the timeout, or call countSoFar() to see the progress" },
        ),
    );
  }

  /** New values as bins fill, until the job ends (a failed job ends the iteration with its error). */
  async *[Symbol.asyncIterator](): AsyncGenerator<StreamChunk> {
    let sent = 0;
    for (;;) {
      if (this.count > sent) {
        const chunk: StreamChunk = {
          index: sent,
          real: this.real.slice(sent, this.count),
          imag: this.imag ? this.imag.slice(sent, this.count) : null,
        };
        sent = this.count;
        yield chunk;
        continue;
      }
      if (!this.processing) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        const off = this.subscribe(() => {
          off();
          resolve();
        });
      });
    }
  }

  // --- fed by the job -----------------------------------------------------------------------------

  /** A poll while running: take the leading values with data of the shaped (possibly partial) result. */
  update(r: AcquisitionResult): void {
    if (!this.processing) return;
    let n = this.size;
    if (r.gap)
      n =
        r.gap.repetition !== null && r.gap.acq_index !== null
          ? r.gap.repetition * this.layout.num_acq_indices + r.gap.acq_index
          : 0;
    if (n <= this.count) return;
    this.real = Array.from(r.re);
    this.imag = r.im ? Array.from(r.im) : null;
    this.count = n;
    this.emit();
  }

  complete(final: AcquisitionData): void {
    this.final = final;
    this.real = final.real;
    this.imag = final.imag;
    this.count = final.real.length;
    this.size = final.real.length;
    this.processing = false;
    this.emit();
  }

  fail(e: Error): void {
    if (!this.processing) return;
    this.failure = e;
    this.processing = false;
    this.emit();
  }

  private endedEarly(want: number): Error {
    return (
      this.failure ??
      new InstrumentError(
        "JOB_RESULTS_INCOMPLETE",
        `channel "${this.name}" ended with ${this.count} values, ${want} were waited for`,
        {
          path: `acquisitions/${this.name}`,
          hint: "the job was halted or canceled before these bins were acquired",
        },
      )
    );
  }
  private subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

/**
 * All channels of a job, by acq_channel. One object for the job's whole life: a job submitted as a
 * schedule (not compiled) gets its channels when it compiles (`bind`), so handles taken right after
 * `execute()` fill in then.
 */
export class ResultHandles {
  private readonly streams = new Map<string, ResultStream>();
  private bound: boolean;
  private failure: Error | null = null;
  private readonly listeners = new Set<() => void>();

  /** `layouts` null: the job has not compiled yet (channels unknown until `bind`). */
  constructor(layouts: Record<string, AcquisitionChannelLayout> | null) {
    this.bound = layouts !== null;
    for (const [ch, l] of Object.entries(layouts ?? {})) this.streams.set(ch, new ResultStream(l));
  }

  /** @internal the job compiled: its channels (idempotent; channels already there are kept) */
  bind(layouts: Record<string, AcquisitionChannelLayout>): void {
    this.add(layouts);
    this.bound = true;
    for (const l of [...this.listeners]) l();
  }
  /** false until the job compiled (its channels are then known) */
  isBound(): boolean {
    return this.bound;
  }
  /** @internal channels of a later segment */
  add(layouts: Record<string, AcquisitionChannelLayout>): void {
    for (const [ch, l] of Object.entries(layouts)) if (!this.streams.has(ch)) this.streams.set(ch, new ResultStream(l));
  }
  /** acq_channel names */
  keys(): string[] {
    return [...this.streams.keys()];
  }
  get(channel: string | number): ResultStream {
    if (!this.bound) throw this.failure ?? this.notLoaded(`acquisitions/${channel}`);
    const s = this.streams.get(String(channel));
    if (!s)
      throw new InstrumentError("ACQUISITION_MISSING", `the job has no acquisition channel "${channel}"`, {
        path: `acquisitions/${channel}`,
        hint: `channels: ${this.keys().join(", ") || "none"}`,
      });
    return s;
  }
  /** true while any channel may still receive values */
  isProcessing(): boolean {
    if (!this.bound) return this.failure === null;
    return [...this.streams.values()].some((s) => s.isProcessing());
  }
  /** Every channel's fetchAll() (JOB_NOT_LOADED before the job compiled; its error if it failed first). */
  fetchAll(): Record<string, AcquisitionData> {
    if (!this.bound) throw this.failure ?? this.notLoaded("acquisitions");
    return Object.fromEntries([...this.streams].map(([k, s]) => [k, s.fetchAll()]));
  }
  /** Resolve when the job ended (whatever its outcome). */
  async waitForAllValues(opts: { timeout?: number } = {}): Promise<Record<string, AcquisitionData>> {
    await waitFor(
      (wake) => {
        this.listeners.add(wake);
        return () => this.listeners.delete(wake);
      },
      () => {
        if (this.bound) return true;
        if (this.failure) throw this.failure;
        return undefined;
      },
      timeoutMs(opts.timeout),
      () =>
        new JobTimeoutError(`the job has not compiled after ${opts.timeout} s`, {
          path: "acquisitions",
          hint: "raise the timeout; the job is still pending",
        }),
    );
    for (const s of this.streams.values()) await s.waitForValues(s.expectedCount, opts);
    return this.fetchAll();
  }
  values(): IterableIterator<ResultStream> {
    return this.streams.values();
  }
  /** @internal */
  completeAll(final: Record<string, AcquisitionData>): void {
    for (const [k, s] of this.streams) {
      const f = final[k];
      if (f) s.complete(f);
    }
  }
  /** @internal */
  failAll(e: Error): void {
    if (!this.bound && !this.failure) this.failure = e;
    for (const s of this.streams.values()) s.fail(e);
    for (const l of [...this.listeners]) l();
  }
  private notLoaded(path: string): Error {
    return new InstrumentError(
      "JOB_NOT_LOADED",
      "the job has not compiled yet: its acquisition channels are not known",
      {
        path,
        hint: "wait until it runs (await job.waitForExecution()) or use resultHandles.waitForAllValues(); the handles object stays the same",
      },
    );
  }
}
