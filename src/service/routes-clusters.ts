/** Route GET /v1/clusters. */
import type { RouteContext } from "./route-context.js";

export function registerClusterRoutes({ backend, store, route }: RouteContext): void {
  route("/v1/clusters", "GET", async () => {
    const list = await backend.clusters();
    const clusters = [];
    for (const c of list) clusters.push({ ...c, pending_jobs: await store.pendingCount(c.name) });
    return { clusters };
  });
}
