/**
 * The published package as a user gets it: `npm pack` the project (the build that `npm ci`/`prepare`
 * made), install the tarball into a fresh temporary project, typecheck a small program against it
 * (strict, NodeNext, the package's own .d.ts checked too) and run it; the tarball ships docs/ and
 * LICENSE, no source maps pointing at sources it does not ship, and the bin answers --version.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(".");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const work = mkdtempSync(join(tmpdir(), "q1forge-pack-"));
const project = join(work, "consumer");
let files: string[] = [];
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PROGRAM = `import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compile, simulate, Q1ForgeError, type CompiledSchedule } from "q1forge";
import { assemble } from "q1forge/q1";
import { runCluster } from "q1forge/emulator";
import { VirtualCluster } from "q1forge/instruments";
import hardware from "q1forge/hardware-configs/baseband-transmon.json" with { type: "json" };
import compiledSchema from "q1forge/schemas/compiled-schedule.schema.json" with { type: "json" };
import pkg from "q1forge/package.json" with { type: "json" };

const require = createRequire(import.meta.url);
const examples = require.resolve("q1forge/package.json").replace(/package\\.json$/, "examples/schedules/");
const schedule: unknown = JSON.parse(readFileSync(examples + "single-pulse.json", "utf8"));
const compiled: CompiledSchedule = compile(schedule, hardware, { verify: true });
const sim = simulate(compiled, { from: 0, to: 400e-9 });
const out = sim.clusters["cluster0"]!.modules["cluster0_module1"]!.outputs[2]!;
let code: string | null = null;
try {
  compile({ name: "x", schedulables: [{ operation: { type: "Nope" } }] }, hardware);
} catch (e) {
  if (e instanceof Q1ForgeError) code = e.code;
}
const seq = Object.values(compiled.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers)[0]!;
console.log(
  JSON.stringify({
    version: pkg.version,
    schema_id: (compiledSchema as { title?: string; $schema?: string }).$schema !== undefined,
    port_clock: seq.port_clock,
    peak: Math.max(...out),
    high_ns: out.filter((v) => v === 0.5).length,
    assembled: assemble(" play 0,0,4\\n stop\\n").instructions.length,
    run_cluster: typeof runCluster,
    virtual_cluster: typeof VirtualCluster,
    error_code: code,
  }),
);
`;

const run = (cmd: string, args: string[], cwd: string, timeout = 240_000): string =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", timeout, stdio: ["ignore", "pipe", "pipe"] });

beforeAll(() => {
  if (!existsSync(join(root, "dist/src/index.js"))) run("npm", ["run", "build"], root);
  const packed = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root)) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed[0]!.files.map((f) => f.path);
  mkdirSync(join(project, "src"), { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run(
    "npm",
    ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", join(work, packed[0]!.filename)],
    project,
  );
  writeFileSync(join(project, "src/main.ts"), PROGRAM);
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        resolveJsonModule: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
        outDir: "out",
      },
      include: ["src"],
    }),
  );
}, 300_000);

describe("npm pack → install → typecheck → run", () => {
  it("ships dist, docs/, LICENSE, schemas, configs and examples; no source maps; no test files", () => {
    expect(files).toContain("LICENSE");
    expect(files).toContain("README.md");
    expect(files).toContain("docs/schedule-format.md");
    expect(files).toContain("docs/hardware-config.md");
    expect(files).toContain("schemas/compiled-schedule.schema.json");
    expect(files).toContain("hardware-configs/rf-transmon.json");
    expect(files).toContain("examples/schedules/single-pulse.json");
    expect(files).toContain("dist/src/index.js");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files).toContain("dist/validators/schedule.cjs");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("dist/test") || f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);
    const license = readFileSync(join(project, "node_modules/q1forge/LICENSE"), "utf8");
    expect(license.startsWith("BSD 3-Clause License")).toBe(true);
  });

  it("a strict NodeNext program typechecks against the installed package and runs", () => {
    run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project);
    const out = JSON.parse(run(process.execPath, ["out/main.js"], project)) as Record<string, unknown>;
    expect(out).toEqual({
      version: pkg.version,
      schema_id: true,
      port_clock: "q0:fl-cl0.baseband",
      peak: 0.5,
      high_ns: 200,
      assembled: 2,
      run_cluster: "function",
      virtual_cluster: "function",
      error_code: "UNKNOWN_OPERATION",
    });
  }, 300_000);

  it("the installed bin answers --version and help", () => {
    const bin = join(project, "node_modules/.bin/q1forge");
    expect(run(bin, ["--version"], project)).toBe(`q1forge ${pkg.version}\n`);
    expect(run(bin, ["help", "simulate"], project)).toMatch(/^usage: q1forge simulate/);
  });
});
