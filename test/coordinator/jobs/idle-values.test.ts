/** Session-config parsing, merging and the compiled-offset patch (RF offsets are mV in compiled settings). */
import { expect, it } from "vitest";
import {
  compiledOffsets,
  mergeSessionConfig,
  parseSessionConfig,
  resolveOutputs,
  withJobOffsets,
} from "../../../src/coordinator/jobs/idle-values.js";
import { openSession } from "../../../src/coordinator/session.js";
import { moduleSpec } from "../../../src/core/module-catalog.js";
import { VirtualCluster } from "../../../src/instruments/virtual-cluster.js";
import { readoutSchedule } from "../fixtures.js";

const modules = [
  { slot: 2, type: "QCM" as const, info: moduleSpec("QCM") },
  { slot: 6, type: "QCM_RF" as const, info: moduleSpec("QCM_RF") },
];

it("merges partial configs output by output and resolves every output of every module", () => {
  const a = parseSessionConfig({ modules: { "2": { analog_outputs: { "0": { offset: 0.1 } } } } }, "a");
  const b = parseSessionConfig(
    {
      modules: {
        "2": { digital_outputs: { "1": { inverted: true } } },
        "6": { analog_outputs: { "1": { offset: -0.02 } } },
      },
    },
    "b",
  );
  const m = mergeSessionConfig(a, b);
  expect(m).toEqual({
    modules: {
      "2": { analog_outputs: { "0": { offset: 0.1 } }, digital_outputs: { "1": { inverted: true } } },
      "6": { analog_outputs: { "1": { offset: -0.02 } } },
    },
  });
  expect(a).toEqual({ modules: { "2": { analog_outputs: { "0": { offset: 0.1 } } } } });
  const out = resolveOutputs(m, modules, "test");
  expect(out.get(2)).toEqual({ offsets: [0.1, 0, 0, 0], inverted: [false, true, false, false] });
  expect(out.get(6)).toEqual({ offsets: [0, -0.02, 0, 0], inverted: [false, false] });
  expect(() => parseSessionConfig({ modules: { x: {} } }, "c")).toThrow(
    expect.objectContaining({ code: "SCHEMA_VALIDATION", path: "/modules/x" }),
  );
});

it("fills only the offsets a compiled schedule leaves null, in mV on RF modules, and keeps the object when nothing changes", () => {
  const c = readoutSchedule(); // QCM offset_ch0_path_I = 0.01 (set by the schedule)
  const outputs = resolveOutputs(
    parseSessionConfig({ modules: { "2": { analog_outputs: { "0": { offset: 0.3 }, "3": { offset: 0.2 } } } } }, "t"),
    modules,
    "t",
  );
  const p = withJobOffsets(c, "cluster0", outputs, (s) => s === 6);
  expect(p.clusters["cluster0"]!.modules["cluster0_module2"]!.settings).toMatchObject({
    offset_ch0_path_I: 0.01,
    offset_ch0_path_Q: null,
    offset_ch1_path_I: null,
    offset_ch1_path_Q: 0.2,
  });
  expect(c.clusters["cluster0"]!.modules["cluster0_module2"]!.settings.offset_ch1_path_Q).toBeNull();
  expect(compiledOffsets(p, "cluster0", 2, false)).toEqual([0.01, null, null, 0.2]);
  expect(withJobOffsets(c, "cluster0", resolveOutputs({}, modules, "t"), () => false)).toBe(c);
  // an RF module: compiled offsets are mV
  const rf = structuredClone(c);
  rf.clusters["cluster0"]!.modules["cluster0_module2"]!.settings.offset_ch0_path_I = null;
  const q = withJobOffsets(rf, "cluster0", outputs, () => true);
  expect(q.clusters["cluster0"]!.modules["cluster0_module2"]!.settings.offset_ch0_path_I).toBe(300);
  expect(compiledOffsets(q, "cluster0", 2, true)).toEqual([0.3, null, null, 0.2]);
});

it("holds RF idle offsets (mV on the wire) and reports them in volts", async () => {
  const vc = new VirtualCluster({ modules: "6:QCM_RF" });
  const addr = await vc.start();
  const s = await openSession(addr, null, {
    config: {
      modules: { "6": { analog_outputs: { "1": { offset: 0.05 } }, digital_outputs: { "1": { inverted: true } } } },
    },
  });
  try {
    expect(vc.modules.get(6)!.params["out0_offset_path1"]).toBe(50);
    expect([await s.outputLevel(6, 0), await s.outputLevel(6, 1), await s.outputLevel(6, 2)]).toEqual([0, 0.05, 0]);
    expect([await s.markerLevel(6, 0), await s.markerLevel(6, 1)]).toEqual([false, true]);
  } finally {
    await s.close();
    await vc.stop();
  }
  expect(vc.modules.get(6)!.params["out0_offset_path1"]).toBe(0);
});
