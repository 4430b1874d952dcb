/** Helpers for the service tests: schedules, HTTP calls with a bearer token, SSE reading. */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export const HARDWARE = JSON.parse(
  readFileSync(join(ROOT, "hardware-configs/baseband-transmon.json"), "utf8"),
) as unknown;

/** A short readout schedule: `reps` repetitions, `bins` APPEND bins per repetition of channel 0 (amplitude `amp`). */
export function shortSchedule(
  opts: { reps?: number; amp?: number; name?: string; binMode?: "average" | "append" } = {},
): unknown {
  return {
    name: opts.name ?? "short",
    repetitions: opts.reps ?? 2,
    resources: { "q0.ro": { freq: "150 MHz" } },
    schedulables: [
      { label: "reset", operation: { type: "IdlePulse", duration: "1 us" } },
      {
        label: "measure",
        operation: {
          type: "Composite",
          name: "Measure q0",
          pulse_info: [
            { type: "SquarePulse", amp: opts.amp ?? 0.25, duration: "300 ns", port: "q0:res", clock: "q0.ro" },
          ],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: "100 ns",
              duration: "100 ns",
              port: "q0:res",
              clock: "q0.ro",
              acq_channel: 0,
              bin_mode: opts.binMode ?? "average",
            },
          ],
        },
      },
    ],
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function http(
  base: string,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpReply> {
  const url = new URL(path, base);
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (payload !== undefined) {
    headers["content-type"] ??= "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export interface SseEvent {
  id: number | null;
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Read an SSE stream until it ends (or `stopAfter` events), returning the events. */
export function readSse(
  base: string,
  path: string,
  token: string,
  opts: { lastEventId?: number; stopAfter?: number } = {},
): Promise<SseEvent[]> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
  if (opts.lastEventId !== undefined) headers["last-event-id"] = String(opts.lastEventId);
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buf = "";
    const req = request(new URL(path, base), { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE status ${res.statusCode}`));
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { id: null, event: "message", data: null };
          let isComment = true;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            isComment = false;
            const k = line.slice(0, line.indexOf(":"));
            const v = line.slice(line.indexOf(":") + 1).trimStart();
            if (k === "id") ev.id = Number(v);
            else if (k === "event") ev.event = v;
            else if (k === "data") ev.data = JSON.parse(v);
          }
          if (isComment) continue;
          events.push(ev);
          if (opts.stopAfter !== undefined && events.length >= opts.stopAfter) {
            req.destroy();
            resolve(events);
            return;
          }
        }
      });
      res.on("end", () => resolve(events));
    });
    req.on("error", (e) =>
      opts.stopAfter !== undefined && events.length >= opts.stopAfter ? resolve(events) : reject(e),
    );
    req.end();
  });
}

export async function waitUntil<T>(f: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error("waitUntil timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Child {
  proc: import("node:child_process").ChildProcess;
  /** the JSON lines the command printed on stdout */
  lines: Record<string, unknown>[];
  stderr: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Run `q1forge <args>` (from the TypeScript sources) as a child process; resolves after `ready(lines)` holds. */
export async function spawnCli(
  args: string[],
  env: Record<string, string>,
  ready: (lines: Record<string, unknown>[]) => boolean,
  timeoutMs = 150_000,
): Promise<Child> {
  const { spawn } = await import("node:child_process");
  const proc = spawn(
    process.execPath,
    ["--loader", "ts-node/esm", "--no-warnings", join(ROOT, "test/service/serve-main.ts"), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_PROJECT: join(ROOT, "tsconfig.json"), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const child: Child = {
    proc,
    lines: [],
    stderr: [],
    kill: (signal = "SIGTERM") =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill(signal);
      }),
  };
  let buf = "";
  proc.stdout!.setEncoding("utf8");
  proc.stderr!.setEncoding("utf8");
  proc.stderr!.on("data", (c: string) => child.stderr.push(c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`q1forge ${args[0]} did not start: ${child.stderr.join("")}`)),
      timeoutMs,
    );
    proc.stdout!.on("data", (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          child.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not JSON */
        }
        if (ready(child.lines)) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`q1forge ${args[0]} exited with ${code}: ${child.stderr.join("")}`));
    });
  });
  return child;
}

/** Run `f` over `items` with at most `n` in flight. */
export async function inParallel<T, R>(items: T[], n: number, f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Read an SSE stream until an event satisfies `until` (that event included); rejects after `timeoutMs`. */
export function readSseUntil(
  base: string,
  path: string,
  token: string,
  until: (e: SseEvent) => boolean,
  timeoutMs = 30_000,
): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buf = "";
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      f();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no matching event within ${timeoutMs} ms: ${JSON.stringify(events)}`))),
      timeoutMs,
    );
    const req = request(
      new URL(path, base),
      { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" }, agent: false },
      (res) => {
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          buf += c;
          let i: number;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev: SseEvent = { id: null, event: "message", data: null };
            let isComment = true;
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              isComment = false;
              const k = line.slice(0, line.indexOf(":"));
              const v = line.slice(line.indexOf(":") + 1).trimStart();
              if (k === "id") ev.id = Number(v);
              else if (k === "event") ev.event = v;
              else if (k === "data") ev.data = JSON.parse(v);
            }
            if (isComment) continue;
            events.push(ev);
            if (until(ev)) return finish(() => resolve(events));
          }
        });
        res.on("end", () => finish(() => reject(new Error(`stream ended first: ${JSON.stringify(events)}`))));
      },
    );
    req.on("error", (e) => finish(() => reject(e)));
    req.end();
  });
}

