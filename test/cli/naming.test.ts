/**
 * One naming style (issue 16 item 3): snake_case keys in every JSON Schema the project ships and in
 * every JSON document the CLI prints or writes, as quantify does. Keys of records (user-chosen names:
 * clusters, modules, sequencers, waveforms, acq_channels, port-clocks, stage names) are data, not
 * field names, and are skipped. quantify's own field names are kept as quantify spells them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/types.js";
import { runCli, TempDir } from "../fixtures/cli.js";
import { openApiDocument } from "../../src/service/route-table.js";

/** snake_case; a segment may be a capitalised unit or quantity as quantify writes it (G_amp, offset_ch0_path_I) */
const SNAKE = /^[A-Za-z][a-z0-9]*(_[A-Za-z0-9][a-z0-9]*)*$/;
/** quantify's own spellings: CZ's qC / qT, the reference magnitude's dBm; JSON Schema's $schema */
const QUANTIFY_NAMES = new Set(["qC", "qT", "dBm", "$schema"]);

/** Containers whose keys are names chosen by the user or by the data (records), not field names. */
const RECORDS = new Set([
  "clusters",
  "modules",
  "sequencers",
  "waveforms",
  "weights",
  "acquisitions",
  "stage_ms",
  "connect_out",
  "connect_acq",
  "local_oscillators",
  "coords",
  "time_origin",
  "thresholded_acq_trigger_read_settings",
  "resources",
  // hardware configs: instrument names and per-port-clock option maps
  "hardware_description",
  "latency_corrections",
  "modulation_frequencies",
  "mixer_corrections",
  "sequencer_options",
  "input_gain",
  "output_att",
  "input_att",
  "distortion_corrections",
  "digitization_thresholds",
  "crosstalk",
]);

function badKeys(value: unknown, path = "", out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => badKeys(v, `${path}/${i}`, out));
  else if (value !== null && typeof value === "object") {
    const parent = path.split("/").pop() ?? "";
    for (const [k, v] of Object.entries(value)) {
      if (!RECORDS.has(parent) && !SNAKE.test(k) && !QUANTIFY_NAMES.has(k)) out.push(`${path}/${k}`);
      badKeys(v, `${path}/${k}`, out);
    }
  }
  return out;
}

/** Field names a JSON Schema declares (properties and required, at any depth). */
function schemaFieldNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => schemaFieldNames(n, out));
  else if (node !== null && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o["properties"] && typeof o["properties"] === "object")
      for (const k of Object.keys(o["properties"] as object)) out.add(k);
    if (Array.isArray(o["required"])) for (const k of o["required"] as string[]) out.add(k);
    for (const v of Object.values(o)) schemaFieldNames(v, out);
  }
  return out;
}

describe("every shipped JSON Schema uses snake_case field names", () => {
  const files = readdirSync("schemas").filter((f) => f.endsWith(".json"));
  it("lists the schemas", () => {
    expect(files).toContain("compiled-schedule.schema.json");
    expect(files).toContain("schedule.schema.json");
    expect(files).toContain("hardware-config.schema.json");
  });
  it.each(files.map((f) => [f]))("%s", (f) => {
    const names = [...schemaFieldNames(JSON.parse(readFileSync(join("schemas", f), "utf8")))];
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((k) => !SNAKE.test(k) && !QUANTIFY_NAMES.has(k))).toEqual([]);
  });
});

describe("the service's OpenAPI document (every request and response body of q1forge serve)", () => {
  it("declares snake_case field names only", () => {
    const names = [...schemaFieldNames(openApiDocument())];
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((k) => !SNAKE.test(k) && !QUANTIFY_NAMES.has(k))).toEqual([]);
  });
});

