/** Issue 13 item 16: every typed error carries a path and a hint. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { basebandHardware, RESOURCES } from "./fixtures.js";
import { compileError } from "./options-helpers.js";

describe("errors named in the issue carry path and hint", () => {
  it("BAD_BIN_MODE", () => {
    const sched = {
      name: "trace",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "Trace", duration: "1 us", port: "q0:res", clock: "q0.ro", bin_mode: "append" } },
        { operation: { type: "IdlePulse", duration: "1 us" } },
      ],
    };
    const e = compileError(sched, basebandHardware());
    expect([e.code, e.path, e.hint]).toEqual([
      "BAD_BIN_MODE",
      "/schedulables/0/operation",
      'set "bin_mode": "average" (a scope trace is averaged over repetitions) or use SSBIntegrationComplex for bins',
    ]);
  });
  it("PROGRAM_LONGER_THAN_REPETITION", () => {
    const sched = {
      name: "late",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "VoltageOffset", offset_path_I: 0.1, offset_path_Q: 0, port: "q0:mw", clock: "q0.01" } },
      ],
    };
    const e = compileError(sched, basebandHardware());
    expect([e.code, e.path, e.hint]).toEqual([
      "PROGRAM_LONGER_THAN_REPETITION",
      "q0:mw-q0.01",
      "extend the schedule, e.g. with an IdlePulse of at least 4 ns at the end",
    ]);
  });
});

/** `new XxxError(...)` argument texts in the compile path's sources (strings and templates skipped when matching parens). */
function constructions(file: string): { line: number; name: string; args: string }[] {
  const s = readFileSync(file, "utf8");
  const out: { line: number; name: string; args: string }[] = [];
  const re = /new ([A-Z][A-Za-z]*Error)\(/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    let i = m.index + m[0].length,
      depth = 1;
    while (depth > 0 && i < s.length) {
      const c = s[i]!;
      if (c === '"' || c === "'" || c === "`") {
        const q = c;
        for (i++; i < s.length && s[i] !== q; i++) if (s[i] === "\\") i++;
      } else if (c === "(") depth++;
      else if (c === ")") depth--;
      i++;
    }
    out.push({
      line: s.slice(0, m.index).split("\n").length,
      name: m[1]!,
      args: s.slice(m.index + m[0].length, i - 1),
    });
  }
  return out;
}

function tsFiles(dir: string): string[] {
  if (statSync(dir).isFile()) return dir.endsWith(".ts") ? [dir] : [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("every typed error in src is built with a path and a hint", () => {
  const root = new URL("../../src/", import.meta.url).pathname;
  const dirs = [
    "core",
    "q1",
    "schedule",
    "hardware",
    "compiler",
    "emulator",
    "contract",
    "device",
    "coordinator",
    "service",
    "cli",
    "instruments",
    "compile.ts",
    "index.ts",
    "open-session.ts",
  ];
  it("the scan covers every folder and file of src", () => {
    expect(readdirSync(root).sort()).toEqual([...dirs].sort());
  });
  it("(source scan: every folder and top-level file of src)", () => {
    const missing: string[] = [];
    for (const d of dirs) {
      for (const f of tsFiles(join(root, d))) {
        for (const c of constructions(f)) {
          if (["Error", "TypeError", "RangeError", "SyntaxError"].includes(c.name)) continue;
          // factories that forward the caller's options, and Q1AsmError, which derives its path from line/column
          if (/^\s*code,\s*message,\s*opts\s*$/.test(c.args)) continue;
          // RemoteError rebuilds a worker's ErrorJson, which carries the path and hint of the original error
          if (c.name === "RemoteError") continue;
          // the virtual Cluster's SCPI error-queue entries (a numeric SCPI code and message, plain Errors, not
          // Q1ForgeErrors); a client reads them as InstrumentReportedError, which carries the command and a hint
          if (["ScpiExecError", "ScpiParseError", "LinqScpiError"].includes(c.name)) continue;
          const need = c.name === "Q1AsmError" ? ["hint"] : ["path", "hint"];
          const lacks = need.filter((k) => !new RegExp(`\\b${k}\\b`).test(c.args));
          if (lacks.length > 0) missing.push(`${f.slice(root.length)}:${c.line} ${c.name} lacks ${lacks.join(", ")}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
