/**
 * vitest globalSetup: load one virtual-Cluster emulation worker before any test file runs, so its
 * transpile cache (virtual-emulation-pool.ts, TS_HOOKS) is filled once. Every START is emulated in
 * the worker (it waits for the worker to load); with a cold cache each test file's first worker
 * would otherwise transpile the emulator itself (seconds on a busy 2-core machine).
 */
import { EmulationPool } from "../../src/instruments/virtual-emulation-pool.js";

export default async function setup(): Promise<void> {
  const pool = new EmulationPool(1);
  // the pool's workers are unref'd: keep this process alive while the worker loads
  const alive = setInterval(() => undefined, 1000);
  try {
    await pool.whenStarted();
    await pool.close();
  } finally {
    clearInterval(alive);
  }
}
