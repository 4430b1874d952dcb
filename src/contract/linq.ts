/**
 * The LINQ section of a compiled schedule (docs/feedback.md): the routes the compiler allocated and
 * the router configuration to apply per cluster before arming (clear the router, then these local
 * routes, CMM routes and broadcasts). zod is the source of truth (schemas/compiled-schedule.schema.json).
 */
import { z } from "zod";

export const LinqPathSchema = z.enum(["self-cast", "intra-cast", "multi-cast"]);
export const LinqRouteModeSchema = z.enum(["self-cast", "intra-cast", "multi-cast", "broadcast"]);

export const LinqRouteSchema = z.object({
  /** LINQ id: 1–15 self-cast, 16–255 routed */
  id: z.number().int().min(1).max(255),
  mode: LinqRouteModeSchema,
  /** feedback_trigger_label of the measurement (qubit_name of the conditionals) */
  trigger_label: z.string(),
  data_type: z.enum(["thresholded_bits"]),
  source: z.object({ cluster: z.string(), module: z.string(), slot: z.number().int(), sequencer: z.number().int() }),
  receivers: z.array(
    z.object({
      module: z.string(),
      slot: z.number().int(),
      sequencer: z.number().int(),
      path: LinqPathSchema,
      /** source Q1 core → this receiver's feedback queue, ns */
      latency_ns: z.number().int(),
    }),
  ),
});
export type LinqRoute = z.infer<typeof LinqRouteSchema>;

/** One cluster's router configuration (Python API: set_local_route, set_cmm_route, set_broadcast). */
export const LinqRouterConfigSchema = z.object({
  local_routes: z.array(
    z.object({
      module: z.string(),
      slot: z.number().int(),
      id: z.number().int().min(16).max(255),
      sequencers: z.array(z.number().int()),
    }),
  ),
  cmm_routes: z.array(
    z.object({
      id: z.number().int().min(16).max(255),
      targets: z.array(z.object({ slot: z.number().int(), sequencer: z.number().int() })),
    }),
  ),
  broadcast: z.array(z.number().int().min(16).max(255)),
});
export type LinqRouterConfig = z.infer<typeof LinqRouterConfigSchema>;

export const FeedbackSectionSchema = z.object({
  routes: z.array(LinqRouteSchema),
  /** router configuration by cluster name */
  router: z.record(z.string(), LinqRouterConfigSchema),
});
export type FeedbackSection = z.infer<typeof FeedbackSectionSchema>;
