/** InlineQ1ASM may set the AWG gains itself: a compiler play after it re-issues its own gains. */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { basebandHardware, RESOURCES } from "./fixtures.js";
import { lines, seqOf } from "./options-helpers.js";

const square = { type: "SquarePulse", amp: 0.5, duration: "20 ns", port: "q0:fl", clock: "cl0.baseband" };

describe("InlineQ1ASM and the latched gain", () => {
  it("the play after an inline block that changed the gain sets its gain again", () => {
    const c = compile(
      {
        name: "inline-gain",
        repetitions: 1,
        resources: RESOURCES,
        schedulables: [
          { operation: square },
          {
            operation: {
              type: "InlineQ1ASM",
              name: "gain-change",
              program: " set_awg_gain 100,100\n upd_param 4",
              duration: "4 ns",
              port: "q0:fl",
            },
          },
          { operation: square },
          { operation: { type: "IdlePulse", duration: "20 ns" } },
        ],
      },
      basebandHardware(),
      { verify: true },
    );
    const program = lines(seqOf(c, "cluster0_module1", "q0:fl-cl0.baseband").sequence.program);
    const gains = program.filter((l) => l.startsWith("set_awg_gain"));
    expect(gains).toEqual(["set_awg_gain 16384,0", "set_awg_gain 100,100", "set_awg_gain 16384,0"]);
  });
});
