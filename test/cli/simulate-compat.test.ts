/** Issue 13 item 14: `simulate --sequence` reads quantify's QCM sequence files; `--json` says ok: false on exit 1. */
import { afterAll, describe, expect, it } from "vitest";
import { runCli, TempDir } from "../fixtures/cli.js";

describe("q1forge simulate --sequence with quantify's QCM files", () => {
  const tmp = new TempDir();
  afterAll(() => tmp.remove());
  // what quantify writes for a QCM sequencer: no "weights", no "acquisitions"
  const qcmSequence = {
    waveforms: { square: { data: new Array<number>(20).fill(0.5), index: 0 } },
    program: " set_mrk 0\n wait_sync 4\n upd_param 4\n play 0,0,20\n stop\n",
  };
  it("runs a sequence without weights and acquisitions", async () => {
    const r = await runCli([
      "simulate",
      "--sequence",
      tmp.file("qcm.json", qcmSequence),
      "--module-type",
      "QCM",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      ok: boolean;
      clusters: Record<
        string,
        { modules: Record<string, { sequencers: Record<string, { status: string; end_time_ns: number }> }> }
      >;
    };
    expect(j.ok).toBe(true);
    const s = j.clusters["cluster0"]!.modules["cluster0_module1"]!.sequencers["seq0"]!;
    expect([s.status, s.end_time_ns]).toEqual(["OKAY", 28]); // wait_sync 4 + upd_param 4 + play 20
  });
  it("--json says ok: false when the run ends in an error (exit 1)", async () => {
    const bad = { ...qcmSequence, program: " move 100,R0\nl: play 0,0,4\n loop R0,@l\n stop\n" };
    const r = await runCli(["simulate", "--sequence", tmp.file("under.json", bad), "--module-type", "QCM", "--json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(false);
    expect((JSON.parse(r.stderr) as { code: string }).code).toBe("RT_UNDERFLOW");
  });
});
