/**
 * The fuzz harness of issue 9 (docs/robustness.md): fast-check generators of schedules, hardware
 * configs and SCPI input — valid seeds (examples/, hardware-configs/) mutated with extreme numbers,
 * odd strings, prototype names, deleted keys and deep nesting — and the oracle that classifies each
 * outcome. Used by test/fuzz/*.test.ts (a bounded seeded sample in `npm test`) and by scripts/fuzz.ts
 * (`npm run fuzz -- --runs 100000 --seed N`).
 *
 * Outcomes: ok (compiled, every program assembles, every number finite), typed (a Q1ForgeError with a
 * code and a message), crash (anything else thrown), hang (over the time budget), bad (a success whose
 * output is wrong: a program that does not assemble, a non-finite number; or a typed error without a
 * message).
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { compile } from "../../src/compile.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { ScpiCommandParser } from "../../src/instruments/scpi-command-parser.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { assemble } from "../../src/q1/assembler.js";

const root = new URL("../../", import.meta.url);
const readJson = (rel: string): unknown => JSON.parse(readFileSync(new URL(rel, root), "utf8"));

export const SCHEDULE_SEEDS: { name: string; doc: unknown; hw: string }[] = readdirSync(
  new URL("examples/schedules/", root),
)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: f, doc: readJson(`examples/schedules/${f}`), hw: pairedConfig(f) }));

function pairedConfig(schedule: string): string {
  const configs = readdirSync(new URL("hardware-configs/", root)).filter((f) => f.endsWith(".json"));
  return configs.includes(schedule) ? schedule : "baseband-transmon.json";
}

export const CONFIG_SEEDS: Record<string, unknown> = Object.fromEntries(
  readdirSync(new URL("hardware-configs/", root))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => [f, readJson(`hardware-configs/${f}`)]),
);

// ---------------------------------------------------------------------------------------------
// mutations

const EXTREME_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1e-9,
  4e-9,
  1e-12,
  1e308,
  -1e308,
  4294967295,
  4294967296,
  2 ** 53,
  -(2 ** 31),
  1e9,
  1e10,
  65535,
  65536,
  131072,
  3.3,
  NaN,
  Infinity,
  -Infinity,
];
const ODD_STRINGS = [
  "",
  "__proto__",
  "constructor",
  "toString",
  "1e400 s",
  "-1 ns",
  "100 ms",
  "1 s",
  "NaN",
  "20 ns",
  "6 GHz",
  "q0:mw",
  "q0.01",
  "\u0000",
  "x".repeat(300),
  "💥",
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One edit at a random place of the document: a path of choices plus what to do there. */
export interface Mutation {
  /** picks (modulo the number of children) on the way down */
  walk: number[];
  kind: "number" | "string" | "delete" | "nest" | "duplicate" | "type" | "key";
  pick: number;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  walk: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
  kind: fc.constantFrom("number", "string", "delete", "nest", "duplicate", "type", "key"),
  pick: fc.nat(),
});

/** Apply mutations to a deep copy of `doc`. */
export function mutate(doc: unknown, muts: readonly Mutation[]): unknown {
  const copy = structuredClone(doc) as Json;
  const holder: { v: Json } = { v: copy };
  for (const m of muts) applyOne(holder, m);
  return holder.v;
}

function children(v: Json): (string | number)[] {
  if (Array.isArray(v)) return v.map((_, i) => i);
  if (v !== null && typeof v === "object") return Object.keys(v);
  return [];
}

