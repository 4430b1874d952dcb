/**
 * Docs that run (issue 16 item 6). Every fenced JSON and TypeScript snippet in README.md and the docs
 * below is extracted and executed; every shell command in README.md is run; no doc points at a file a
 * clone or the package does not have.
 *
 * A snippet says what it is in an HTML comment on the line before its fence:
 *   <!-- doc-test: schedule hardware-configs/rf-transmon.json -->  compiled (and verified in the emulator)
 *                                                                    against the config it names
 *   <!-- doc-test: hardware -->                                      loaded as a hardware config
 *   <!-- doc-test: device -->                                        loaded as a device config (loadDevice)
 *   <!-- doc-test: session-config -->                                a session config (SessionConfigSchema)
 *   <!-- doc-test: tokens -->                                        a service tokens file (TokensFileSchema)
 *   <!-- doc-test: json -->                                          a JSON fragment: must parse
 * TypeScript snippets need no comment: each runs as an ES module, with `q1forge` (and its subpaths)
 * resolved to the sources of this checkout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { commands } from "../../src/cli/registry.js";
import type { CliIo } from "../../src/cli/types.js";
import { compile } from "../../src/index.js";
import { loadHardwareConfig } from "../../src/hardware/load.js";
import { loadDevice } from "../../src/device/load.js";
import { SessionConfigSchema } from "../../src/coordinator/jobs/idle-values.js";
import { TokensFileSchema } from "../../src/service/auth.js";

const root = resolve(".");
/** README and the docs whose snippets this test runs (docs of other topics are run by their own tests). */
const DOCS = [
  "README.md",
  "docs/cli.md",
  "docs/schedule-format.md",
  "docs/hardware-config.md",
  "docs/instruments.md",
  "docs/device.md",
  "docs/feedback.md",
  "docs/jobs.md",
  "docs/sweeps.md",
  "docs/service.md",
  "docs/architecture.md",
];
/** Docs checked for references to files that do not ship. */
const ALL_DOCS = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];

interface Snippet {
  file: string;
  line: number;
  lang: string;
  annotation: string | null;
  code: string;
}

export function snippets(file: string): Snippet[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const ann = k >= 0 ? /^<!-- doc-test: (.*?) -->$/.exec(lines[k]!.trim()) : null;
    out.push({
      file,
      line: i + 1,
      lang: open[1] ?? "",
      annotation: ann ? ann[1]! : null,
      code: lines.slice(i + 1, j).join("\n"),
    });
    i = j;
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), "q1forge-docs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `q1forge` and `q1forge/<subpath>` → this checkout's sources. */
function rewriteImports(code: string): string {
  const src = (p: string) => pathToFileURL(join(root, p)).href;
  return code
    .replace(/from "q1forge"/g, `from "${src("src/index.ts")}"`)
    .replace(/from "q1forge\/(q1|emulator|instruments)"/g, (_m, sub: string) => `from "${src(`src/${sub}/index.ts`)}"`)
    .replace(
      /from "q1forge\/(hardware-configs|schemas)\/([^"]+)"/g,
      (_m, dir: string, f: string) => `from "${src(`${dir}/${f}`)}"`,
    );
}

function cliIo(): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
      readStdin: async () => "",
      isTTY: false,
    },
  };
}

/** Shell words of one command (double and single quotes). */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Output files a command writes (and later ones read) go to a temporary directory. */
function mapPaths(args: string[]): string[] {
  return args.map((a, i) =>
    i > 0 && ["--out", "--plot", "--compiled"].includes(args[i - 1]!) && !existsSync(join(root, a)) ? join(tmp, a) : a,
  );
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe.each(DOCS.map((f) => [f]))("snippets of %s", (file) => {
  const all = snippets(file);
  const json = all.filter((s) => s.lang === "json");
  const ts = all.filter((s) => s.lang === "ts" || s.lang === "typescript");
  it("every JSON snippet says what it is", () => {
    expect(json.filter((s) => s.annotation === null).map((s) => `${s.file}:${s.line}`)).toEqual([]);
  });
  it.each(json.map((s) => [`line ${s.line}: ${s.annotation ?? ""}`, s] as const))("JSON %s", (_name, s) => {
    const [kind, arg] = (s.annotation ?? "").split(/\s+/);
    const doc = JSON.parse(s.code) as unknown;
    if (kind === "schedule") {
      expect(arg, "name the hardware config: <!-- doc-test: schedule hardware-configs/X.json -->").toBeTruthy();
      const hw = JSON.parse(readFileSync(join(root, arg!), "utf8")) as unknown;
      const compiled = compile(doc, hw, { verify: true });
      expect(Object.keys(compiled.clusters).length).toBeGreaterThan(0);
    } else if (kind === "hardware") loadHardwareConfig(doc);
    else if (kind === "device") loadDevice(doc);
    else if (kind === "session-config") SessionConfigSchema.parse(doc);
    else if (kind === "tokens") TokensFileSchema.parse(doc);
    else expect(kind).toBe("json");
  });
  it.each(ts.map((s) => [`line ${s.line}`, s] as const))(
    "TypeScript %s runs",
    async (_name, s) => {
      const f = join(tmp, `${file.replace(/\W/g, "_")}_${s.line}.ts`);
      writeFileSync(f, rewriteImports(s.code) + "\nexport {};\n");
      await import(pathToFileURL(f).href);
    },
    60_000,
  );
});

describe("the TypeScript snippets typecheck (strict, NodeNext) against the package's types", () => {
  it("tsc --noEmit over every snippet", () => {
    const dir = join(tmp, "typecheck");
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const file of DOCS)
      for (const s of snippets(file).filter((x) => x.lang === "ts" || x.lang === "typescript")) {
        const f = join(dir, `${file.replace(/\W/g, "_")}_${s.line}.ts`);
        writeFileSync(f, s.code + "\nexport {};\n");
        files.push(f);
      }
    expect(files.length).toBeGreaterThanOrEqual(3);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          resolveJsonModule: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [join(root, "node_modules/@types")],
          baseUrl: root,
          paths: {
            q1forge: ["src/index.ts"],
            "q1forge/q1": ["src/q1/index.ts"],
            "q1forge/emulator": ["src/emulator/index.ts"],
            "q1forge/instruments": ["src/instruments/index.ts"],
            "q1forge/hardware-configs/*": ["hardware-configs/*"],
            "q1forge/schemas/*": ["schemas/*"],
          },
        },
        files,
      }),
    );
    const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
      encoding: "utf8",
      timeout: 240_000,
    });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 300_000);
});

