import { describe, expect, it } from "vitest";
import { hasAnalogInputs, MODULE_CATALOG, MODULE_TYPES } from "../../src/core/module-catalog.js";
import { moduleTypeFromDescribe } from "../../src/instruments/module-info.js";

describe("MODULE_CATALOG: instrument and emulator fields (q1asm-and-scpi 5, 6.3, 7.4, 7.6; reference 6)", () => {
  it("SCPI model, DACs, ADCs, scope paths, ADC bits, bin scale, output full scale per type", () => {
    const rows = MODULE_TYPES.map((t) => {
      const s = MODULE_CATALOG[t];
      return [s.type, s.scpiModel, s.dacs, s.adcs, s.scopePaths, s.adcBits, s.binScale, s.outputFullScaleV];
    });
    expect(rows).toEqual([
      ["QCM", "cluster_qcm", 4, 0, 0, 12, 4194304, 2.5],
      ["QRM", "cluster_qrm", 2, 2, 2, 12, 4194304, 0.5],
      ["QCM_RF", "cluster_qcm", 4, 0, 0, 12, 4194304, 1],
      ["QRM_RF", "cluster_qrm", 2, 2, 2, 12, 4194304, 1],
      ["QRC", "cluster_qrc", 12, 4, 4, 15, 16777216, 1],
      ["QTM", "cluster_qtm", 0, 0, 0, 12, 4194304, 1],
    ]);
  });

  it("RF modules have two DACs per output and two ADCs per input; baseband one each", () => {
    for (const t of MODULE_TYPES) {
      const s = MODULE_CATALOG[t];
      if (t === "QTM") continue; // digital I/O: outputs/inputs are not converters
      expect([t, s.dacs, s.adcs]).toEqual([t, s.isRF ? 2 * s.outputs : s.outputs, s.isRF ? 2 * s.inputs : s.inputs]);
    }
  });

  it("analog inputs exactly on QRM, QRM_RF, QRC", () => {
    expect(MODULE_TYPES.filter(hasAnalogInputs)).toEqual(["QRM", "QRM_RF", "QRC"]);
  });

  it("*DESCribe? model + is_rf → module type", () => {
    expect([
      moduleTypeFromDescribe("cluster_qcm", false),
      moduleTypeFromDescribe("cluster_qcm", true),
      moduleTypeFromDescribe("cluster_qrm", false),
      moduleTypeFromDescribe("cluster_qrm", true),
      moduleTypeFromDescribe("cluster_qrc", true),
      moduleTypeFromDescribe("cluster_qrc", false),
      moduleTypeFromDescribe("cluster_qtm", false),
      moduleTypeFromDescribe("cluster_qsm", false),
    ]).toEqual(["QCM", "QCM_RF", "QRM", "QRM_RF", "QRC", "QRC", "QTM", null]);
  });
});
