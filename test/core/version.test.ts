import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { Q1FORGE_VERSION } from "../../src/core/version.js";

it("Q1FORGE_VERSION equals package.json's version", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  expect(Q1FORGE_VERSION).toBe(pkg.version);
});
