import { describe, expect, it } from "vitest";
import { InputParseError, ScheduleError, SchemaValidationError } from "../../src/core/errors.js";
import { parseScheduleDocument, parseScheduleJson, scheduleJsonSchema } from "../../src/schedule/parse.js";
import { OPERATION_TYPES } from "../../src/schedule/schema.js";

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}
const doc = (operation: unknown) => ({ name: "t", schedulables: [{ operation }] });

describe("parseScheduleJson", () => {
  it("returns the document unchanged when valid", () => {
    const text = '{"name":"a","schedulables":[{"operation":{"type":"IdlePulse","duration":"20 ns"}}]}';
    expect(parseScheduleJson(text)).toEqual({
      name: "a",
      schedulables: [{ operation: { type: "IdlePulse", duration: "20 ns" } }],
    });
  });

  it("malformed JSON → InputParseError with line and column (trailing comma)", () => {
    const e = thrown(() => parseScheduleJson('{\n  "name": "a",\n  "x": [1,]\n}'));
    expect(e).toBeInstanceOf(InputParseError);
    expect((e as InputParseError).path).toBe("line 3, column 11");
    expect((e as InputParseError).details).toEqual({ line: 3, column: 11 });
  });

  it("truncated JSON → position at the end of the text", () => {
    const e = thrown(() => parseScheduleJson('{\n  "name": "a",')) as InputParseError;
    expect(e.code).toBe("INPUT_PARSE");
    expect(e.details).toEqual({ line: 2, column: 15 });
  });
});

describe("parseScheduleDocument", () => {
  it("unknown operation type → ScheduleError UNKNOWN_OPERATION with path and valid types", () => {
    const e = thrown(() => parseScheduleDocument(doc({ type: "Sqare", amp: 1 }))) as ScheduleError;
    expect(e).toBeInstanceOf(ScheduleError);
    expect([e.code, e.path, e.message]).toEqual([
      "UNKNOWN_OPERATION",
      "/schedulables/0/operation",
      'unknown operation type "Sqare" at /schedulables/0/operation',
    ]);
    expect(e.hint).toMatch(/^use one of: SquarePulse, DRAGPulse, GaussPulse, /);
    // every operation type of the schema (pulses, acquisitions, Composite, LoopOperation, Schedule, gates, …)
    expect(new Set((e.details as { validTypes: string[] }).validTypes)).toEqual(new Set(OPERATION_TYPES));
  });

  it("an acquisition inside pulse_info → UNKNOWN_OPERATION listing the pulse types only", () => {
    const e = thrown(() =>
      parseScheduleDocument(
        doc({ type: "Composite", name: "m", pulse_info: [{ type: "Trace", port: "p", clock: "c", duration: 1e-6 }] }),
      ),
    ) as ScheduleError;
    expect([e.code, e.path]).toEqual(["UNKNOWN_OPERATION", "/schedulables/0/operation/pulse_info/0"]);
    expect(e.message).toBe('operation type "Trace" is not allowed at /schedulables/0/operation/pulse_info/0');
    expect((e.details as { validTypes: string[] }).validTypes).toHaveLength(17); // InlineQ1ASM added (issue 13)
  });

  it("unknown field → SchemaValidationError naming it and the allowed fields", () => {
    const e = thrown(() =>
      parseScheduleDocument(doc({ type: "IdlePulse", duration: 1e-8, durration: 2 })),
    ) as SchemaValidationError;
    expect(e).toBeInstanceOf(SchemaValidationError);
    expect(e.issues).toEqual([
      { path: "/schedulables/0/operation", message: 'unknown field "durration" (allowed: type, name, t0, duration)' },
    ]);
  });

  it("missing and mistyped fields are all reported with JSON pointers", () => {
    const e = thrown(() =>
      parseScheduleDocument(doc({ type: "SquarePulse", amp: 1, duration: true })),
    ) as SchemaValidationError;
    expect(e.issues).toEqual([
      { path: "/schedulables/0/operation", message: 'missing required field "port"' },
      { path: "/schedulables/0/operation/duration", message: "must be number or string, got boolean" },
    ]);
    expect(e.message).toBe(
      'schedule does not match the schema at /schedulables/0/operation: missing required field "port" (and 1 more problem)',
    );
  });

  it("bad enum deep inside a loop body", () => {
    const e = thrown(() =>
      parseScheduleDocument(
        doc({
          type: "LoopOperation",
          repetitions: 2,
          body: { schedulables: [{ operation: { type: "IdlePulse", duration: 1e-8 }, ref_pt: "middle" }] },
        }),
      ),
    ) as SchemaValidationError;
    expect(e.issues).toEqual([
      {
        path: "/schedulables/0/operation/body/schedulables/0/ref_pt",
        message: 'must be one of: "start", "center", "end", got "middle"',
      },
    ]);
  });

  it("an operation that is neither a key nor an object", () => {
    const e = thrown(() => parseScheduleDocument(doc(5))) as SchemaValidationError;
    expect(e.issues.map((i) => i.message)).toEqual(["must be string, got number", "must be object, got number"]);
  });

  it("empty schedulables and repetitions < 1 are rejected", () => {
    const e = thrown(() =>
      parseScheduleDocument({ name: "t", repetitions: 0, schedulables: [] }),
    ) as SchemaValidationError;
    expect(e.issues).toEqual([
      { path: "/repetitions", message: "must be >= 1" },
      { path: "/schedulables", message: "must NOT have fewer than 1 items" },
    ]);
  });

  it("the JSON Schema carries discriminators on operation unions", () => {
    const s = JSON.stringify(scheduleJsonSchema());
    expect(s).toContain('"discriminator":{"propertyName":"type"}');
  });
});
