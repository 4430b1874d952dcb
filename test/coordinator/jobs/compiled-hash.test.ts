/**
 * provenance.compiled_hash hashes the compiled content, not the compile's wall-clock timings: two
 * compiles of one schedule on the virtual Cluster (over TCP) give one hash, a changed amplitude another.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { openSession } from "../../../src/index.js";
import { VirtualCluster } from "../../../src/instruments/virtual-cluster.js";
import { compiledHash } from "../../../src/coordinator/session-compiled.js";

const read = (p: string): unknown => JSON.parse(readFileSync(new URL(`../../../${p}`, import.meta.url), "utf8"));

let vc: VirtualCluster | null = null;
afterEach(async () => {
  await vc?.stop();
  vc = null;
});

it("identical schedules give identical compiled hashes; a changed amplitude a different one", async () => {
  vc = new VirtualCluster({ modules: "1:QCM,2:QRM" });
  const s = await openSession(await vc.start(), read("hardware-configs/baseband-transmon.json"), {});
  try {
    const schedule = read("examples/schedules/baseband-transmon.json") as {
      schedulables: { operation: { type: string; amp?: number } }[];
    };
    const a = s.execute(structuredClone(schedule));
    const b = s.execute(structuredClone(schedule));
    const changed = structuredClone(schedule);
    const flux = changed.schedulables.find((o) => o.operation.type === "SquarePulse")!;
    expect(flux.operation.amp).toBe(0.3);
    flux.operation.amp = 0.31;
    const c = s.execute(changed);
    for (const j of [a, b, c]) expect(await j.wait({ timeout: 20 })).toBe("completed");

    // two separate compiles (different objects, their own stage timings), one hash
    expect(a.compiled).not.toBe(b.compiled);
    expect(a.provenance.compiled_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.provenance.compiled_hash).toBe(a.provenance.compiled_hash);
    expect(c.provenance.compiled_hash).not.toBe(a.provenance.compiled_hash);
    expect(a.provenance.compiled_hash).toBe(compiledHash(a.compiled!));

    // timings alone never change it
    const retimed = structuredClone(a.compiled!);
    retimed.diagnostics.stage_ms = { parse: 123.456, emit: 7.5 };
    expect(compiledHash(retimed)).toBe(a.provenance.compiled_hash);
  } finally {
    await s.close();
  }
});
