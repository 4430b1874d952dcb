import { describe, expect, it } from "vitest";
import { ProtocolSchema } from "../../src/contract/compiled-schedule.js";
import { PROTOCOL_NAMES, PROTOCOLS, protocolInfo, supportsBinMode } from "../../src/core/protocols.js";

describe("PROTOCOLS (quantify-backend.md 2.8, 7.4)", () => {
  it("one row per protocol: default bin mode, bin modes (analog | QTM), instruction, weighted, scope, thresholded, result, value rule", () => {
    const rows = PROTOCOL_NAMES.map((n) => {
      const p = protocolInfo(n);
      return [
        n,
        p.defaultBinMode,
        p.binModes.join(","),
        p.qtmBinModes.join(","),
        p.instruction,
        p.weighted,
        p.scope,
        p.thresholded,
        p.result,
        p.value,
      ];
    });
    expect(rows).toEqual([
      ["Trace", "average", "average", "first", "acquire", false, true, false, "complex", "scope"],
      [
        "SSBIntegrationComplex",
        "average",
        "append,average",
        "",
        "acquire",
        false,
        false,
        false,
        "complex",
        "integration_per_length",
      ],
      ["ThresholdedAcquisition", "average", "append,average", "", "acquire", false, false, true, "real", "threshold"],
      [
        "NumericalSeparatedWeightedIntegration",
        "append",
        "append,average",
        "",
        "acquire_weighed",
        true,
        false,
        false,
        "complex",
        "integration",
      ],
      [
        "NumericalWeightedIntegration",
        "append",
        "append,average",
        "",
        "acquire_weighed",
        true,
        false,
        false,
        "complex",
        "integration_sum",
      ],
      [
        "WeightedIntegratedSeparated",
        "append",
        "append,average",
        "",
        "acquire_weighed",
        true,
        false,
        false,
        "complex",
        "integration",
      ],
      [
        "WeightedThresholdedAcquisition",
        "append",
        "append,average",
        "",
        "acquire_weighed",
        true,
        false,
        true,
        "real",
        "threshold",
      ],
      [
        "TriggerCount",
        "append",
        "append,sum,distribution",
        "append,sum",
        "acquire_ttl",
        false,
        false,
        false,
        "real",
        "count",
      ],
      [
        "ThresholdedTriggerCount",
        "append",
        "append",
        "append",
        "acquire_ttl",
        false,
        false,
        true,
        "real",
        "count_threshold",
      ],
    ]);
  });
  it("the contract's protocol names are the table's", () => {
    expect(ProtocolSchema.options).toEqual([...PROTOCOL_NAMES]);
    expect(Object.keys(PROTOCOLS)).toEqual([...PROTOCOL_NAMES]);
  });
  it("bin-mode compatibility", () => {
    expect([
      supportsBinMode("Trace", "append"),
      supportsBinMode("Trace", "first", true),
      supportsBinMode("SSBIntegrationComplex", "append", true),
      supportsBinMode("TriggerCount", "sum"),
    ]).toEqual([false, true, false, true]);
  });
});
