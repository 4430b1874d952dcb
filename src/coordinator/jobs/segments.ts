/**
 * Pause points and input streams as program segments. Qblox has no host-to-sequencer path while a
 * program runs, so a schedule with top-level pause / input-stream points is split there into
 * segments, each compiled and run on its own: the job stops at the point, the host waits for
 * resume() (pause) or for pushed values (input stream), substitutes those values into the next
 * segment, compiles and uploads it, and re-arms.
 *
 * q1forge schedule extension (schedule JSON, handled by the session before compiling):
 *   { "operation": { "type": "Pause", "name": "calibrate" } }                 top-level schedulable
 *   { "operation": { "type": "InputStream", "name": "amps", "size": 2 } }    top-level schedulable
 *   { "$input": "amps", "index": 1 }    anywhere in a later segment: the value pushed for that point
 *
 * Rejected before anything runs (ScheduleError SEGMENT_PLACEMENT): a point that is not a top-level
 * schedulable (inside a loop, a nested schedule, a composite or the operations library), a point
 * at the start or the end of the schedule or next to another one, repetitions > 1 (a point would
 * sit inside the repetition loop), a timing reference across a point, an acquisition channel in two
 * segments, and an `$input` before its stream's point, of an unknown stream or out of its size.
 */
import { ScheduleError } from "../../core/errors.js";

export interface SegmentPoint {
  kind: "pause" | "input_stream";
  name: string;
  /** values per advance (input streams; 0 for pauses) */
  size: number;
  /** JSON pointer of the point's schedulable */
  path: string;
}

export interface Segment {
  /** a schedule document of its own (name `<name>#<k>`, repetitions 1) */
  schedule: Record<string, unknown>;
  /** the point the segment follows (null for the first) */
  after: SegmentPoint | null;
}

export interface SegmentPlan {
  segments: Segment[];
  /** input stream name → values per advance */
  streams: Map<string, number>;
}

type Json = Record<string, unknown>;
const POINT_TYPES = new Set(["Pause", "InputStream"]);
const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);

function placement(message: string, path: string, hint: string): ScheduleError {
  return new ScheduleError("SEGMENT_PLACEMENT", message, { path, hint });
}

/** Every nested object with a Pause / InputStream type or an `$input` key, with its JSON pointer. */
function scan(x: unknown, path: string, visit: (o: Json, path: string) => void): void {
  if (Array.isArray(x)) x.forEach((v, i) => scan(v, `${path}/${i}`, visit));
  else if (isObj(x)) {
    visit(x, path);
    for (const [k, v] of Object.entries(x)) scan(v, `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, visit);
  }
}

/** The segment plan of a schedule document, or null when it has no pause / input-stream point. */
export function planSegments(schedule: unknown): SegmentPlan | null {
  if (!isObj(schedule) || !Array.isArray(schedule["schedulables"])) return null;
  const top = schedule["schedulables"] as unknown[];
  const points = new Map<number, SegmentPoint>();
  top.forEach((s, i) => {
    const op = isObj(s) ? s["operation"] : undefined;
    if (!isObj(op) || !POINT_TYPES.has(String(op["type"]))) return;
    const path = `/schedulables/${i}`;
    const name = op["name"];
    if (op["type"] === "InputStream") {
      const size = op["size"];
      if (typeof name !== "string" || name === "" || !Number.isInteger(size) || (size as number) < 1)
        throw placement(
          `input stream at ${path} needs a name and an integer size ≥ 1`,
          `${path}/operation`,
          'write { "type": "InputStream", "name": "amps", "size": 2 }',
        );
      points.set(i, { kind: "input_stream", name, size: size as number, path });
    } else
      points.set(i, { kind: "pause", name: typeof name === "string" ? name : `pause${points.size}`, size: 0, path });
  });
  // points anywhere else
  scan(schedule, "", (o, p) => {
    if (!POINT_TYPES.has(String(o["type"]))) return;
    const m = p.match(/^\/schedulables\/(\d+)\/operation$/);
    if (m && points.has(Number(m[1]))) return;
    throw placement(
      `${String(o["type"])} at ${p} is not a top-level schedulable`,
      p,
      "pause and input-stream points split the program into segments: place them at the top level of the schedule, not inside a loop, a nested schedule, a composite or the operations library",
    );
  });
  if (points.size === 0) {
    let ref: string | null = null;
    scan(schedule, "", (o, p) => {
      if ("$input" in o) ref ??= p;
    });
    if (ref)
      throw placement(
        `$input at ${ref} but the schedule declares no input stream`,
        ref,
        'add a top-level { "type": "InputStream", "name": …, "size": … } before it',
      );
    return null;
  }
  const reps = schedule["repetitions"];
  if (reps !== undefined && reps !== 1)
    throw placement(
      `schedule "${String(schedule["name"])}" has ${String(reps)} repetitions and pause / input-stream points: a point would sit inside the repetition loop`,
      "/repetitions",
      "use repetitions 1 (put the repeated part in a LoopOperation between the points)",
    );
  // cut
  const segments: Segment[] = [];
  let cur: { items: unknown[]; after: SegmentPoint | null } = { items: [], after: null };
  const flush = (next: SegmentPoint | null) => {
    if (cur.items.length === 0) {
      const p = next ?? cur.after!;
      const where = !next ? "ends the schedule" : cur.after ? "follows another point" : "starts the schedule";
      throw placement(
        `${p.kind === "pause" ? "pause" : "input stream"} "${p.name}" at ${p.path} ${where}: a segment would be empty`,
        p.path,
        "put at least one operation before and after every pause / input-stream point",
      );
    }
    segments.push({
      schedule: {
        ...schedule,
        name: `${String(schedule["name"])}#${segments.length}`,
        repetitions: 1,
        schedulables: cur.items,
      },
      after: cur.after,
    });
  };
  top.forEach((s, i) => {
    const p = points.get(i);
    if (!p) {
      cur.items.push(s);
      return;
    }
    flush(p);
    cur = { items: [], after: p };
  });
  flush(null);
  checkSegments(segments, points);
  const streams = new Map<string, number>();
  for (const p of points.values()) {
    if (p.kind !== "input_stream") continue;
    const had = streams.get(p.name);
    if (had !== undefined && had !== p.size)
      throw placement(
        `input stream "${p.name}" is declared with sizes ${had} and ${p.size}`,
        p.path,
        "give every point of one stream the same size",
      );
    streams.set(p.name, p.size);
  }
  return { segments, streams };
}

