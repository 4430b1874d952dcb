/**
 * What 3-emit/programs needs to know about a sequencer's nodes before emitting (does the program set
 * the clock frequency — then the repetition header resets it): read from SequencerPlan.opTypes when
 * 2-plan/sequencers noted them, else from a walk of the nodes. Both give the same program.
 */
import { describe, expect, it } from "vitest";
import { generatePrograms } from "../../../src/compiler/3-emit/program.js";
import type { CompileWarning, ProgramPlan } from "../../../src/compiler/ir/plan.js";
import { printProgram } from "../../../src/q1/print.js";
import { basebandHardware, RESOURCES } from "../fixtures.js";
import { planPasses, programOptions } from "./run-passes.js";

const pulse = { type: "SquarePulse", amp: 0.25, duration: "20 ns", port: "q0:mw", clock: "q0.01" };
const schedule = (withFrequency: boolean) => ({
  name: "facts",
  repetitions: 2,
  resources: RESOURCES,
  schedulables: [
    ...(withFrequency ? [{ operation: { type: "SetClockFrequency", clock: "q0.01", clock_freq_new: 120e6 } }] : []),
    { operation: pulse, rel_time: "20 ns" },
    {
      operation: {
        type: "LoopOperation",
        repetitions: 3,
        body: { schedulables: [{ operation: pulse }] },
      },
      rel_time: "20 ns",
    },
    { operation: { type: "IdlePulse", duration: "100 ns" } },
  ],
});

function programs(plan: ProgramPlan, p: ReturnType<typeof planPasses>): string[] {
  const warnings: CompileWarning[] = [];
  return generatePrograms(plan, p.waveforms, p.hw, programOptions(), warnings).map((x) => printProgram(x.instructions));
}

describe("program header facts", () => {
  it.each([true, false])("SetClockFrequency %s: the same programs with and without noted opTypes", (withFrequency) => {
    const p = planPasses(schedule(withFrequency), basebandHardware());
    expect(p.plan.sequencers.every((s) => s.opTypes !== undefined)).toBe(true);
    const walked: ProgramPlan = { ...p.plan, sequencers: p.plan.sequencers.map(({ opTypes: _, ...s }) => s) };
    const noted = programs(p.plan, p);
    expect(programs(walked, p)).toStrictEqual(noted);
    const header = noted.join("").includes("# every repetition starts at");
    expect(header).toBe(withFrequency);
  });
});
