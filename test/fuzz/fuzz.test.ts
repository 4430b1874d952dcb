/**
 * The bounded, seeded sample of the fuzz campaign that `npm test` runs (the full campaign:
 * `npm run fuzz -- --runs 100000 --seed N`, scripts/fuzz.ts). Every input must end in a result that
 * assembles or a typed error: no crash, no hang, no bad output.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import {
  configInputArb,
  runConfigInput,
  runScheduleInput,
  runScpiInput,
  scheduleInputArb,
  scpiInputArb,
  type Verdict,
} from "./harness.js";

const SEED = 20261201;
const settle = (v: Verdict) => v.outcome === "ok" || v.outcome === "typed";

describe("fuzz sample (seeded)", () => {
  it("200 mutated schedules: every outcome is a program that assembles or a typed error", () => {
    fc.assert(
      fc.property(scheduleInputArb, (input) => {
        const v = runScheduleInput(input);
        if (!settle(v)) throw new Error(`${v.outcome}: ${v.detail}`);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("80 mutated hardware configs: every outcome is a program that assembles or a typed error", () => {
    fc.assert(
      fc.property(configInputArb, (input) => {
        const v = runConfigInput(input);
        if (!settle(v)) throw new Error(`${v.outcome}: ${v.detail}`);
      }),
      { seed: SEED, numRuns: 80 },
    );
  });

  const vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  afterAll(() => vc.stop());
  it("300 SCPI sessions into the virtual Cluster: no exception escapes, the error queue stays bounded", () => {
    fc.assert(
      fc.property(scpiInputArb, (input) => {
        const v = runScpiInput(vc, input);
        if (!settle(v)) throw new Error(`${v.outcome}: ${v.detail}`);
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(vc.errors.length).toBeLessThanOrEqual(100);
  });
});
