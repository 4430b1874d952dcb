import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/types.js";

function io() {
  const out = { stdout: "", stderr: "" };
  const cli: CliIo = {
    stdout: (s) => void (out.stdout += s),
    stderr: (s) => void (out.stderr += s),
    readStdin: async () => "",
    isTTY: false,
  };
  return { out, cli };
}

describe("q1forge run / virtual-cluster usage errors", () => {
  it("run without --schedule exits 2 with a usage error", async () => {
    const { out, cli } = io();
    expect(await main(["run", "--json"], cli)).toBe(2);
    expect(JSON.parse(out.stderr)).toMatchObject({
      code: "USAGE",
      message: "run needs --schedule and --hardware, or --compiled",
    });
  });
  it("virtual-cluster with a bad module list exits 2 naming the entry", async () => {
    const { out, cli } = io();
    expect(await main(["virtual-cluster", "--modules", "2:QCM,4:FOO", "--json"], cli)).toBe(2);
    expect(JSON.parse(out.stderr)).toMatchObject({
      code: "USAGE",
      message: 'bad module entry "4:FOO" in "2:QCM,4:FOO"',
      path: "--modules",
    });
  });
  it("virtual-cluster with a bad port exits 2", async () => {
    const { cli } = io();
    expect(await main(["virtual-cluster", "--port", "99999"], cli)).toBe(2);
  });
});
