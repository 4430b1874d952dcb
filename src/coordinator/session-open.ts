/**
 * openSession (re-exported by src/coordinator/session.ts): connect to a Cluster, check its versions,
 * claim it for the new Session and set its outputs to their idle values.
 */
import { ClusterDriver } from "../instruments/cluster-driver.js";
import { checkIdnVersion } from "../instruments/versions.js";
import { parseSessionConfig } from "./jobs/idle-values.js";
import { Session } from "./session.js";
import type { ClusterTarget, SessionOptions } from "./session-options.js";
import { addressOf, claim, release } from "./session-ownership.js";

let sessionCounter = 0;

/**
 * Open a session on `cluster`: connect (unless a driver is given), check its versions, claim it
 * (a second session on the same Cluster is refused with SESSION_BUSY, or waits `waitForCluster` s)
 * and set every output to its idle value.
 */
export async function openSession(
  cluster: ClusterTarget,
  hardwareConfig: unknown,
  options: SessionOptions = {},
): Promise<Session> {
  const id = `session-${++sessionCounter}`;
  const address = addressOf(cluster);
  const config = parseSessionConfig(options.config, "the session config");
  await claim(address, id, options.waitForCluster ?? 0);
  let driver: ClusterDriver | null = null;
  const own = !(cluster instanceof ClusterDriver);
  try {
    if (cluster instanceof ClusterDriver) driver = cluster;
    else {
      const a =
        typeof cluster === "string"
          ? {
              host: cluster.slice(0, cluster.lastIndexOf(":")),
              port: Number(cluster.slice(cluster.lastIndexOf(":") + 1)),
            }
          : cluster;
      driver = await ClusterDriver.connect({ ...options.transport, host: a.host, port: a.port });
    }
    const idn = driver.identity ?? (await driver.idn());
    checkIdnVersion(idn, address);
    const s = new Session(id, address, driver, own, idn, hardwareConfig, config, options);
    await s.applyIdle();
    return s;
  } catch (e) {
    release(address, id);
    if (own && driver) await driver.close().catch(() => undefined);
    throw e;
  }
}
