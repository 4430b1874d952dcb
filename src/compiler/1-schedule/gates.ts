/**
 * Pass 1-schedule/gates (first pass of the schedule phase): gate-level operations → the pulses and
 * acquisitions of the device elements (src/device/elements.ts), as quantify's circuit_to_device pass.
 * Document in, document out: every gate becomes a Composite (pulse_info / acquisition_info) or, for
 * H, a nested Schedule (Z then Y90), so timing sees only pulse-level operations. The device's clocks
 * (`<q>.01`, `<q>.12`, `<q>.ro`) used by the lowered gates are added to the top-level resources
 * unless the schedule defines them (a different frequency there is INCONSISTENT_CLOCK_FREQUENCY,
 * as in quantify). Unchanged parts of the document are shared, not copied; a block or gate object
 * used many times (a loop body) is lowered once. A schedule without gates is returned as is.
 */
import { ScheduleError } from "../../core/errors.js";
import { toSI, type Quantity } from "../../core/units.js";
import type { BasicTransmonElement, GateSite } from "../../device/elements.js";
import type { QuantumDevice } from "../../device/load.js";
import { isGateSpec, type GateSpec, type MeasureGateSpec } from "../../schedule/gates.js";
import type {
  AcquisitionSpec,
  BlockSpec,
  CompositeSpec,
  OperationSpec,
  PulseSpec,
  ScheduleDocument,
  SchedulableSpec,
  SubScheduleSpec,
} from "../../schedule/schema.js";
import { withClocks, type ClockUse } from "./gate-clocks.js";

/** Where a gate sits: the JSON pointer is built only when an error needs it. */
class Site implements GateSite {
  constructor(
    private readonly base: string,
    private readonly index: number,
    readonly gate: string,
  ) {}
  get path(): string {
    return this.index < 0 ? this.base : `${this.base}/schedulables/${this.index}/operation`;
  }
}

/** Gates without arguments beyond the element(s): lowered once per (type, element). */
const SIMPLE = new Set(["X", "Y", "X90", "Y90", "Z", "Z90", "H", "Reset"]);

/** Marks an element list in a lowering key (so ["q0"] and "q0" differ), and a trie's value slot. */
const LIST = Symbol("list");
const VALUE = Symbol("value");

/**
 * The arguments that decide what an unnamed gate without t0 lowers to (its name included), as a
 * sequence of primitive values: equal sequences lower to the same Composite, so such a gate is lowered
 * once per compile and timing normalises it once. null: lowered on its own (angles as unit strings,
 * Measure coords). Values, not a string key: formatting numbers (Rxy phases) and hashing fresh strings
 * cost more than the lowering they save.
 */
function loweringKey(g: GateSpec): unknown[] | null {
  switch (g.type) {
    case "Rxy":
      return typeof g.theta === "number" && typeof g.phi === "number" ? [g.type, g.qubit, g.theta, g.phi] : null;
    case "Rz":
      return typeof g.theta === "number" ? [g.type, g.qubit, g.theta] : null;
    case "CZ":
      return [g.type, g.qC, g.qT];
    case "Measure":
      // acq_index does not change the pulses (bins are numbered in execution order)
      return g.coords === undefined
        ? withElements([g.type, g.acq_channel, g.acq_protocol, g.bin_mode, g.feedback_trigger_label], g.qubit)
        : null;
    default:
      return SIMPLE.has(g.type) ? withElements([g.type], g.qubit) : null;
  }
}

function withElements(key: unknown[], qubit: string | string[]): unknown[] {
  if (typeof qubit === "string") key.push(qubit);
  else key.push(LIST, qubit.length, ...qubit);
  return key;
}

/** Values by key sequence (Map per position, SameValueZero: 0 and −0 are one angle, as the lowering treats them). */
class KeyTrie<V> {
  private readonly root = new Map<unknown, unknown>();

  get(key: readonly unknown[]): V | undefined {
    let node: Map<unknown, unknown> | undefined = this.root;
    for (let i = 0; i < key.length && node; i++) node = node.get(key[i]) as Map<unknown, unknown> | undefined;
    return node?.get(VALUE) as V | undefined;
  }

  set(key: readonly unknown[], value: V): void {
    let node = this.root;
    for (const k of key) {
      let next = node.get(k) as Map<unknown, unknown> | undefined;
      if (!next) node.set(k, (next = new Map()));
      node = next;
    }
    node.set(VALUE, value);
  }
}

class GateLowering {
  private readonly blocks = new Map<object, object>();
  private readonly lowered = new KeyTrie<OperationSpec>();
  private readonly simple = new Map<string, Map<string, OperationSpec>>();
  readonly clocks = new Map<string, ClockUse>();
  gateCount = 0;

  constructor(private readonly device: QuantumDevice | undefined) {}

