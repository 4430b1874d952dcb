import { describe, expect, it } from "vitest";
import { ResourceLimitError } from "../../src/core/errors.js";
import { allocateSequencers, sequencerAccepts } from "../../src/hardware/allocate.js";
import { connectedIndices } from "../../src/hardware/channels.js";
import type { PortClockRoute } from "../../src/hardware/model.js";
import { catchErr, cfg, load } from "./helpers.js";

function r(
  portClock: string,
  moduleType: PortClockRoute["moduleType"],
  channelName: string,
  measureChannels: string[] = [],
  slot = 1,
): PortClockRoute {
  const [port, clock] = portClock.split("-") as [string, string];
  const { outputs, inputs } = connectedIndices(channelName, measureChannels);
  return {
    portClock,
    port,
    clock,
    cluster: "cluster0",
    slot,
    moduleName: `cluster0_module${slot}`,
    moduleType,
    channelName,
    measureChannels,
    outputIndices: outputs,
    inputIndices: inputs,
    externalLo: null,
  };
}

describe("allocateSequencers (reference 3.2)", () => {
  it("alphabetical within a module, modules independent", () => {
    const m = allocateSequencers([
      r("q2:mw-q2.01", "QCM", "complex_output_0"),
      r("q0:mw-q0.01", "QCM", "complex_output_1"),
      r("q1:mw-q1.01", "QCM", "complex_output_0"),
      r("q0:res-q0.ro", "QRM", "complex_output_0", ["complex_input_0"], 2),
    ]);
    expect([...m.entries()]).toEqual([
      ["q0:mw-q0.01", 0],
      ["q1:mw-q1.01", 1],
      ["q2:mw-q2.01", 2],
      ["q0:res-q0.ro", 0],
    ]);
  });
  it("port-clocks with a measure channel first, then the rest", () => {
    const m = allocateSequencers([
      r("a:drive-a.x", "QRM", "complex_output_0"),
      r("z:res-z.ro", "QRM", "complex_output_0", ["complex_input_0"]),
      r("b:scope-b.x", "QRM", "complex_input_0"),
      r("y:res-y.ro", "QRM", "complex_output_0", ["complex_input_0"]),
    ]);
    expect(Object.fromEntries(m)).toEqual({ "y:res-y.ro": 0, "z:res-z.ro": 1, "a:drive-a.x": 2, "b:scope-b.x": 3 });
  });
  it("a 7th port-clock on a 6-sequencer module errors naming the module and all port-clocks", () => {
    const routes = ["q0", "q1", "q2", "q3", "q4", "q5", "q6"].map((q) =>
      r(`${q}:mw-${q}.01`, "QCM_RF", "complex_output_0"),
    );
    const e = catchErr(() => allocateSequencers(routes));
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect([e.code, e.path]).toEqual(["OUT_OF_SEQUENCERS", "cluster0_module1"]);
    expect(e.message).toBe(
      "Cannot reserve a sequencer on cluster0_module1 (QCM_RF, 6 sequencers) for port-clock 'q6:mw-q6.01' (channel complex_output_0); port-clocks on this module: q0:mw-q0.01, q1:mw-q1.01, q2:mw-q2.01, q3:mw-q3.01, q4:mw-q4.01, q5:mw-q5.01, q6:mw-q6.01.",
    );
    expect(e.hint).toContain("multiplex fewer clocks per port");
  });
  it("QTM: the sequencer index is the channel index", () => {
    const m = allocateSequencers([r("a:x-c", "QTM", "digital_output_5"), r("b:x-c", "QTM", "digital_input_2")]);
    expect(Object.fromEntries(m)).toEqual({ "a:x-c": 5, "b:x-c": 2 });
    expect(
      catchErr(() => allocateSequencers([r("a:x-c", "QTM", "digital_output_5"), r("b:x-c", "QTM", "digital_output_5")]))
        .code,
    ).toBe("OUT_OF_SEQUENCERS");
  });
  it("QRC: complex_output_3 takes seq 1 then 5 then 8–11; inputs only on 0–7", () => {
    const routes = ["a", "b", "c", "d"].map((p) => r(`${p}:mw-c`, "QRC", "complex_output_3"));
    expect([...allocateSequencers(routes).values()]).toEqual([1, 5, 8, 9]);
    expect([0, 4, 8, 11].map((s) => sequencerAccepts("QRC", s, ["complex_output_0", "complex_input_1"]))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([2, 6, 3, 10].map((s) => sequencerAccepts("QRC", s, ["complex_output_4"]))).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });
  it("works on routes from a loaded config", () => {
    const s = load(
      cfg(
        { "2": { instrument_type: "QRM" } },
        [
          ["cluster0.module2.complex_output_0", ["q0:res", "q1:res"]],
          ["cluster0.module2.complex_input_0", "q1:res"],
        ],
        { version: "0.2" },
      ),
    );
    const m = allocateSequencers([s.routeFor("q0:res", "q0.ro"), s.routeFor("q1:res", "q1.ro")]);
    expect(Object.fromEntries(m)).toEqual({ "q1:res-q1.ro": 0, "q0:res-q0.ro": 1 });
  });
});
