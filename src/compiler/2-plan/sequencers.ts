/**
 * Route every operation to its port-clock's sequencer (reference 1.5, 3.2) and allocate sequencers
 * per module. Each sequencer gets its own node list with the loop structure kept; clock operations
 * go to every sequencer whose port-clock uses the clock; long square pulses become offsets
 * (long-pulses.ts). The parts of an expanded operation keep its node id (one operation, one source).
 */
import { HardwareConfigError, ResourceLimitError } from "../../core/errors.js";
import { allocateSequencers } from "../../hardware/allocate.js";
import type { PortClockRoute } from "../../hardware/model.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { ScheduleOp } from "../../schedule/model.js";
import type { IrNode, OpNode, TimedSchedule } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { PortClockKeys } from "../ir/port-clock.js";
import { handlerOf, isAcquisition } from "../ops/index.js";
import { LONG_SQUARE_NS, longSquareParts, type LongSquareParts } from "./long-pulses.js";

type PortOp = Extract<ScheduleOp, { port: string }>;

/**
 * One walk over the schedule builds every port-clock's node list, notes the port-clocks in
 * first-use order (their routes are resolved together afterwards: quantify's version-0.1 input rule
 * depends on which ones are in use) and defers what needs a route: the channel checks (run in the
 * walk's order, so the first failure is the one a check during the walk would have raised) and the
 * long squares (expanded where the route allows offsets). A clock operation goes to the port-clocks
 * of its clock known when it is met; should one of them be first used later, the walk is repeated
 * with all of them known.
 */
export function assignSequencers(timed: TimedSchedule, hw: HardwareSetup): SequencerPlan[] {
  const keys = new PortClockKeys();
  let lists = buildLists(timed.nodes, keys, null);
  const routes = resolveRoutes(hw, lists.firstOp);
  if (lists.clockOpsMissed) {
    const clocksUsed = new Map<string, string[]>(); // clock → port-clocks, in first-use order
    for (const route of routes.values()) {
      const list = clocksUsed.get(route.clock);
      if (list) list.push(route.portClock);
      else clocksUsed.set(route.clock, [route.portClock]);
    }
    lists = buildLists(timed.nodes, keys, clocksUsed);
  }
  // whether an operation fits its channel depends on its type and the route only: checked once per pair
  for (const { op, pc } of lists.checks) checkOperationFitsChannel(op, routes.get(pc)!);
  expandLongSquares(lists, routes, hw);

  const perPortClock = lists.levels[0]!.out;
  const allocation = allocateSequencers([...perPortClock.keys()].map((pc) => routes.get(pc)!));
  const sequencers: SequencerPlan[] = [];
  for (const [pc, nodes] of perPortClock) {
    const route = routes.get(pc)!;
    const index = allocation.get(pc);
    if (index === undefined)
      throw new ResourceLimitError(
        "OUT_OF_SEQUENCERS",
        `no sequencer allocated for port-clock ${pc} on ${route.moduleName}`,
        { path: pc, hint: `use fewer port-clocks on ${route.moduleName} or move some to another module` },
      );
    sequencers.push({
      key: `${route.moduleName}.seq${index}`,
      cluster: route.cluster,
      moduleName: route.moduleName,
      slot: route.slot,
      moduleType: route.moduleType,
      spec: hw.moduleSpec(route.moduleType),
      index,
      route,
      nodes,
      opTypes: [...new Set([...(lists.states.get(pc)?.types ?? []), ...(lists.otherTypes.get(pc) ?? [])])],
    });
  }
  sequencers.sort((a, b) => (a.moduleName === b.moduleName ? a.index - b.index : a.moduleName < b.moduleName ? -1 : 1));
  return sequencers;
}

/**
 * Whether a sequencer's nodes may hold an operation whose type passes `test`: false only when the
 * `opTypes` noted by assignSequencers rule it out (a hand-built plan without them: true, walk).
 */
export function mayHold(seq: SequencerPlan, test: (type: ScheduleOp["type"]) => boolean): boolean {
  return seq.opTypes === undefined || seq.opTypes.some(test);
}