function applyOne(holder: { v: Json }, m: Mutation): void {
  let parent: Json = holder as unknown as Json;
  let key: string | number = "v";
  for (const step of m.walk) {
    const cur = (parent as Record<string | number, Json>)[key]!;
    const ks = children(cur);
    if (ks.length === 0) break;
    parent = cur;
    key = ks[step % ks.length]!;
  }
  const obj = parent as Record<string | number, Json>;
  const cur = obj[key]!;
  switch (m.kind) {
    case "number":
      obj[key] = EXTREME_NUMBERS[m.pick % EXTREME_NUMBERS.length]!;
      break;
    case "string":
      obj[key] = ODD_STRINGS[m.pick % ODD_STRINGS.length]!;
      break;
    case "delete":
      if (Array.isArray(obj)) obj.splice(Number(key), 1);
      else if (parent !== (holder as unknown as Json)) delete obj[key];
      break;
    case "nest": {
      // wrap in a sub-schedule / loop, `pick % 8 + 1` times
      let v: Json = cur;
      for (let i = 0; i < (m.pick % 8) + 1; i++)
        v =
          i % 2 === 0
            ? { type: "LoopOperation", repetitions: 2, body: { schedulables: [{ operation: v }] } }
            : { type: "Schedule", name: `n${i}`, schedulables: [{ operation: v }] };
      obj[key] = v;
      break;
    }
    case "duplicate":
      if (Array.isArray(cur) && cur.length > 0) {
        const times = (m.pick % 50) + 1;
        for (let i = 0; i < times; i++) cur.push(structuredClone(cur[m.pick % cur.length]!));
      }
      break;
    case "type":
      obj[key] = [null, true, [], {}, "x", 7][m.pick % 6] as Json;
      break;
    case "key":
      if (cur !== null && typeof cur === "object" && !Array.isArray(cur)) {
        const k = ODD_STRINGS[m.pick % ODD_STRINGS.length]!;
        Object.defineProperty(cur, k, { value: 1, enumerable: true, configurable: true, writable: true });
      }
      break;
  }
}

/** A schedule input: a seed with 1–4 mutations, on its paired hardware config. */
export const scheduleInputArb = fc.record({
  seed: fc.nat({ max: SCHEDULE_SEEDS.length - 1 }),
  muts: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
});

/** A hardware-config input: a config with 1–4 mutations, compiled with a fitting example schedule. */
export const configInputArb = fc.record({
  config: fc.constantFrom(...Object.keys(CONFIG_SEEDS)),
  muts: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
});

// ---------------------------------------------------------------------------------------------
// oracle

export type Outcome = "ok" | "typed" | "crash" | "hang" | "bad";

export interface Verdict {
  outcome: Outcome;
  detail: string;
  ms: number;
}

/** Time budget per input: longer counts as a hang (the campaign's 100 ms GaussPulse took 17 s). */
export const HANG_MS = 5000;

export function judgeCompile(schedule: unknown, hardware: unknown): Verdict {
  const t0 = performance.now();
  let verdict: Omit<Verdict, "ms">;
  try {
    const c = compile(schedule, hardware);
    verdict = checkCompiled(c);
  } catch (e) {
    verdict = judgeError(e);
  }
  const ms = performance.now() - t0;
  if (ms > HANG_MS) return { outcome: "hang", detail: `${ms.toFixed(0)} ms: ${verdict.detail}`, ms };
  return { ...verdict, ms };
}

function judgeError(e: unknown): Omit<Verdict, "ms"> {
  if (e instanceof Q1ForgeError) {
    if (!e.code || !e.message) return { outcome: "bad", detail: `typed error without code/message: ${e.name}` };
    return { outcome: "typed", detail: e.code };
  }
  return { outcome: "crash", detail: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e) };
}

function checkCompiled(c: ReturnType<typeof compile>): Omit<Verdict, "ms"> {
  for (const cl of Object.values(c.clusters))
    for (const [mname, m] of Object.entries(cl.modules))
      for (const [sname, s] of Object.entries(m.sequencers)) {
        try {
          assemble(s.sequence.program, { moduleType: m.instrument_type });
        } catch (e) {
          return {
            outcome: "bad",
            detail: `${mname}.${sname} does not assemble: ${(e as Error).message}`.slice(0, 300),
          };
        }
      }
  const bad = firstNonFinite(c);
  if (bad) return { outcome: "bad", detail: `non-finite number at ${bad}` };
  return { outcome: "ok", detail: "" };
}

function firstNonFinite(v: unknown, path = ""): string | null {
  if (typeof v === "number") return Number.isFinite(v) ? null : path || "/";
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = firstNonFinite(v[i], `${path}/${i}`);
      if (r) return r;
    }
    return null;
  }
  if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "stage_ms") continue;
      const r = firstNonFinite(x, `${path}/${k}`);
      if (r) return r;
    }
  }
  return null;
}

export function runScheduleInput(input: { seed: number; muts: Mutation[] }): Verdict {
  const seed = SCHEDULE_SEEDS[input.seed]!;
  return judgeCompile(mutate(seed.doc, input.muts), CONFIG_SEEDS[seed.hw]);
}

export function runConfigInput(input: { config: string; muts: Mutation[] }): Verdict {
  const seed = SCHEDULE_SEEDS.find((s) => s.hw === input.config) ?? SCHEDULE_SEEDS[0]!;
  return judgeCompile(seed.doc, mutate(CONFIG_SEEDS[input.config], input.muts));
}

