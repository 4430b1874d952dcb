/**
 * Device configs: quantify's serialized QuantumDevice (nested JSON strings with NaN, and the nested
 * object "new format"), the q1forge device JSON, and their errors.
 */
import { describe, expect, it } from "vitest";
import { DeviceConfigError, InputParseError, SchemaValidationError } from "../../src/core/errors.js";
import { loadDevice, nonFiniteToNull, parseDeviceJson, parsePythonJson } from "../../src/device/index.js";
import { plainDevice, quantifyDeviceText } from "./fixtures.js";

describe("NaN-tolerant JSON", () => {
  it("turns NaN / Infinity / -Infinity outside strings into null and leaves strings alone", () => {
    expect(nonFiniteToNull('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity"}')).toBe(
      '{"a": null, "b": [null, null], "c": "NaN Infinity"}',
    );
    expect(nonFiniteToNull('{"a": 1}')).toBe('{"a": 1}');
    expect(parsePythonJson('{"s": "x\\"NaN", "v": NaN}', "t")).toEqual({ s: 'x"NaN', v: null });
  });
  it("reports a syntax error with line and column", () => {
    try {
      parsePythonJson('{\n  "a": NaN,\n  "b": }', "device.json");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputParseError);
      expect((e as InputParseError).path).toBe("line 3, column 8");
    }
  });
});

describe("quantify QuantumDevice", () => {
  const device = parseDeviceJson(quantifyDeviceText());
  it("loads elements from nested JSON strings, NaN as not calibrated", () => {
    expect(device.name).toBe("device_2q");
    expect(device.cfgSchedRepetitions).toBe(1024);
    expect([...device.elements.keys()]).toEqual(["q0", "q1"]);
    const q1 = device.elements.get("q1")!;
    expect(q1.params).toEqual({
      reset: { duration: 0.0001 },
      rxy: { amp180: 0.1, motzoi: 0.05, duration: 4e-8 },
      measure: {
        pulse_type: "SquarePulse",
        pulse_amp: 0.05,
        pulse_duration: 2e-6,
        acq_channel: 1,
        acq_delay: 2e-7,
        integration_time: 1.9e-6,
        reset_clock_phase: true,
        acq_weights_a: null,
        acq_weights_b: null,
        acq_weights_sampling_rate: null,
        acq_rotation: 0,
        acq_threshold: 0,
      },
      ports: { microwave: "q1:mw", flux: "q1:fl", readout: "q1:res" },
      clock_freqs: { f01: 5.2e9, f12: null, readout: 7.7e9 },
    });
  });
  it("loads the CompositeSquareEdge with its element-named phase corrections", () => {
    const e = device.edges.get("q0_q1")!;
    expect(e.parent.name).toBe("q0");
    expect(e.child.name).toBe("q1");
    expect(e.cz).toEqual({
      square_amp: 0.1,
      square_duration: 4e-8,
      parent_phase_correction: 10,
      child_phase_correction: 11,
    });
  });
  it("equals the same device written as q1forge device JSON (unit strings included)", () => {
    const plain = loadDevice(plainDevice());
    for (const q of ["q0", "q1"]) {
      const a = plain.elements.get(q)!.params;
      const b = device.elements.get(q)!.params;
      expect(a.rxy).toEqual(b.rxy);
      expect(a.ports).toEqual(b.ports);
      expect(a.clock_freqs).toEqual(b.clock_freqs);
      expect(a.measure.acq_channel).toBe(b.measure.acq_channel);
      expect(a.measure.pulse_duration).toBeCloseTo(b.measure.pulse_duration!, 15);
      expect(a.measure.acq_delay).toBeCloseTo(b.measure.acq_delay!, 15);
      expect(a.reset.duration).toBeCloseTo(b.reset.duration!, 15);
    }
    expect(plain.edges.get("q0_q1")!.cz).toEqual({ ...device.edges.get("q0_q1")!.cz, square_duration: 4e-8 });
  });
  it("loads quantify's nested-object format with short deserialization types and null f12", () => {
    const outer = JSON.parse(quantifyDeviceText().replace(/NaN/g, "null")) as {
      deserialization_type: string;
      data: { elements: Record<string, string>; edges: Record<string, string> };
    };
    const nested = {
      deserialization_type: "quantify_scheduler.QuantumDevice",
      data: {
        ...outer.data,
        elements: Object.fromEntries(
          Object.entries(outer.data.elements).map(([k, v]) => {
            const e = JSON.parse(v) as { data: unknown };
            return [
              k,
              { deserialization_type: "quantify_scheduler.BasicTransmonElement", mode: "__init__", data: e.data },
            ];
          }),
        ),
        edges: Object.fromEntries(
          Object.entries(outer.data.edges).map(([k, v]) => {
            const e = JSON.parse(v) as { data: unknown };
            return [
              k,
              { deserialization_type: "quantify_scheduler.CompositeSquareEdge", mode: "__init__", data: e.data },
            ];
          }),
        ),
      },
    };
    const d = loadDevice(nested);
    expect(d.elements.get("q0")!.params).toEqual(device.elements.get("q0")!.params);
    expect(d.edges.get("q0_q1")!.cz).toEqual(device.edges.get("q0_q1")!.cz);
  });
  it("applies quantify's defaults to a sparse element", () => {
    const d = loadDevice({ name: "d", elements: { qa: { type: "BasicTransmonElement" } } });
    expect(d.elements.get("qa")!.params).toEqual({
      reset: { duration: 200e-6 },
      rxy: { amp180: null, motzoi: 0, duration: 20e-9 },
      measure: {
        pulse_type: "SquarePulse",
        pulse_amp: 0.25,
        pulse_duration: 300e-9,
        acq_channel: 0,
        acq_delay: 0,
        integration_time: 1e-6,
        reset_clock_phase: true,
        acq_weights_a: null,
        acq_weights_b: null,
        acq_weights_sampling_rate: null,
        acq_rotation: 0,
        acq_threshold: 0,
      },
      ports: { microwave: "qa:mw", flux: "qa:fl", readout: "qa:res" },
      clock_freqs: { f01: null, f12: null, readout: null },
    });
  });
});

