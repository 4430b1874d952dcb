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
  /** thresholded bits (ConditionalOperation, ReceiveFeedback), IQ values or a register (SendFeedback) */
  data_type: z.enum(["thresholded_bits", "iq", "register"]),
  /** IQ: the 32-bit window is bits [31+iq_shift : iq_shift] of the 48-bit accumulator (fb_acq_iq_shift) */
  iq_shift: z.number().int().min(0).max(63).optional(),
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
  /**
   * write-combine (fb_acq_tb_cfg): the thresholded bits of several sequencers of the source module,
   * whose acquisitions end together, packed into one payload of `length_bytes` (one queue entry);
   * each part's 2-bit value (bit 1 valid, bit 0 result) sits at bits [bit_pos+1 : bit_pos].
   * `trigger_label` then lists the parts' labels joined by ",".
   */
  write_combine: z
    .object({
      length_bytes: z.number().int().min(1).max(127),
      parts: z.array(
        z.object({
          trigger_label: z.string(),
          slot: z.number().int(),
          sequencer: z.number().int(),
          bit_pos: z.number().int().min(0).max(1022),
        }),
      ),
    })
    .optional(),
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

/**
 * A wait the compiler inserted with feedback_insert_wait (docs/feedback.md): the conditional (and
 * everything from its start on) was delayed by `wait_ns` so that the measurement's result arrives.
 */
export const FeedbackWaitSchema = z.object({
  conditional: z.string(),
  /** JSON pointer of the conditional */
  path: z.string(),
  measurement: z.string(),
  /** the receiving sequencer that needed the most time */
  receiver: z.string(),
  /** when the conditional started (its bit check, for RepeatUntilSuccess) as scheduled, ns */
  scheduled_ns: z.number().int(),
  /** the gap added, ns (the missing time rounded up to the 4 ns grid) */
  wait_ns: z.number().int(),
  /** LINQ latency + receiver allowance: the minimum gap from the end of the acquisition window, ns */
  min_gap_ns: z.number().int(),
});
export type FeedbackWait = z.infer<typeof FeedbackWaitSchema>;
