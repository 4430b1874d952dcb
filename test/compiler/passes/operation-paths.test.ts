/**
 * Operation JSON pointers shared across compiles (1-schedule/operation-paths.ts): exact texts, the
 * same string for the same (schedule path, index), per schedule path, and past the cache's bound.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { clearOperationPaths, operationPath } from "../../../src/compiler/1-schedule/operation-paths.js";

beforeEach(() => clearOperationPaths());

describe("operationPath", () => {
  it("builds `<path>/schedulables/<i>/operation` and returns the same string again", () => {
    expect(operationPath("", 0)).toBe("/schedulables/0/operation");
    expect(operationPath("", 63)).toBe("/schedulables/63/operation");
    expect(operationPath("", 64)).toBe("/schedulables/64/operation"); // the run grows
    expect(operationPath("", 12345)).toBe("/schedulables/12345/operation");
    const texts = Array.from({ length: 2000 }, (_, i) => operationPath("", i));
    texts.forEach((t, i) => expect(t).toBe(`/schedulables/${i}/operation`));
  });
  it("keeps schedule paths apart", () => {
    const loop = "/schedulables/3/operation/body";
    expect(operationPath(loop, 7)).toBe(`${loop}/schedulables/7/operation`);
    expect(operationPath("", 7)).toBe("/schedulables/7/operation");
    expect(operationPath(loop, 7)).toBe(`${loop}/schedulables/7/operation`);
  });
  it("past the bound of 131,072 pointers, builds each pointer per call", () => {
    expect(operationPath("", 131_071)).toBe("/schedulables/131071/operation");
    expect(operationPath("", 500_000)).toBe("/schedulables/500000/operation");
    expect(operationPath("/x", 1)).toBe("/x/schedulables/1/operation");
    // many schedule paths: the 65th and later are built per call, with the right text
    for (let p = 0; p < 70; p++) expect(operationPath(`/p${p}`, 2)).toBe(`/p${p}/schedulables/2/operation`);
  });
  it("compiles name operations with their pointers (errors and source map)", () => {
    // the whole-compile behaviour is covered by the golden and error tests; here: JSON round trip of a pointer
    expect(JSON.parse(JSON.stringify({ p: operationPath("", 99) }))).toEqual({ p: "/schedulables/99/operation" });
  });
});
