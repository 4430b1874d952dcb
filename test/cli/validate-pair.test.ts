/** `q1forge validate --schedule S --hardware H`: every compiler pass but emission, on the pair. */
import { afterAll, describe, expect, it } from "vitest";
import { basebandHardware, RESOURCES } from "../compiler/fixtures.js";
import { runCli, TempDir } from "../fixtures/cli.js";

const tmp = new TempDir();
afterAll(() => tmp.remove());

describe("q1forge validate --schedule S --hardware H (the pair)", () => {
  const hw = tmp.file("hw.json", basebandHardware());
  const good = tmp.file("good.json", {
    name: "pair",
    repetitions: 3,
    resources: RESOURCES,
    schedulables: [
      { label: "x", operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
      { operation: { type: "SquarePulse", amp: 0.1, duration: "100 ns", port: "q0:res", clock: "q0.ro" } },
    ],
  });
  const unrouted = tmp.file("unrouted.json", {
    name: "unrouted",
    resources: { ...RESOURCES, "q7.01": { freq: 100e6 } },
    schedulables: [{ operation: { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q7:mw", clock: "q7.01" } }],
  });

  it("a valid pair exits 0 naming the sequencers it would use", async () => {
    const r = await runCli(["validate", "--schedule", good, "--hardware", hw]);
    expect(r).toEqual({
      code: 0,
      stdout:
        'valid pair: schedule "pair" (3 repetitions of 120 ns) on 2 sequencer(s): cluster0/cluster0_module1/seq0 q0:mw-q0.01, cluster0/cluster0_module2/seq0 q0:res-q0.ro\n',
      stderr: "",
    });
    const j = await runCli(["validate", "--schedule", good, "--hardware", hw, "--json"]);
    expect(JSON.parse(j.stdout)).toEqual({
      valid: true,
      kind: "pair",
      name: "pair",
      repetitions: 3,
      duration_ns: 120,
      sequencers: ["cluster0/cluster0_module1/seq0 q0:mw-q0.01", "cluster0/cluster0_module2/seq0 q0:res-q0.ro"],
      warnings: [],
    });
  });

  it("a port the config does not connect exits 1 naming it (each file alone is valid)", async () => {
    expect((await runCli(["validate", "--schedule", unrouted])).code).toBe(0);
    const r = await runCli(["validate", "--schedule", unrouted, "--hardware", hw, "--json"]);
    expect(r.code).toBe(1);
    const e = JSON.parse(r.stderr) as { message: string; code: string };
    expect(e.message).toContain("q7:mw");
  });
});