  block<T extends BlockSpec>(b: T, path: string): T {
    const hit = this.blocks.get(b);
    if (hit) return hit as T;
    let schedulables: SchedulableSpec[] = b.schedulables;
    for (let i = 0; i < b.schedulables.length; i++) {
      const item = b.schedulables[i]!;
      const spec = item.operation;
      if (typeof spec === "string") continue;
      const op = this.operation(spec, path, i);
      if (op === spec) continue;
      if (schedulables === b.schedulables) schedulables = b.schedulables.slice();
      schedulables[i] = withOperation(item, op);
    }
    let operations = b.operations;
    if (b.operations) {
      for (const [key, spec] of Object.entries(b.operations)) {
        const op = this.operation(spec, `${path}/operations/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, -1);
        if (op === spec) continue;
        if (operations === b.operations) operations = { ...b.operations };
        operations![key] = op;
      }
    }
    const out = schedulables === b.schedulables && operations === b.operations ? b : { ...b, schedulables, operations };
    this.blocks.set(b, out);
    return out;
  }

  /** `index` ≥ 0: the operation of schedulable `index` of the block at `base`; −1: `base` is its path. */
  private operation(op: OperationSpec, base: string, index: number): OperationSpec {
    if (isGateSpec(op)) return this.gate(op, base, index);
    switch (op.type) {
      case "LoopOperation": {
        const body = this.block(op.body, `${new Site(base, index, "").path}/body`);
        return body === op.body ? op : { ...op, body };
      }
      case "Schedule":
        return this.block(op, new Site(base, index, "").path);
      case "ConditionalOperation":
      case "RepeatUntilSuccess": {
        // gates in a feedback body (docs/feedback.md), e.g. the X of an active reset
        const body = this.block(op.body, `${new Site(base, index, "").path}/body`);
        return body === op.body ? op : { ...op, body };
      }
      default:
        return op;
    }
  }

  private gate(g: GateSpec, base: string, index: number): OperationSpec {
    this.gateCount++;
    if (g.name !== undefined || g.t0 !== undefined) return this.lower(g, new Site(base, index, g.name ?? gateName(g)));
    if ("qubit" in g && typeof g.qubit === "string" && SIMPLE.has(g.type)) {
      // the common case (X q0, Reset q0): by type and element, without building a key
      let byElement = this.simple.get(g.type);
      if (!byElement) this.simple.set(g.type, (byElement = new Map()));
      let lowered = byElement.get(g.qubit);
      if (!lowered) byElement.set(g.qubit, (lowered = this.lower(g, new Site(base, index, gateName(g)))));
      return lowered;
    }
    const key = loweringKey(g);
    if (key !== null) {
      let lowered = this.lowered.get(key);
      if (!lowered) {
        lowered = this.lower(g, new Site(base, index, gateName(g)));
        this.lowered.set(key, lowered);
      }
      return lowered;
    }
    return this.lower(g, new Site(base, index, g.name ?? gateName(g)));
  }

  private useClock(el: BasicTransmonElement, which: 0 | 1 | 2, site: GateSite): void {
    const clock = which === 0 ? el.clock01 : which === 1 ? el.clock12 : el.clockRo;
    if (this.clocks.has(clock)) return;
    const c = el.clocks()[which]!;
    this.clocks.set(clock, { element: el, freq: c.freq, param: c.param, site });
  }

  private lower(g: GateSpec, site: GateSite): OperationSpec {
    const name = site.gate;
    const device = this.device;
    if (!device) {
      throw new ScheduleError("GATE_WITHOUT_DEVICE", `gate "${name}" (${g.type}) needs a device to compile`, {
        path: site.path,
        hint: "pass the device config: compile(schedule, hardware, { device }), or --device D.json to q1forge compile or q1forge run",
      });
    }
    const t0 = g.t0 === undefined ? 0 : toSI(g.t0, "time", `${site.path}/t0`);
    const angle = (v: Quantity, field: string) =>
      typeof v === "number" ? v : toSI(v, "angle", `${site.path}/${field}`);
    const composite = (pulses: PulseSpec[], acquisitions: AcquisitionSpec[] = []): CompositeSpec => {
      const c: CompositeSpec = { type: "Composite", name };
      if (pulses.length) c.pulse_info = t0 === 0 ? pulses : pulses.map((p) => shift(p, t0));
      if (acquisitions.length) c.acquisition_info = t0 === 0 ? acquisitions : acquisitions.map((a) => shift(a, t0));
      return c;
    };
    const rxy = (q: string, theta: number, phi: number) => {
      const el = device.element(q, site);
      this.useClock(el, 0, site);
      return composite(el.rxy(theta, phi, site));
    };
    const rz = (q: string, theta: number) => {
      const el = device.element(q, site);
      this.useClock(el, 0, site);
      return composite(el.rz(theta));
    };
    switch (g.type) {
      case "X":
        return rxy(g.qubit, 180, 0);
      case "Y":
        return rxy(g.qubit, 180, 90);
      case "X90":
        return rxy(g.qubit, 90, 0);
      case "Y90":
        return rxy(g.qubit, 90, 90);
      case "Rxy":
        return rxy(g.qubit, angle(g.theta, "theta"), angle(g.phi, "phi"));
      case "Z":
        return rz(g.qubit, 180);
      case "Z90":
        return rz(g.qubit, 90);
      case "Rz":
        return rz(g.qubit, angle(g.theta, "theta"));
      case "H": {
        // quantify's hadamard_as_y90z: Z, then Y90 when it ends
        const el = device.element(g.qubit, site);
        this.useClock(el, 0, site);
        // (a t0 delays the Z; the Y90 follows the Z's end, so it moves with it)
        const z = el.rz(180);
        const sub: SubScheduleSpec = {
          type: "Schedule",
          name,
          schedulables: [
            {
              operation: {
                type: "Composite",
                name: `Z ${g.qubit}`,
                pulse_info: t0 === 0 ? z : z.map((p) => shift(p, t0)),
              },
            },
            { operation: { type: "Composite", name: `Y_90 ${g.qubit}`, pulse_info: el.rxy(90, 90, site) } },
          ],
        };
        return sub;
      }
      case "CZ": {
        const edge = device.edgeFor(g.qC, g.qT, site);
        this.useClock(edge.parent, 0, site);
        this.useClock(edge.child, 0, site);
        return composite(edge.czPulses(site));
      }
      case "Reset": {
        const pulses: PulseSpec[] = [];
        for (const q of qubitList(g.qubit)) pulses.push(...device.element(q, site).reset(site));
        return composite(pulses);
      }
      case "Measure":
        return this.measure(g, device, site, composite);
    }
  }

  private measure(
    g: MeasureGateSpec,
    device: QuantumDevice,
    site: GateSite,
    composite: (p: PulseSpec[], a: AcquisitionSpec[]) => CompositeSpec,
  ): CompositeSpec {
    const pulses: PulseSpec[] = [];
    const acquisitions: AcquisitionSpec[] = [];
    for (const q of qubitList(g.qubit)) {
      const el = device.element(q, site);
      this.useClock(el, 2, site);
      const m = el.measure(
        {
          acqChannel: g.acq_channel,
          acqProtocol: g.acq_protocol,
          binMode: g.bin_mode === undefined ? undefined : (g.bin_mode.toLowerCase() as "average" | "append"),
          coords: g.coords,
          feedbackTriggerLabel: g.feedback_trigger_label,
        },
        site,
      );
      pulses.push(...m.pulses);
      acquisitions.push(...m.acquisitions);
    }
    return composite(pulses, acquisitions);
  }
}

/**
 * A schedulable with its operation replaced: one object shape for every schedulable (absent fields
 * stay undefined), as `{ ...item, operation }` turns slow over the many shapes schedulables come in.
 * Only the timing pass reads it (field by field).
 */
function withOperation(item: SchedulableSpec, operation: OperationSpec): SchedulableSpec {
  return {
    label: item.label,
    operation,
    ref_schedulable: item.ref_schedulable,
    ref_pt: item.ref_pt,
    ref_pt_new: item.ref_pt_new,
    rel_time: item.rel_time,
    timing_constraints: item.timing_constraints,
  };
}

function qubitList(q: string | string[]): string[] {
  return typeof q === "string" ? [q] : q;
}

function shift<T extends { t0?: Quantity | undefined }>(spec: T, t0: number): T {
  const own = spec.t0 === undefined ? 0 : typeof spec.t0 === "number" ? spec.t0 : toSI(spec.t0, "time", "t0");
  return { ...spec, t0: own + t0 };
}

/** quantify's operation names: "X q0", "X_90 q0", "Rxy(90, 0, 'q0')", "CZ (q0, q1)", "Measure q0". */
export function gateName(g: GateSpec): string {
  switch (g.type) {
    case "X90":
      return `X_90 ${g.qubit}`;
    case "Y90":
      return `Y_90 ${g.qubit}`;
    case "Z90":
      return `Z_90 ${g.qubit}`;
    case "Rxy":
      return `Rxy(${String(g.theta)}, ${String(g.phi)}, '${g.qubit}')`;
    case "Rz":
      return `Rz(${String(g.theta)}, '${g.qubit}')`;
    case "CZ":
      return `CZ (${g.qC}, ${g.qT})`;
    case "Measure":
    case "Reset":
      return `${g.type} ${qubitList(g.qubit).join(", ")}`;
    default:
      return `${g.type} ${g.qubit}`;
  }
}

/** The pass: lower every gate of `doc` with `device` (required as soon as the schedule holds a gate). */
export function lowerGates(doc: ScheduleDocument, device: QuantumDevice | undefined): ScheduleDocument {
  const lowering = new GateLowering(device);
  const out = lowering.block(doc, "");
  if (lowering.gateCount === 0) return doc;
  return withClocks(out, lowering.clocks);
}
