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
import type { IrNode, TimedSchedule } from "../ir/nodes.js";
import type { SequencerPlan } from "../ir/plan.js";
import { PortClockKeys } from "../ir/port-clock.js";
import { forEachOp } from "../ir/walk.js";
import { handlerOf, isAcquisition } from "../ops/index.js";
import { LONG_SQUARE_NS, longSquareParts, type LongSquareParts } from "./long-pulses.js";

export function assignSequencers(timed: TimedSchedule, hw: HardwareSetup): SequencerPlan[] {
  const keys = new PortClockKeys();
  const routes = routeAll(timed, hw, keys);
  const clocksUsed = new Map<string, string[]>(); // clock → port-clocks, in first-use order
  for (const route of routes.values()) {
    const list = clocksUsed.get(route.clock);
    if (list) list.push(route.portClock);
    else clocksUsed.set(route.clock, [route.portClock]);
  }
  // one expansion per operation object: a library operation placed 1,000 times shares its parts
  const expansions = new Map<ScheduleOp, LongSquareParts>();
  // A software-corrected port-clock keeps long squares as waveforms so the filter sees them (quantify
  // would stitch them into offsets and then leave them uncorrected); digital channels have no offsets.
  const stitchableByPc = new Map<string, boolean>();
  const stitchable = (route: PortClockRoute): boolean => {
    let yes = stitchableByPc.get(route.portClock);
    if (yes === undefined) {
      yes =
        !route.channelName.startsWith("digital") && hw.model.portClock(route.portClock).distortion?.kind !== "software";
      stitchableByPc.set(route.portClock, yes);
    }
    return yes;
  };
  // per port-clock: its key, route and the operation types checked to fit its channel
  const pcStates = new Map<string, PortClockState>();
  const lastOnPort = new Map<string, PortClockState>();
  let last: PortClockState | null = null;
  /**
   * The state of an operation's port-clock, found without a lookup when it is the previous
   * operation's, or the one that followed the previous operation's port-clock last time
   * (interleaved port-clocks, q0 q1 q2 q0 q1 q2 …); else through the port's last port-clock (ports
   * mostly keep one clock) or the key.
   */
  const stateOf = (port: string, clock: string): PortClockState => {
    if (last !== null) {
      if (last.port === port && last.clock === clock) return last;
      const guess = last.next;
      if (guess !== null && guess.port === port && guess.clock === clock) return (last = guess);
    }
    let st = lastOnPort.get(port);
    if (st === undefined || st.clock !== clock) {
      const key = keys.key(port, clock);
      st = pcStates.get(key);
      if (!st) {
        st = {
          port,
          clock,
          pc: key,
          route: routes.get(key)!,
          types: new Set(),
          lastType: "",
          next: null,
          level: -1,
          list: [],
        };
        pcStates.set(key, st);
      }
      lastOnPort.set(port, st);
    }
    if (last !== null) last.next = st;
    return (last = st);
  };
  // types a port-clock gets besides its own checked ones: clock operations, long-square parts
  const otherTypes = new Map<string, Set<ScheduleOp["type"]>>();
  const noteType = (pc: string, type: ScheduleOp["type"]): void => {
    const set = otherTypes.get(pc);
    if (set) set.add(type);
    else otherTypes.set(pc, new Set([type]));
  };
  let levels = 0; // numbers the node lists being built (each build call), for PortClockState.level
  const build = (nodes: IrNode[]): Map<string, IrNode[]> => {
    const out = new Map<string, IrNode[]>();
    const level = levels++;
    const listOf = (pc: string): IrNode[] => {
      let l = out.get(pc);
      if (!l) out.set(pc, (l = []));
      return l;
    };
    /** append to the list of a port-clock state (kept on the state while this list is built) */
    const pushTo = (st: PortClockState, node: IrNode): void => {
      if (st.level !== level) {
        st.level = level;
        st.list = listOf(st.pc);
      }
      st.list.push(node);
    };
    let needsSort = false;
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
        for (const pc of clocksUsed.get((op as { clock: string }).clock) ?? []) {
          listOf(pc).push(n); // shared, never copied
          noteType(pc, op.type);
        }
        continue;
      }
      const onPort = op as Extract<ScheduleOp, { port: string }>;
      const st = stateOf(onPort.port, onPort.clock);
      // whether an operation fits its channel depends on its type and the route only: checked once per pair
      if (op.type !== st.lastType) {
        if (!st.types.has(op.type)) {
          checkOperationFitsChannel(onPort, st.route);
          st.types.add(op.type);
        }
        st.lastType = op.type;
      }
      if (op.type === "SquarePulse" && op.durationNs >= LONG_SQUARE_NS && stitchable(st.route)) {
        let parts = expansions.get(op);
        if (!parts) {
          parts = longSquareParts(op);
          expansions.set(op, parts);
        }
        const end = n.startNs + op.durationNs - 4;
        pushTo(st, { kind: "op", id: n.id, startNs: n.startNs, op: parts[0], label: n.label });
        pushTo(st, { kind: "op", id: n.id, startNs: end, op: parts[1], label: n.label });
        pushTo(st, { kind: "op", id: n.id, startNs: end, op: parts[2], label: n.label });
        noteType(st.pc, parts[0].type);
        needsSort = true;
        continue;
      }
      pushTo(st, n);
    }
    if (needsSort) for (const l of out.values()) sortByStart(l);
    return out;
  };
  const perPortClock = build(timed.nodes);

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
      opTypes: [...new Set([...(pcStates.get(pc)?.types ?? []), ...(otherTypes.get(pc) ?? [])])],
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

/** The route of every port-clock that carries an operation with a port, in first-use order. */
function routeAll(timed: TimedSchedule, hw: HardwareSetup, keys: PortClockKeys): Map<string, PortClockRoute> {
  // all used port-clocks first: quantify's version-0.1 input rule depends on which ones are in use
  const firstOp = new Map<string, Extract<ScheduleOp, { port: string }>>();
  // as in assignSequencers' stateOf: the previous operation's port-clock, or the one that followed it
  // last time, is recognised without a lookup
  const seen = new Map<string, SeenPortClock>();
  let last: SeenPortClock | null = null;
  forEachOp(timed.nodes, ({ op }) => {
    if (handlerOf(op).placement !== "port-clock") return;
    const { port, clock } = op as Extract<ScheduleOp, { port: string }>;
    if (last !== null) {
      if (last.port === port && last.clock === clock) return;
      const guess = last.next;
      if (guess !== null && guess.port === port && guess.clock === clock) {
        last = guess;
        return;
      }
    }
    const pc = keys.key(port, clock);
    let st = seen.get(pc);
    if (!st) {
      seen.set(pc, (st = { port, clock, next: null }));
      firstOp.set(pc, op as Extract<ScheduleOp, { port: string }>);
    }
    if (last !== null) last.next = st;
    last = st;
  });
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

interface SeenPortClock {
  port: string;
  clock: string;
  /** the port-clock of the operation that followed its last operation */
  next: SeenPortClock | null;
}

interface PortClockState {
  port: string;
  clock: string;
  pc: string;
  route: PortClockRoute;
  /** operation types checked to fit the channel (every type of the port-clock's own operations) */
  types: Set<ScheduleOp["type"]>;
  /** the type of its last operation (checked): a run of one type skips the set */
  lastType: string;
  /** the port-clock of the operation that followed its last operation */
  next: PortClockState | null;
  /** `list` is this port-clock's list in the node list numbered `level` (a build call) */
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
