/**
 * JSON as Python's `json.dumps` writes it: quantify's serialized devices and schedules contain the
 * bare literals `NaN`, `Infinity` and `-Infinity` (an uncalibrated parameter is NaN). They become
 * `null` ("not set"); everything else is strict JSON. Plain JSON takes the fast path (JSON.parse).
 */
import { InputParseError } from "../core/errors.js";
import { syntaxErrorPosition } from "../core/json-position.js";

/** Replace NaN / Infinity / -Infinity outside strings with null; the text is returned as is without them. */
export function nonFiniteToNull(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    let len = 0;
    if (c === 78 && text.startsWith("NaN", i)) len = 3;
    else if (c === 73 && text.startsWith("Infinity", i)) len = 8;
    else if (c === 45 && text.startsWith("-Infinity", i)) len = 9;
    if (len === 0) continue;
    out += text.slice(last, i) + "null";
    i += len - 1;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Parse JSON text that may hold Python's non-finite literals; syntax errors carry line and column. */
export function parsePythonJson(text: string, source: string): unknown {
  // quantify's files usually hold NaN: replace first rather than pay for a failed parse
  const nonFinite = text.includes("NaN") || text.includes("Infinity");
  try {
    return JSON.parse(nonFinite ? nonFiniteToNull(text) : text);
  } catch (error) {
    // lines are kept by the replacement; a column after a NaN on its line is off by one
    const where = nonFinite ? nonFiniteToNull(text) : text;
    const message = (error as Error).message;
    const { line, column } = syntaxErrorPosition(where, message);
    throw new InputParseError(`${source} is not valid JSON: ${message}`, {
      path: `line ${line}, column ${column}`,
      hint: "fix the JSON syntax at the given line and column (NaN and Infinity are read as null)",
      details: { line, column },
      cause: error,
    });
  }
}