describe("every command in README.md runs", () => {
  const blocks = snippets("README.md").filter((s) => s.lang === "sh");
  const cmds = blocks.flatMap((b) =>
    b.code
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter((l) => l && !l.startsWith("#"))
      .flatMap((l) => l.split("&&").map((c) => c.trim())),
  );
  it("finds the commands", () => expect(cmds.length).toBeGreaterThanOrEqual(5));
  it.each(cmds.map((c) => [c]))(
    "%s",
    async (cmd) => {
      const w = words(cmd);
      if (w[0] === "npx" && w[1] === "q1forge") {
        const { io, out } = cliIo();
        const code = await main(mapPaths(w.slice(2)), io);
        expect(out.stderr).toBe("");
        expect(code).toBe(0);
        // a simulate window that shows something: operations in the report
        if (w[2] === "simulate") expect(out.stdout).not.toMatch(/waveform report \(0 rows\)/);
      } else if (w[0] === "npm" && w[1] === "start") {
        // npm start = `node bin/q1forge.js demo`: run the demo command itself
        expect(pkg.scripts["start"]).toBe("node bin/q1forge.js demo");
        const { io, out } = cliIo();
        expect(await main(["demo"], io)).toBe(0);
        expect(out.stdout).toMatch(/^q1forge demo — "amplitude-sweep"/);
      } else if (w[0] === "npm" && (w[1] === "install" || w[1] === "ci")) {
        // installing is what this test run already did; the build it triggers is the prepare script
        expect(pkg.scripts["prepare"]).toBe("npm run build");
      } else if (w[0] === "npm" && (w[1] === "test" || w[1] === "run")) {
        // npm test runs this suite (it cannot run itself): the script must exist
        expect(pkg.scripts[w[1] === "test" ? "test" : w[2]!]).toBeDefined();
      } else if (w[0] === "bash") {
        expect(existsSync(join(root, w[1]!))).toBe(true);
      } else throw new Error(`README command the test does not know how to run: ${cmd}`);
    },
    120_000,
  );

  it("the command table lists registered commands with the options their --help documents", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| `q1forge ([\w-]+)([^`]*)` \|/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const [, name, rest] of rows) {
      expect(commands.map((c) => c.name)).toContain(name);
      const { io, out } = cliIo();
      expect(await main([name!, "--help"], io)).toBe(0);
      for (const flag of rest!.match(/--[\w-]+/g) ?? []) expect(out.stdout, `${name} ${flag}`).toContain(flag);
    }
  });
});

describe("no doc points at a file that does not ship", () => {
  it.each(ALL_DOCS.map((f) => [f]))("%s", (file) => {
    const text = readFileSync(join(root, file), "utf8");
    expect(text).not.toMatch(
      /\.\.\/shared|DESIGN\.md|quantify-backend\.md|q1asm-and-scpi\.md|peers\.md|\breference \d|reference\/seeds/,
    );
    if (!DOCS.includes(file)) return; // the other topics' docs also quote paths of quantify's repository
    // every relative link and every backquoted repository path exists
    const paths = [
      ...[...text.matchAll(/\]\(([^)#\s]+)\)/g)]
        .map((m) => m[1]!)
        .filter((p) => !/^https?:/.test(p))
        .map((p) => join(file.includes("/") ? "docs" : ".", p)),
      ...[
        ...text.matchAll(/`((?:docs|examples|hardware-configs|schemas|src|test|bench|scripts|bin)\/[\w./-]+\.\w+)`/g),
      ].map((m) => m[1]!),
    ];
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});
