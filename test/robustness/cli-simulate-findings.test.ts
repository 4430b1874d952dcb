/**
 * Regression tests for the simulate and CLI findings of issue 9 (exact inputs of the campaign).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOptions } from "../../src/cli/args.js";
import { writeOutput } from "../../src/cli/io.js";
import { compile } from "../../src/compile.js";
import { Q1ForgeError } from "../../src/core/errors.js";
import { MAX_SIMULATE_WINDOW_NS } from "../../src/emulator/limits.js";
import { simulate } from "../../src/emulator/simulate.js";

const read = (p: string) => JSON.parse(readFileSync(new URL(`../../${p}`, import.meta.url), "utf8")) as unknown;
const compiled = compile(
  read("examples/schedules/baseband-transmon.json"),
  read("hardware-configs/baseband-transmon.json"),
);

function fails(f: () => unknown): Q1ForgeError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Q1ForgeError);
  return caught as Q1ForgeError;
}

describe("simulate refuses windows and bin counts past its limits", () => {
  it("--from -1 → SIMULATE_WINDOW at from", () => {
    const e = fails(() => simulate(compiled, { from: -1 }));
    expect(e.code).toBe("SIMULATE_WINDOW");
    expect(e.path).toBe("from");
    expect(e.message).toBe("the window starts at -1 s; it must be a time ≥ 0");
  });

  it('--to "1 s" → SIMULATE_WINDOW (over 2 ms)', () => {
    const e = fails(() => simulate(compiled, { to: 1 }));
    expect(e.code).toBe("SIMULATE_WINDOW");
    expect(e.message).toBe(
      `the window 0 s … 1 s spans 1000000000 ns, more than the ${MAX_SIMULATE_WINDOW_NS} ns simulate renders at once`,
    );
  });

  it("--to 2000 (meant as ns) → SIMULATE_WINDOW whose hint says bare numbers are seconds", () => {
    const e = fails(() => simulate(compiled, { to: 2000 }));
    expect(e.code).toBe("SIMULATE_WINDOW");
    expect(e.hint).toContain("so --to 2000 means 2000 s");
  });

  it("num_bins 1e9 in a compiled schedule → SIMULATE_BINS naming the acquisition", () => {
    const c = structuredClone(compiled);
    const seqs = Object.values(c.clusters).flatMap((cl) =>
      Object.values(cl.modules).flatMap((m) => Object.values(m.sequencers)),
    );
    const withAcq = seqs.find((s) => Object.keys(s.sequence.acquisitions).length > 0)!;
    const name = Object.keys(withAcq.sequence.acquisitions)[0]!;
    withAcq.sequence.acquisitions[name]!.num_bins = 1e9;
    const e = fails(() => simulate(c, {}));
    expect(e.code).toBe("SIMULATE_BINS");
    expect(e.message).toContain("declares 1000000000 bins, more than the 131072 a sequencer holds");
  });

  it("a 2 ms window is rendered", () => {
    expect(simulate(compiled, { from: 0, to: 2e-3 }).window).toEqual({ fromNs: 0, toNs: 2_000_000 });
  });
});

describe("CLI option hardening", () => {
  const spec = { schedule: "string", json: "bool" } as const;
  it.each(["--__proto__", "--toString", "--constructor=1", "--hasOwnProperty"])("%s is an unknown option", (arg) => {
    const e = fails(() => parseOptions([arg], { ...spec }, "compile"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`unknown option --${arg.slice(2).split("=")[0]} for "compile"`);
    expect(e.hint).toBe("valid options: --schedule, --json");
  });

  it("--out into a missing directory → USAGE naming --out, not an internal error", async () => {
    const io = { stdout: () => {}, stderr: () => {} } as unknown as Parameters<typeof writeOutput>[2];
    const err = await writeOutput("/nonexistent-dir-i9/x.json", "{}", io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Q1ForgeError);
    expect((err as Q1ForgeError).code).toBe("USAGE");
    expect((err as Q1ForgeError).message).toBe(
      "cannot write --out /nonexistent-dir-i9/x.json: its directory does not exist",
    );
  });
});
