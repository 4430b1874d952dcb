import { describe, expect, it } from "vitest";
import { channelMap } from "../../src/hardware/channel-map.js";
import type { PortClockRoute } from "../../src/hardware/model.js";
import { connectedIndices } from "../../src/hardware/channels.js";

function r(
  moduleType: PortClockRoute["moduleType"],
  channelName: string,
  measureChannels: string[] = [],
): PortClockRoute {
  const { outputs, inputs } = connectedIndices(channelName, measureChannels);
  return {
    portClock: "p:x-c",
    port: "p:x",
    clock: "c",
    cluster: "cluster0",
    slot: 1,
    moduleName: "cluster0_module1",
    moduleType,
    channelName,
    measureChannels,
    outputIndices: outputs,
    inputIndices: inputs,
    externalLo: null,
  };
}

describe("channelMap (reference 1.6 table)", () => {
  it("QCM complex_output_1 → out2 I, out3 Q; no connect_acq", () => {
    expect(channelMap(r("QCM", "complex_output_1"))).toEqual({
      connect_out: { out0: "off", out1: "off", out2: "I", out3: "Q" },
      connect_acq: {},
    });
  });
  it("QCM real_output_1 → out1 I", () => {
    expect(channelMap(r("QCM", "real_output_1"))).toEqual({
      connect_out: { out0: "off", out1: "I", out2: "off", out3: "off" },
      connect_acq: {},
    });
  });
  it("QCM digital output → all off", () => {
    expect(channelMap(r("QCM", "digital_output_0"))).toEqual({
      connect_out: { out0: "off", out1: "off", out2: "off", out3: "off" },
      connect_acq: {},
    });
  });
  it("QRM complex_output_0 + complex_input_0 → I/Q out, acq I in0 / Q in1", () => {
    expect(channelMap(r("QRM", "complex_output_0", ["complex_input_0"]))).toEqual({
      connect_out: { out0: "I", out1: "Q" },
      connect_acq: { I: "in0", Q: "in1" },
    });
  });
  it("QRM real_output_1 + real_input_1 → out1 I, acq Q in1 only", () => {
    expect(channelMap(r("QRM", "real_output_1", ["real_input_1"]))).toEqual({
      connect_out: { out0: "off", out1: "I" },
      connect_acq: { I: "off", Q: "in1" },
    });
  });
  it("QRM real_output_0 + both real inputs → acq I in0, Q in1", () => {
    expect(channelMap(r("QRM", "real_output_0", ["real_input_0", "real_input_1"]))).toEqual({
      connect_out: { out0: "I", out1: "off" },
      connect_acq: { I: "in0", Q: "in1" },
    });
  });
  it("QRM output only → acq off", () => {
    expect(channelMap(r("QRM", "complex_output_0"))).toEqual({
      connect_out: { out0: "I", out1: "Q" },
      connect_acq: { I: "off", Q: "off" },
    });
  });
  it("QCM_RF complex_output_1 → out1 IQ", () => {
    expect(channelMap(r("QCM_RF", "complex_output_1"))).toEqual({
      connect_out: { out0: "off", out1: "IQ" },
      connect_acq: {},
    });
  });
  it("QCM_RF digital_output_1 → all off", () => {
    expect(channelMap(r("QCM_RF", "digital_output_1"))).toEqual({
      connect_out: { out0: "off", out1: "off" },
      connect_acq: {},
    });
  });
  it("QRM_RF readout → out0 IQ, acq in0; output only → acq off", () => {
    expect(channelMap(r("QRM_RF", "complex_output_0", ["complex_input_0"]))).toEqual({
      connect_out: { out0: "IQ" },
      connect_acq: { acq: "in0" },
    });
    expect(channelMap(r("QRM_RF", "complex_output_0"))).toEqual({
      connect_out: { out0: "IQ" },
      connect_acq: { acq: "off" },
    });
  });
  it("QRC complex_output_4 + complex_input_1 → out4 IQ, acq in1; + complex_input_0 → in0", () => {
    expect(channelMap(r("QRC", "complex_output_4", ["complex_input_1"]))).toEqual({
      connect_out: { out0: "off", out1: "off", out2: "off", out3: "off", out4: "IQ", out5: "off" },
      connect_acq: { acq: "in1" },
    });
    expect(channelMap(r("QRC", "complex_output_0", ["complex_input_0"])).connect_acq).toEqual({ acq: "in0" });
  });
  it("QTM → no channel map", () => {
    expect(channelMap(r("QTM", "digital_output_3"))).toEqual({ connect_out: {}, connect_acq: {} });
  });
});