/** What the walk of buildLists found. */
interface Lists {
  /** per node list built (the top level first, then each loop / sweep / conditional body): port-clock → its list */
  levels: Level[];
  /** the first operation of every port-clock, in first-use order */
  firstOp: Map<string, PortOp>;
  /** the first operation of each (port-clock, type), in walk order: checked against the route */
  checks: { op: PortOp; pc: string }[];
  states: Map<string, PortClockState>;
  /** types a port-clock gets besides its own: clock operations, long-square parts */
  otherTypes: Map<string, Set<ScheduleOp["type"]>>;
  /** a clock operation was met before some port-clock of its clock was first used */
  clockOpsMissed: boolean;
}

interface Level {
  out: Map<string, IrNode[]>;
  /** per port-clock, the positions in its list of square pulses long enough to play as offsets */
  longSquares: Map<string, number[]> | null;
}

/** The node lists per port-clock (see assignSequencers); `clocksUsed` null: clock operations go to the port-clocks known so far. */
function buildLists(nodes: IrNode[], keys: PortClockKeys, clocksUsed: Map<string, string[]> | null): Lists {
  const found: Lists = {
    levels: [],
    firstOp: new Map(),
    checks: [],
    states: new Map(),
    otherTypes: new Map(),
    clockOpsMissed: false,
  };
  const clocksSeen = new Map<string, string[]>(); // clock → port-clocks so far, in first-use order
  const clockOpTargets = new Map<string, number>(); // clock → fewest port-clocks a clock operation was given
  const lastOnPort = new Map<string, PortClockState>();
  let last: PortClockState | null = null;
  /**
   * The state of an operation's port-clock, found without a lookup when it is the previous
   * operation's, or the one that followed the previous operation's port-clock last time
   * (interleaved port-clocks, q0 q1 q2 q0 q1 q2 …); else through the port's last port-clock (ports
   * mostly keep one clock) or the key.
   */
  const stateOf = (op: PortOp): PortClockState => {
    const { port, clock } = op;
    if (last !== null) {
      if (last.port === port && last.clock === clock) return last;
      const guess = last.next;
      if (guess !== null && guess.port === port && guess.clock === clock) return (last = guess);
    }
    let st = lastOnPort.get(port);
    if (st === undefined || st.clock !== clock) {
      const key = keys.key(port, clock);
      st = found.states.get(key);
      if (!st) {
        st = { port, clock, pc: key, types: new Set(), lastType: "", next: null, level: -1, list: [] };
        found.states.set(key, st);
        found.firstOp.set(key, op);
        const seen = clocksSeen.get(clock);
        if (seen) seen.push(key);
        else clocksSeen.set(clock, [key]);
      }
      lastOnPort.set(port, st);
    }
    if (last !== null) last.next = st;
    return (last = st);
  };
  const noteType = (pc: string, type: ScheduleOp["type"]): void => {
    const set = found.otherTypes.get(pc);
    if (set) set.add(type);
    else found.otherTypes.set(pc, new Set([type]));
  };
  const build = (nodes: IrNode[]): Map<string, IrNode[]> => {
    const level: Level = { out: new Map(), longSquares: null };
    const id = found.levels.push(level) - 1;
    const out = level.out;
    const listOf = (pc: string): IrNode[] => {
      let l = out.get(pc);
      if (!l) out.set(pc, (l = []));
      return l;
    };
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.kind === "loop") {
        for (const [pc, body] of build(n.body)) {
          listOf(pc).push({
            kind: "loop",
            id: n.id,
            startNs: n.startNs,
            repetitions: n.repetitions,
            bodyDurationNs: n.bodyDurationNs,
            body,
            name: n.name,
            path: n.path,
            label: n.label,
          });
        }
        continue;
      }
      if (n.kind === "sweep") {
        // each sequencer with operations in the body runs its own copy of the sweep loop
        for (const [pc, body] of build(n.body)) listOf(pc).push({ ...n, body });
        continue;
      }
      if (n.kind === "conditional") {
        // each sequencer with operations in the body gets its own part of it (and receives the bit)
        for (const [pc, body] of build(n.body)) listOf(pc).push({ ...n, body });
        continue;
      }
      const op = n.op;
      const placement = handlerOf(op).placement;
      if (placement === "none") continue;
      if (placement === "clock") {
        const clock = (op as { clock: string }).clock;
        const targets = (clocksUsed ?? clocksSeen).get(clock) ?? [];
        for (const pc of targets) {
          listOf(pc).push(n); // shared, never copied
          noteType(pc, op.type);
        }
        const fewest = clockOpTargets.get(clock);
        if (fewest === undefined || targets.length < fewest) clockOpTargets.set(clock, targets.length);
        continue;
      }
      const st = stateOf(op as PortOp);
      if (op.type !== st.lastType) {
        if (!st.types.has(op.type)) {
          found.checks.push({ op: op as PortOp, pc: st.pc });
          st.types.add(op.type);
        }
        st.lastType = op.type;
      }
      if (st.level !== id) {
        st.level = id;
        st.list = listOf(st.pc);
      }
      if (op.type === "SquarePulse" && op.durationNs >= LONG_SQUARE_NS) {
        level.longSquares ??= new Map();
        const at = level.longSquares.get(st.pc);
        if (at) at.push(st.list.length);
        else level.longSquares.set(st.pc, [st.list.length]);
      }
      st.list.push(n);
    }
    return out;
  };
  build(nodes);
  for (const [clock, fewest] of clockOpTargets) {
    if (fewest < (clocksSeen.get(clock)?.length ?? 0)) found.clockOpsMissed = true;
  }
  return found;
}