const SEG_RESOURCES = { "q0.01": { freq: "6.0 GHz" }, "q0.ro": { freq: "150 MHz" } };

/** One measurement of q0 (AVERAGE, one bin) on `acqChannel` with readout amplitude `amp` (a number or an `$input`). */
export function segMeasure(acqChannel: number, amp: unknown, label: string): unknown {
  return {
    label,
    operation: {
      type: "Composite",
      name: "Measure q0",
      pulse_info: [
        { type: "ResetClockPhase", clock: "q0.ro" },
        { type: "SquarePulse", amp, duration: "300 ns", port: "q0:res", clock: "q0.ro" },
      ],
      acquisition_info: [
        {
          type: "SSBIntegrationComplex",
          t0: "100 ns",
          duration: "1 us",
          port: "q0:res",
          clock: "q0.ro",
          acq_channel: acqChannel,
          bin_mode: "average",
        },
      ],
    },
  };
}

/** docs/jobs.md's segmented schedule: measure, Pause "calibrate", measure, InputStream "amps" (2), measure at amps[1]. */
export function segmentedSchedule(): unknown {
  return {
    name: "segmented",
    repetitions: 1,
    resources: SEG_RESOURCES,
    schedulables: [
      segMeasure(0, 0.25, "m0"),
      { operation: { type: "Pause", name: "calibrate" } },
      segMeasure(1, 0.2, "m1"),
      { operation: { type: "InputStream", name: "amps", size: 2 } },
      segMeasure(2, { $input: "amps", index: 1 }, "m2"),
    ],
  };
}

/** The values (real, imag) one measurement alone produces on the emulator: what each segment must return. */
export async function aloneValues(acqChannel: number, amp: number): Promise<{ real: number[]; imag: number[] }> {
  const { compile } = await import("../../src/compile.js");
  const { simulate } = await import("../../src/emulator/simulate.js");
  const r = simulate(
    compile(
      { name: "alone", repetitions: 1, resources: SEG_RESOURCES, schedulables: [segMeasure(acqChannel, amp, "m")] },
      HARDWARE,
    ),
  );
  const a = r.acquisitions[String(acqChannel)]!;
  return { real: Array.from(a.re), imag: Array.from(a.im) };
}