/** Timing references, acquisition channels and $input references per segment. */
function checkSegments(segments: Segment[], points: Map<number, SegmentPoint>): void {
  const channels = new Map<string, number>();
  const declared = new Map<string, number>();
  let offset = 0;
  segments.forEach((seg, k) => {
    if (seg.after?.kind === "input_stream") declared.set(seg.after.name, seg.after.size);
    const items = seg.schedule["schedulables"] as unknown[];
    const labels = new Set(items.map((s) => (isObj(s) ? s["label"] : undefined)).filter((l) => typeof l === "string"));
    items.forEach((s, j) => {
      const base = `/schedulables/${offset + j}`;
      if (!isObj(s)) return;
      const refs = [s, ...(Array.isArray(s["timing_constraints"]) ? (s["timing_constraints"] as unknown[]) : [])];
      for (const r of refs) {
        const ref = isObj(r) ? r["ref_schedulable"] : undefined;
        if (typeof ref === "string" && !labels.has(ref))
          throw placement(
            `schedulable ${base} refers to "${ref}", which is not in its segment (pause / input-stream points split the schedule)`,
            base,
            "timing references cannot cross a pause or input-stream point; the segment after a point starts when the host re-arms",
          );
      }
    });
    scan(items, `/segment${k}`, (o, p) => {
      const path = p.replace(/^\/segment\d+\/(\d+)/, (_m, j: string) => `/schedulables/${offset + Number(j)}`);
      if ("acq_channel" in o) {
        const ch = String(o["acq_channel"]);
        const was = channels.get(ch);
        if (was !== undefined && was !== k)
          throw placement(
            `acquisition channel ${ch} is acquired in segments ${was} and ${k}`,
            path,
            "use a different acq_channel per segment: each segment's results are its own",
          );
        channels.set(ch, k);
      }
      if ("$input" in o) {
        const name = o["$input"];
        const size = typeof name === "string" ? declared.get(name) : undefined;
        const index = o["index"] ?? 0;
        if (size === undefined)
          throw placement(
            `$input "${String(name)}" at ${path} is not declared by an input-stream point before it`,
            path,
            'declare { "type": "InputStream", "name": …, "size": … } at the top level before this segment',
          );
        if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= size)
          throw placement(
            `$input "${String(name)}" index ${String(index)} at ${path} is outside the stream's size ${size}`,
            path,
            `use an index 0 … ${size - 1}`,
          );
      }
    });
    offset += items.length + 1;
  });
  void points;
}

/** The segment's schedule with every `{ "$input": name, "index": i }` replaced by the pushed value. */
export function substituteInputs(doc: unknown, values: ReadonlyMap<string, readonly number[]>): unknown {
  if (Array.isArray(doc)) return doc.map((v) => substituteInputs(v, values));
  if (!isObj(doc)) return doc;
  if ("$input" in doc) {
    const v = values.get(String(doc["$input"]))?.[Number(doc["index"] ?? 0)];
    if (v === undefined)
      throw new ScheduleError("INPUT_MISSING", `no value was pushed for $input "${String(doc["$input"])}"`, {
        path: String(doc["$input"]),
        hint: "call job.pushToInputStream(name, values) before the job reaches the stream point",
      });
    return v;
  }
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, substituteInputs(v, values)]));
}
