/** `q1forge serve` / `q1forge worker` usage handling (the running service is tested through HTTP elsewhere). */
import { describe, expect, it } from "vitest";
import { runCli } from "../fixtures/cli.js";

describe("q1forge serve / worker usage", () => {
  it("prints the help with the issue's flags", async () => {
    const r = await runCli(["serve", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      'usage: q1forge serve [--port P] [--host H] [--cluster host:port | --virtual "2:QCM,4:QRM"] [--hardware H.json]',
    );
    const w = await runCli(["worker", "--help"]);
    expect(w.stdout.split("\n")[0]).toBe(
      'usage: q1forge worker (--cluster host:port | --virtual "2:QCM,4:QRM") --store redis://… [--hardware H.json] [--json]',
    );
  });

  it("refuses bad options with exit 2 and a typed error", async () => {
    const cases: [string[], string][] = [
      [["serve", "--cluster", "a:1", "--virtual", "2:QCM", "--json"], "give --cluster or --virtual, not both"],
      [["serve", "--cluster", "nohost", "--json"], '"nohost" is not host:port'],
      [
        ["serve", "--store", "postgres://x", "--port", "0", "--json"],
        '--store "postgres://x" is neither sqlite:PATH nor redis://…',
      ],
      [["serve", "--port", "70000", "--json"], '--port must be 0..65535, not "70000"'],
      [
        ["serve", "--tokens", "/nonexistent/tokens.json", "--port", "0", "--json"],
        'cannot read the tokens file "/nonexistent/tokens.json": ENOENT',
      ],
      [["worker", "--cluster", "127.0.0.1:5025", "--json"], "q1forge worker needs --store redis://…"],
      [
        ["worker", "--store", "redis://127.0.0.1:1", "--json"],
        "give exactly one of --cluster host:port or --virtual modules",
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(JSON.parse(r.stderr)).toMatchObject({ error: "UsageError", code: "USAGE", message });
    }
  });
});
