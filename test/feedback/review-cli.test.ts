/**
 * `q1forge compile --json` lists each wait feedback_insert_wait inserted as a warning (docs/feedback.md),
 * and the pop-order fix compiles and verifies (exit 0) the review's two-readout case.
 */
import { writeFileSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { runCli, TempDir } from "../fixtures/cli.js";
import { feedForward, feedbackHardware } from "./fixtures.js";
import { twoReadoutHardware, twoReadouts } from "./review-fixtures.js";

const tmp = new TempDir();
afterAll(() => tmp.remove());

it("compile --json with feedback_insert_wait: warnings holds FEEDBACK_WAIT_INSERTED (136 ns, both operations)", async () => {
  const sched = tmp.path("ff.json");
  const hw = tmp.path("hw.json");
  writeFileSync(sched, JSON.stringify(feedForward(400)));
  writeFileSync(hw, JSON.stringify({ ...feedbackHardware(), compiler_options: { feedback_insert_wait: true } }));
  const c = await runCli(["compile", "--schedule", sched, "--hardware", hw, "--json", "--out", tmp.path("c.json")]);
  expect([c.code, c.stderr]).toStrictEqual([0, ""]);
  const j = JSON.parse(c.stdout) as { warnings: { code: string; message: string; path: string | null }[] };
  expect(j.warnings).toStrictEqual([
    {
      code: "FEEDBACK_WAIT_INSERTED",
      message:
        'feedback_insert_wait: conditional "feed-forward q1" (at 700 ns) came 136 ns too early for the result of measurement "Measure q0" on cluster0_module1.seq0 (minimum gap 536 ns from the end of its acquisition window); it and everything after it were delayed by 136 ns',
      path: "/schedulables/1/operation",
    },
  ]);
});

it("compile --verify of two results used against their arrival order: exit 0", async () => {
  const sched = tmp.path("wc.json");
  const hw = tmp.path("hw2.json");
  writeFileSync(sched, JSON.stringify(twoReadouts(["q0", "q1"])));
  writeFileSync(hw, JSON.stringify(twoReadoutHardware()));
  const c = await runCli([
    "compile",
    "--schedule",
    sched,
    "--hardware",
    hw,
    "--verify",
    "--json",
    "--out",
    tmp.path("c2.json"),
  ]);
  expect([c.code, c.stderr]).toStrictEqual([0, ""]);
});