// ---------------------------------------------------------------------------------------------
// SCPI input: command lines and blocks into the virtual Cluster's parser and command handler

const HEADERS = [
  "*IDN?",
  "*RST",
  "*CLS",
  "*DESCribe?",
  "SYSTem:ERRor:NEXT?",
  "SYSTem:ERRor:COUNt?",
  "STATus:GENeral:STATE?",
  "SLOT2:SEQuencer0:PROGram",
  "SLOT2:SEQuencer0:CONFiguration",
  "SLOT4:SEQuencer0:AWG:WLISt:WAVeform:NEW",
  "SLOT4:SEQuencer0:AWG:WLISt:WAVeform:DATA",
  "SLOT4:SEQuencer0:AWG:WLISt:WAVeform:INDex",
  "SLOT4:SEQuencer0:ACQ:ALISt:ACQuisition:NEW",
  "SLOT4:SEQuencer0:ACQ:ALISt:ACQuisition:DATA?",
  "SLOT4:SEQuencer0:ACQ:ALISt?",
  "SLOT4:SEQuencer0:CHANnelmap",
  "SLOT4:SEQuencer0:GENeration?",
  "SLOT:SEQuencer:ARM",
  "SLOT:SEQuencer:START",
  "SLOT:SEQuencer:STOP",
  "SLOT4:SEQuencer0:STATE?",
  "SLOT99:SEQuencer77:ARM",
  "SLOT2:OUT0:OFFSet",
  "REFerence:SRC",
];

const scpiArg = fc.oneof(
  fc.constantFrom(...ODD_STRINGS.map((s) => `"${s}"`)),
  fc.constantFrom(...EXTREME_NUMBERS.map(String)),
  fc.uint8Array({ maxLength: 64 }).map((b) => {
    const body = Buffer.from(b);
    return Buffer.concat([Buffer.from(`#${String(body.length).length}${body.length}`, "latin1"), body]);
  }),
  fc.constantFrom("#9999999999", "#0", "#A12", '"unterminated'),
);

const scpiLine = fc
  .record({
    header: fc.oneof(fc.constantFrom(...HEADERS), fc.string({ maxLength: 30 })),
    args: fc.array(scpiArg, { maxLength: 3 }),
    end: fc.constantFrom("\n", "\r\n", "", "\n\n"),
  })
  .map(({ header, args, end }) => {
    const parts: Buffer[] = [Buffer.from(header, "latin1")];
    args.forEach((a, i) => {
      parts.push(Buffer.from(i === 0 ? " " : ",", "latin1"));
      parts.push(typeof a === "string" ? Buffer.from(a, "latin1") : a);
    });
    parts.push(Buffer.from(end, "latin1"));
    return Buffer.concat(parts);
  });

/** A SCPI session: lines (some with random bytes appended), delivered in chunks of random sizes. */
export const scpiInputArb = fc.record({
  lines: fc.array(
    fc.oneof(
      scpiLine,
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    ),
    {
      minLength: 1,
      maxLength: 12,
    },
  ),
  chunk: fc.integer({ min: 1, max: 64 }),
});

/**
 * Feed the bytes to a parser and execute every command on `vc` in process. ok: every command parsed
 * or was rejected with an Error; crash: anything thrown by the command handler.
 */
export function runScpiInput(vc: VirtualCluster, input: { lines: Buffer[]; chunk: number }): Verdict {
  const t0 = performance.now();
  const parser = new ScpiCommandParser();
  const bytes = Buffer.concat(input.lines);
  try {
    for (let at = 0; at < bytes.length; at += input.chunk) {
      parser.push(bytes.subarray(at, at + input.chunk));
      for (;;) {
        let cmd;
        try {
          cmd = parser.next();
        } catch (e) {
          if (e instanceof Error) continue; // a malformed command: the instrument queues a command error
          throw e;
        }
        if (!cmd) break;
        vc.executeCommand(cmd.header, cmd.args);
      }
    }
  } catch (e) {
    return { outcome: "crash", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ms: 0 };
  }
  const ms = performance.now() - t0;
  if (ms > HANG_MS) return { outcome: "hang", detail: `${ms.toFixed(0)} ms`, ms };
  if (vc.errors.length > 1000) return { outcome: "bad", detail: `error queue grew to ${vc.errors.length}`, ms };
  return { outcome: "ok", detail: "", ms };
}