/**
 * Long square pulses on port-clocks whose route allows offsets become offset on, offset off and a
 * 4 ns tail (long-pulses.ts), in place in their lists; every list of a node list that got parts is
 * sorted by start (the parts sit at the pulse's end). A software-corrected port-clock keeps long
 * squares as waveforms so the filter sees them (quantify would stitch them into offsets and then
 * leave them uncorrected); digital channels have no offsets.
 */
function expandLongSquares(lists: Lists, routes: Map<string, PortClockRoute>, hw: HardwareSetup): void {
  // one expansion per operation object: a library operation placed 1,000 times shares its parts
  const expansions = new Map<ScheduleOp, LongSquareParts>();
  for (const level of lists.levels) {
    if (level.longSquares === null) continue;
    let expanded = false;
    for (const [pc, at] of level.longSquares) {
      const route = routes.get(pc)!;
      if (route.channelName.startsWith("digital") || hw.model.portClock(pc).distortion?.kind === "software") continue;
      const list = level.out.get(pc)!;
      const src = list.slice();
      list.length = 0;
      let from = 0;
      for (const k of at) {
        for (let j = from; j < k; j++) list.push(src[j]!);
        const n = src[k]! as OpNode & { op: Extract<ScheduleOp, { type: "SquarePulse" }> };
        let parts = expansions.get(n.op);
        if (!parts) {
          parts = longSquareParts(n.op);
          expansions.set(n.op, parts);
        }
        const end = n.startNs + n.op.durationNs - 4;
        list.push({ kind: "op", id: n.id, startNs: n.startNs, op: parts[0], label: n.label });
        list.push({ kind: "op", id: n.id, startNs: end, op: parts[1], label: n.label });
        list.push({ kind: "op", id: n.id, startNs: end, op: parts[2], label: n.label });
        from = k + 1;
      }
      for (let j = from; j < src.length; j++) list.push(src[j]!);
      const types = lists.otherTypes.get(pc);
      if (types) types.add("VoltageOffset");
      else lists.otherTypes.set(pc, new Set(["VoltageOffset"]));
      expanded = true;
    }
    if (expanded) for (const l of level.out.values()) sortByStart(l);
  }
}