describe("every JSON the CLI prints or writes uses snake_case keys", () => {
  const tmp = new TempDir();
  afterAll(() => tmp.remove());
  const sched = "examples/schedules/rf-transmon.json",
    hw = "hardware-configs/rf-transmon.json";
  const compiledPath = join(tmp.dir, "compiled.json"),
    resultsPath = join(tmp.dir, "results.json");

  const json = (text: string): unknown => JSON.parse(text);

  it("compile: the CompiledSchedule and the --json summary", async () => {
    const r = await runCli(["compile", "--schedule", sched, "--hardware", hw, "--out", compiledPath, "--json"]);
    expect(r.code).toBe(0);
    expect(badKeys(json(r.stdout))).toEqual([]);
    expect(badKeys(json(readFileSync(compiledPath, "utf8")))).toEqual([]);
  });

  it("validate: hardware, schedule and pair", async () => {
    for (const args of [
      ["--hardware", hw],
      ["--schedule", sched],
      ["--schedule", sched, "--hardware", hw],
    ]) {
      const r = await runCli(["validate", ...args, "--json"]);
      expect(r.code).toBe(0);
      expect(badKeys(json(r.stdout))).toEqual([]);
    }
  });

  it("simulate --json: compiled schedule and raw sequence", async () => {
    const r = await runCli(["simulate", "--compiled", compiledPath, "--from", "100 us", "--to", "101.2 us", "--json"]);
    expect(r.code).toBe(0);
    const j = json(r.stdout) as { events: unknown[] };
    expect(j.events.length).toBeGreaterThan(0);
    expect(badKeys(j)).toEqual([]);
    const seq = tmp.file("seq.json", {
      program: " play 0,0,4\n acquire 0,0,100\n stop\n",
      waveforms: { sq: { data: [1, 1, 1, 1], index: 0 } },
      weights: {},
      acquisitions: { iq: { num_bins: 1, index: 0 } },
    });
    const s = await runCli(["simulate", "--sequence", seq, "--module-type", "QRM", "--json"]);
    expect(s.code).toBe(0);
    expect(badKeys(json(s.stdout))).toEqual([]);
  });

  it("run --json and run --out", async () => {
    const r = await runCli(["run", "--schedule", sched, "--hardware", hw, "--json"]);
    expect(r.code).toBe(0);
    expect(badKeys(json(r.stdout))).toEqual([]);
    const o = await runCli(["run", "--schedule", sched, "--hardware", hw, "--out", resultsPath, "--json"]);
    expect(o.code).toBe(0);
    expect(badKeys(json(o.stdout))).toEqual([]);
    expect(badKeys(json(readFileSync(resultsPath, "utf8")))).toEqual([]);
  });

  it("demo --json", async () => {
    const r = await runCli(["demo", "--json"]);
    expect(r.code).toBe(0);
    expect(badKeys(json(r.stdout))).toEqual([]);
  });

  it("virtual-cluster --json", async () => {
    const out = { stdout: "", stderr: "" };
    const io: CliIo = {
      stdout: (s) => void (out.stdout += s),
      stderr: (s) => void (out.stderr += s),
      readStdin: async () => "",
      isTTY: false,
    };
    const done = main(["virtual-cluster", "--port", "0", "--json"], io);
    while (!out.stdout) await new Promise((r) => setTimeout(r, 10));
    process.emit("SIGINT");
    expect(await done).toBe(0);
    expect(badKeys(json(out.stdout))).toEqual([]);
  });

  it("errors with --json", async () => {
    const r = await runCli(["compile", "--schedule", "nope.json", "--hardware", hw, "--json"]);
    expect(r.code).toBe(2);
    expect(badKeys(json(r.stderr))).toEqual([]);
  });

  it("convert-config: the new-style config written from an old-style one", async () => {
    const out = join(tmp.dir, "converted.json");
    const r = await runCli([
      "convert-config",
      "--hardware",
      "test/hardware/configs/old-style-transmon.json",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(badKeys(json(readFileSync(out, "utf8")))).toEqual([]);
  });

  it("the checker finds camelCase (self-test)", () => {
    expect(badKeys({ ok: 1, infoFlags: [], clusters: { myCluster: { endTimeNs: 1 } } })).toEqual([
      "/infoFlags",
      "/clusters/myCluster/endTimeNs",
    ]);
  });
});
