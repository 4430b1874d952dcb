/**
 * The compiler's device cache (src/device/compile-cache.ts): one load per device content, an exact
 * content key (no identity), invalid devices fail every time.
 */
import { describe, expect, it } from "vitest";
import { DeviceConfigError, SchemaValidationError } from "../../src/core/errors.js";
import { loadDeviceForCompile } from "../../src/device/compile-cache.js";
import { loadDevice, parsePythonJson } from "../../src/device/index.js";
import { plainDevice, quantifyDeviceText } from "./fixtures.js";

const clone = <T>(v: T): T => structuredClone(v);

describe("loadDeviceForCompile", () => {
  it("loads a device once per content: equal inputs (other objects) share the loaded device", () => {
    const a = loadDeviceForCompile(parsePythonJson(quantifyDeviceText(), "d"));
    const b = loadDeviceForCompile(parsePythonJson(quantifyDeviceText(), "d"));
    expect(b).toBe(a);
    expect(b.elements.get("q1")!.params).toEqual(
      loadDevice(parsePythonJson(quantifyDeviceText(), "d")).elements.get("q1")!.params,
    );
  });

  it("loads again when the content changed, even in the same object", () => {
    const input = clone(plainDevice()) as { elements: { q0: { rxy: { amp180: number } } } };
    const first = loadDeviceForCompile(input);
    input.elements.q0.rxy.amp180 = 0.2;
    const second = loadDeviceForCompile(input);
    expect(second).not.toBe(first);
    expect(second.elements.get("q0")!.params.rxy.amp180).toBe(0.2);
    expect(first.elements.get("q0")!.params.rxy.amp180).not.toBe(0.2);
  });

  it("keeps NaN, null, undefined, -0 and key order apart", () => {
    const base = clone(plainDevice()) as { elements: { q0: { rxy: Record<string, unknown> } } };
    const withNull = clone(base);
    withNull.elements.q0.rxy["motzoi"] = null;
    const withNaN = clone(base);
    withNaN.elements.q0.rxy["motzoi"] = NaN;
    expect(loadDeviceForCompile(withNull).elements.get("q0")!.params.rxy.motzoi).toBeNull();
    // NaN is not a number the q1forge schema accepts: the cache must not answer with the null twin
    expect(() => loadDeviceForCompile(withNaN)).toThrow(SchemaValidationError);
    const negZero = clone(base);
    negZero.elements.q0.rxy["motzoi"] = -0;
    expect(Object.is(loadDeviceForCompile(negZero).elements.get("q0")!.params.rxy.motzoi, -0)).toBe(true);
    const zero = clone(base);
    zero.elements.q0.rxy["motzoi"] = 0;
    expect(Object.is(loadDeviceForCompile(zero).elements.get("q0")!.params.rxy.motzoi, 0)).toBe(true);
  });

  it("an invalid device fails on every call with its own error", () => {
    const bad = { name: "d", elements: { q0: { type: "FluxoniumElement" } } };
    for (let i = 0; i < 2; i++) {
      try {
        loadDeviceForCompile(bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DeviceConfigError);
        expect((e as DeviceConfigError).code).toBe("UNKNOWN_ELEMENT_TYPE");
      }
    }
  });
});