/** The routes of the port-clocks (one operation each, in first-use order), errors naming the operation. */
function resolveRoutes(hw: HardwareSetup, firstOp: Map<string, PortOp>): Map<string, PortClockRoute> {
  try {
    return hw.routesFor([...firstOp.values()]);
  } catch (e) {
    const op = e instanceof HardwareConfigError && e.path !== null ? firstOp.get(e.path) : undefined;
    if (op && e instanceof HardwareConfigError)
      throw new HardwareConfigError(e.code, `${e.message} (operation "${op.name}" at ${op.path})`, {
        path: op.path,
        hint: e.hint,
      });
    throw e;
  }
}

interface PortClockState {
  port: string;
  clock: string;
  pc: string;
  /** operation types of the port-clock's own operations (each checked to fit the channel once) */
  types: Set<ScheduleOp["type"]>;
  /** the type of its last operation: a run of one type skips the set */
  lastType: string;
  /** the port-clock of the operation that followed its last operation */
  next: PortClockState | null;
  /** `list` is this port-clock's list in `Lists.levels[level]` */
  level: number;
  list: IrNode[];
}

/**
 * Stable sort by start time of a list that is nearly in order (the parts of long squares placed at
 * their ends, a few nodes late): insertion sort, linear in the nodes plus the moves. When the moves
 * grow beyond a few per node it finishes with Array.prototype.sort (also stable: a stably sorted
 * prefix followed by the rest in input order sorts to the same result).
 */
function sortByStart(nodes: IrNode[]): void {
  let budget = 8 * nodes.length + 64;
  for (let i = 1; i < nodes.length; i++) {
    const x = nodes[i]!;
    const t = x.startNs;
    let j = i - 1;
    if (nodes[j]!.startNs <= t) continue;
    while (j >= 0 && nodes[j]!.startNs > t) {
      nodes[j + 1] = nodes[j]!;
      j--;
    }
    nodes[j + 1] = x;
    budget -= i - j;
    if (budget < 0) {
      nodes.sort((a, b) => a.startNs - b.startNs);
      return;
    }
  }
}

function checkOperationFitsChannel(op: Extract<ScheduleOp, { port: string }>, route: PortClockRoute): void {
  const pc = route.portClock;
  if (isAcquisition(op)) {
    const type = route.moduleType;
    if (type === "QCM" || type === "QCM_RF") {
      throw new HardwareConfigError(
        "ACQUISITION_ON_CONTROL_MODULE",
        `acquisition "${op.name}" on port-clock ${pc} is routed to ${route.moduleName} (${type}), which cannot acquire`,
        {
          path: op.path,
          hint: "connect the port to an input of a QRM/QRM_RF module in the connectivity graph",
        },
      );
    }
    if (route.inputIndices.length === 0) {
      throw new HardwareConfigError(
        "ACQUISITION_WITHOUT_INPUT",
        `acquisition "${op.name}" on port-clock ${pc}: channel ${route.moduleName}.${route.channelName} has no input connected`,
        {
          path: op.path,
          hint: `add an edge from ${route.cluster}.module${route.slot}.complex_input_0 (or real_input_N) to the port, or use config version "0.1"`,
        },
      );
    }
  }
  if (!isAcquisition(op) && route.outputIndices.length === 0) {
    throw new HardwareConfigError(
      "PULSE_ON_INPUT_ONLY_PORT",
      `operation "${op.name}" (${op.type}) on port-clock ${pc} cannot play: the port reaches only the input ${route.moduleName}.${route.channelName}`,
      {
        path: op.path,
        hint: `connect an output to the port, e.g. ["${route.cluster}.module${route.slot}.complex_output_0", "${route.port}"], or play on a port that has one`,
      },
    );
  }
  if (route.channelName.startsWith("digital") && !handlerOf(op).digitalChannelOk) {
    throw new HardwareConfigError(
      "ANALOG_OP_ON_DIGITAL_CHANNEL",
      `operation "${op.name}" (${op.type}) on port-clock ${pc} is routed to the digital channel ${route.moduleName}.${route.channelName}`,
      {
        path: op.path,
        hint: "only MarkerPulse can be played on digital_output channels",
      },
    );
  }
}
