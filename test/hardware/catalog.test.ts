import { describe, expect, it } from "vitest";
import { MODULE_CATALOG } from "../../src/core/module-catalog.js";

describe("MODULE_CATALOG (reference 6, q1asm-and-scpi 5)", () => {
  it("sequencers / outputs / inputs / markers / instructions / DC offset range / internal LOs per type", () => {
    const rows = Object.values(MODULE_CATALOG).map((s) => [
      s.type,
      s.sequencers,
      s.outputs,
      s.inputs,
      s.markers,
      s.maxInstructions,
      s.mixerDcOffsetRangeV,
      s.internalLos,
    ]);
    expect(rows).toEqual([
      ["QCM", 6, 4, 0, 4, 16384, 2.5, 0],
      ["QRM", 6, 2, 2, 4, 12288, 0.5, 0],
      ["QCM_RF", 6, 2, 0, 2, 16384, 0.05, 2],
      ["QRM_RF", 6, 1, 1, 2, 12288, 0.05, 1],
      ["QRC", 12, 6, 2, 1, 12288, 0.05, 6],
      ["QTM", 8, 8, 8, 0, 16384, 0, 0],
    ]);
  });
  it("shared memory limits", () => {
    for (const s of Object.values(MODULE_CATALOG)) {
      expect([s.waveformSampleLimit, s.registers, s.acqIndices, s.binsPerIndex, s.maxBins]).toEqual([
        16384, 64, 32, 100000, 131072,
      ]);
    }
  });
  it("channel names", () => {
    expect(MODULE_CATALOG.QRM.channels).toEqual([
      "complex_output_0",
      "complex_input_0",
      "real_output_0",
      "real_output_1",
      "real_input_0",
      "real_input_1",
      "digital_output_0",
      "digital_output_1",
      "digital_output_2",
      "digital_output_3",
    ]);
    expect(MODULE_CATALOG.QRC.channels.length).toBe(9);
    expect(MODULE_CATALOG.QTM.channels.length).toBe(16);
  });
  it("LO ranges on RF modules only", () => {
    expect(MODULE_CATALOG.QCM_RF.loFrequencyRangeHz).toEqual({ min: 2e9, max: 18e9 });
    expect(MODULE_CATALOG.QCM.loFrequencyRangeHz).toBeNull();
  });
});
