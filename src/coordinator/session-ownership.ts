/**
 * Which session owns which Cluster (src/coordinator/session.ts): one session per Cluster in this
 * process; a second one is refused with SESSION_BUSY or waits for the owner to close.
 */
import { InstrumentError } from "../core/errors.js";
import { ClusterDriver } from "../instruments/cluster-driver.js";
import { JobTimeoutError, timeoutMs, waitFor } from "./jobs/status.js";
import type { ClusterTarget } from "./session-options.js";

/** Cluster address → owning session id (one session per Cluster in this process). */
const owners = new Map<string, string>();
const released = new Set<() => void>();

export function addressOf(target: ClusterTarget): string {
  if (target instanceof ClusterDriver) return target.transport.address;
  if (typeof target === "string") return target;
  return `${target.host}:${target.port}`;
}

export async function claim(address: string, id: string, waitSeconds: number): Promise<void> {
  const free = () => (owners.has(address) ? undefined : true);
  if (owners.has(address)) {
    const holder = owners.get(address)!;
    const busy = () =>
      new InstrumentError("SESSION_BUSY", `the Cluster at ${address} is owned by session ${holder}`, {
        path: address,
        hint: "close() that session first, or pass { waitForCluster: seconds } to wait for it",
      });
    if (!(waitSeconds > 0)) throw busy();
    await waitFor(
      (wake) => {
        released.add(wake);
        return () => released.delete(wake);
      },
      free,
      timeoutMs(waitSeconds),
      () =>
        new JobTimeoutError(`the Cluster at ${address} is still owned by session ${holder} after ${waitSeconds} s`, {
          path: address,
          hint: "close() the other session, or raise waitForCluster",
        }),
    );
  }
  owners.set(address, id);
}
export function release(address: string, id: string): void {
  if (owners.get(address) !== id) return;
  owners.delete(address);
  for (const w of [...released]) w();
}
