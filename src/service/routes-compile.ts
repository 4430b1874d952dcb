/** Routes POST /v1/compile and POST /v1/simulate. */
import type { z } from "zod";
import { requireInput, type RouteContext } from "./route-context.js";
import type { CompileRequestSchema, SimulateRequestSchema } from "./schemas.js";

export function registerCompileRoutes({ pool, route, withHardware }: RouteContext): void {
  route("/v1/compile", "POST", async (req) => {
    const b = withHardware(req.body as z.infer<typeof CompileRequestSchema>);
    requireInput(b);
    const r = await pool.run({
      op: "compile",
      schedule: b.schedule,
      hardware: b.hardware,
      ...(b.device !== undefined ? { device: b.device } : {}),
      verify: b.verify ?? false,
    });
    return { compiled: JSON.parse(r.text) as unknown, compile_ms: Math.round(r.ms * 1000) / 1000 };
  });

  route("/v1/simulate", "POST", async (req) => {
    const b = withHardware(req.body as z.infer<typeof SimulateRequestSchema>);
    requireInput(b);
    const r = await pool.run(
      b.compiled !== undefined
        ? { op: "simulate", compiled: b.compiled }
        : {
            op: "simulate",
            schedule: b.schedule,
            hardware: b.hardware,
            ...(b.device !== undefined ? { device: b.device } : {}),
          },
    );
    return JSON.parse(r.text) as unknown;
  });
}