describe("device errors", () => {
  const err = (f: () => unknown): DeviceConfigError | SchemaValidationError => {
    try {
      f();
    } catch (e) {
      return e as DeviceConfigError;
    }
    throw new Error("no error");
  };
  it("names an unknown quantify element type", () => {
    const text = quantifyDeviceText().replace(
      'transmon_element.BasicTransmonElement\\", \\"mode\\": \\"__init__\\", \\"data\\": {\\"name\\": \\"q1\\"',
      'spin_element.BasicSpinElement\\", \\"mode\\": \\"__init__\\", \\"data\\": {\\"name\\": \\"q1\\"',
    );
    const e = err(() => parseDeviceJson(text));
    expect(e).toBeInstanceOf(DeviceConfigError);
    expect(e.code).toBe("UNKNOWN_ELEMENT_TYPE");
    expect(e.path).toBe("/data/elements/q1");
    expect(e.message).toBe(
      'device element "q1" has type "quantify_scheduler.device_under_test.spin_element.BasicSpinElement", which q1forge does not support',
    );
  });
  it("names an unknown element type in the q1forge device JSON", () => {
    const d = plainDevice() as { elements: Record<string, Record<string, unknown>> };
    d.elements["q1"]!["type"] = "ChargeQubit";
    const e = err(() => loadDevice(d));
    expect(e.code).toBe("UNKNOWN_ELEMENT_TYPE");
    expect(e.path).toBe("/elements/q1/type");
    expect(e.message).toBe('device element "q1" has type "ChargeQubit", which q1forge does not support');
    expect(e.hint).toBe('use type "BasicTransmonElement"');
  });
  it("rejects a misspelt field with a JSON pointer", () => {
    const d = plainDevice() as { elements: Record<string, { rxy: Record<string, unknown> }> };
    d.elements["q0"]!.rxy["amp_180"] = 0.1;
    const e = err(() => loadDevice(d));
    expect(e).toBeInstanceOf(SchemaValidationError);
    expect(e.path).toBe("/elements/q0/rxy");
    expect(e.message).toContain('"amp_180"');
  });
  it("rejects an edge joining an element the device lacks", () => {
    const d = plainDevice() as { edges: Record<string, Record<string, unknown>> };
    d.edges["q0_q1"]!["child_element_name"] = "q7";
    const e = err(() => loadDevice(d));
    expect(e.code).toBe("UNKNOWN_ELEMENT");
    expect(e.path).toBe("/edges/q0_q1/child_element_name");
    expect(e.message).toBe('edge "q0_q1" names child element "q7", which the device does not define');
  });
});
