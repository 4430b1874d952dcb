/**
 * The compiler's IR: plain data (DESIGN "IR as data"). Every node has a stable numeric id, unique
 * within one compilation; pass outputs refer to nodes by id, never by object identity, so each IR
 * survives `JSON.parse(JSON.stringify(ir))` and every pass can be tested on a hand-built input.
 *
 * Node kinds: operations and loops today; conditionals, sweeps and gates are added as new members
 * of `IrNode` (the walk helper in walk.ts and every `switch (node.kind)` then fail to type-check
 * until they handle them).
 */
import type { ClockResource, ScheduleOp } from "../../schedule/model.js";

export type NodeId = number;

/** One primitive operation placed at an absolute time. */
export interface OpNode {
  kind: "op";
  id: NodeId;
  /** absolute start in ns from the start of the repetition (inside loops: first iteration) */
  startNs: number;
  op: ScheduleOp;
  /** labels of the labelled schedulables it sits in, outermost first ("m0", nested "sub/m0"); null when none */
  label: string | null;
}

/** A LoopOperation: its body executes `repetitions` times back to back (compiled once, not unrolled). */
export interface LoopNode {
  kind: "loop";
  id: NodeId;
  startNs: number;
  repetitions: number;
  bodyDurationNs: number;
  body: IrNode[];
  name: string;
  /** JSON pointer of the LoopOperation */
  path: string;
  label: string | null;
}

/**
 * Feedback control flow (docs/feedback.md): `mode: "if"` plays its body once when the thresholded bit
 * of the measurement labelled `triggerLabel` equals `value` (quantify's ConditionalOperation) and
 * idles for the body's duration otherwise; `mode: "repeat"` plays the body (which holds the
 * measurement) until the bit equals `value`, at most `maxRepetitions` times, and always lasts
 * `maxRepetitions` bodies.
 */
export interface ConditionalNode {
  kind: "conditional";
  id: NodeId;
  startNs: number;
  mode: "if" | "repeat";
  triggerLabel: string;
  value: 0 | 1;
  /** 1 for "if" */
  maxRepetitions: number;
  bodyDurationNs: number;
  body: IrNode[];
  name: string;
  /** JSON pointer of the operation */
  path: string;
  label: string | null;
  /** "if" on a variable instead of a bit (docs/feedback.md "Values over LINQ"); triggerLabel is then "" */
  condition?: { variable: string; comparison: ">=" | "<"; threshold: number };
}

/** One parameter of a sweep dimension (docs/sweeps.md). */
export interface SweepParam {
  name: string;
  /** requested values in the unit of `dim` (time: integer ns, voltage: V, frequency: Hz, angle: deg) */
  values: number[];
  dim: "voltage" | "frequency" | "angle" | "time";
  /** unit for the result coordinate (time coordinates are written in s) */
  unit: string;
  /** the value the body was resolved with (time parameters: 0, the base timing) */
  nominal: number;
  /** JSON pointer of the parameter */
  path: string;
}

/** An operation field driven by a sweep parameter: `field` (normalised name) = scale · value. */
export interface SweepBinding {
  node: NodeId;
  param: number;
  field: string;
  scale: number;
}

/**
 * A Sweep dimension (docs/sweeps.md): the body runs once per point (`repetitions` points) with the
 * zipped parameters `params` advanced together; nested parameters are nested SweepNodes. The body is
 * resolved with each parameter at `nominal`; `bindings` name the operation fields driven by a
 * parameter; `shift` (a duration / rel_time parameter) delays every body node starting at or after
 * `splitNs` (absolute, first point, base timing) by the point's value. Point i lasts
 * `bodyDurationNs` (+ the shift parameter's value); `durationNs` is the whole sweep.
 */
export interface SweepNode {
  kind: "sweep";
  id: NodeId;
  startNs: number;
  repetitions: number;
  bodyDurationNs: number;
  durationNs: number;
  body: IrNode[];
  params: SweepParam[];
  bindings: SweepBinding[];
  shift: { param: number; splitNs: number } | null;
  /** a copy made by unrolling an enclosing sweep: the id of the sweep it copies (null: the original) */
  origin: NodeId | null;
  name: string;
  /** JSON pointer of the Sweep operation */
  path: string;
  label: string | null;
}

export type IrNode = OpNode | LoopNode | ConditionalNode | SweepNode;

/** Phase 1 output: the schedule on one absolute time axis (nodes sorted by start, ties in schedule order). */
export interface TimedSchedule {
  name: string;
  repetitions: number;
  /** duration of one repetition, ns */
  durationNs: number;
  clocks: Record<string, ClockResource>;
  nodes: IrNode[];
  /** the next free node id: passes that add nodes take ids from here and return the new value */
  nextNodeId: NodeId;
  /**
   * The distinct operation types in `nodes` (bodies included; a superset once a pass removed some),
   * noted by 1-schedule/timing while it normalises the operations: a pass skips a walk that would find
   * nothing (1-schedule/long-ramps without a RampPulse). Absent (a hand-built schedule): passes walk.
   * A pass that adds operations of a type not listed adds the type here.
   */
  opTypes?: ScheduleOp["type"][];
  /**
   * true: no two waveform pulses of one port-clock overlap in any list of siblings (the top level, each
   * body), checked by 1-schedule/timing while it places the nodes; 1-schedule/stacking then has
   * nothing to do, and drops the note (a later pass may add overlapping nodes). A pass before stacking
   * that may add overlapping pulses drops it too (crosstalk). Absent or false: stacking walks.
   */
  overlapFree?: boolean;
}
