/**
 * Stage 2: route every operation to its port-clock's sequencer (reference 1.5, 3.2), expand long
 * square pulses into voltage offsets (reference 3.1 d) and plan acquisition channels (2.8, 3.12).
 */
import { ResourceLimitError, ScheduleError, HardwareConfigError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import { allocateSequencers } from "../../hardware/allocate.js";
import type { PortClockRoute } from "../../hardware/model.js";
import type { AcquisitionOp, ScheduleOp, TimedNode, TimedSchedule, VoltageOffsetOp, WaveformPulse } from "../../schedule/model.js";
import type { AcqChannelPlan, AssignedSchedule, SeqNode, SequencerPlan } from "../ir/plan.js";
import { PortClockKeys } from "../ir/port-clock.js";
import { hasSoftwareCorrection } from "../3-emit/distortion/software.js";

/** Square pulses at least this long become a voltage offset plus a 4 ns waveform (PULSE_STITCHING_DURATION). */
export const LONG_SQUARE_NS = 100;

const ACQ_TYPES = new Set(["SSBIntegrationComplex", "NumericalSeparatedWeightedIntegration", "NumericalWeightedIntegration", "ThresholdedAcquisition", "Trace"]);

export function isAcquisition(op: ScheduleOp): op is AcquisitionOp {
  return ACQ_TYPES.has(op.type);
}

function isClockOp(op: ScheduleOp): op is Extract<ScheduleOp, { type: "SetClockFrequency" | "ShiftClockPhase" | "ResetClockPhase" }> {
  return op.type === "SetClockFrequency" || op.type === "ShiftClockPhase" || op.type === "ResetClockPhase";
}

export function assignSequencers(timed: TimedSchedule, hw: HardwareSetup): AssignedSchedule {
  // Pass 1: every port-clock that carries an operation with a port, and its route.
  const routes = new Map<string, PortClockRoute>();
  const keys = new PortClockKeys();
  // one expansion per operation object: a library operation placed 1,000 times shares its parts
  const expansions = new Map<ScheduleOp, [VoltageOffsetOp, VoltageOffsetOp, WaveformPulse]>();
  const clocksUsed = new Map<string, string[]>(); // clock → port-clocks
  const visit = (nodes: TimedNode[]): void => {
    for (const n of nodes) {
      if (n.kind === "loop") { visit(n.body); continue; }
      const op = n.op;
      if (op.type === "IdlePulse" || isClockOp(op)) continue;
      const pc = keys.key(op.port, op.clock);
      if (routes.has(pc)) continue;
      let route: PortClockRoute;
      try {
        route = hw.routeFor(op.port, op.clock);
      } catch (e) {
        if (e instanceof HardwareConfigError && (e.path === null || e.path === pc)) throw new HardwareConfigError(e.code, `${e.message} (operation "${op.name}" at ${op.path})`, { path: op.path, hint: e.hint });
        throw e;
      }
      routes.set(pc, route);
      const list = clocksUsed.get(op.clock);
      if (list) list.push(pc); else clocksUsed.set(op.clock, [pc]);
    }
  };
  visit(timed.nodes);

  // Pass 2: per port-clock node lists, keeping loop structure.
  const build = (nodes: TimedNode[]): Map<string, SeqNode[]> => {
    const out = new Map<string, SeqNode[]>();
    const push = (pc: string, node: SeqNode): void => {
      const l = out.get(pc);
      if (l) l.push(node); else out.set(pc, [node]);
    };
    let needsSort = false;
    for (const n of nodes) {
      if (n.kind === "loop") {
        const body = build(n.body);
        for (const [pc, bodyNodes] of body) {
          push(pc, { kind: "loop", startNs: n.startNs, repetitions: n.repetitions, bodyDurationNs: n.bodyDurationNs, body: bodyNodes, name: n.name, path: n.path });
        }
        continue;
      }
      const op = n.op;
      if (op.type === "IdlePulse") continue;
      if (isClockOp(op)) {
        for (const pc of clocksUsed.get(op.clock) ?? []) push(pc, n); // a TimedOp is a SeqOp: shared, never copied
        continue;
      }
      const pc = keys.key(op.port, op.clock);
      const route = routes.get(pc)!;
      checkOperationFitsChannel(op, route);
      // A software-corrected port-clock keeps long squares as waveforms so the filter sees them (quantify
      // would stitch them into offsets and then leave them uncorrected).
      if (op.type === "SquarePulse" && op.durationNs >= LONG_SQUARE_NS && !route.channelName.startsWith("digital") && !hasSoftwareCorrection(hw, pc)) {
        let parts = expansions.get(op);
        if (!parts) { parts = longSquareParts(op); expansions.set(op, parts); }
        const end = n.startNs + op.durationNs - 4;
        push(pc, { kind: "op", startNs: n.startNs, op: parts[0] });
        push(pc, { kind: "op", startNs: end, op: parts[1] });
        push(pc, { kind: "op", startNs: end, op: parts[2] });
        needsSort = true;
        continue;
      }
      push(pc, n);
    }
    if (needsSort) for (const l of out.values()) stableSortByStart(l);
    return out;
  };
  const perPortClock = build(timed.nodes);

  // Sequencer allocation per module.
  const usedRoutes = [...perPortClock.keys()].map((pc) => routes.get(pc)!);
  const allocation = allocateSequencers(usedRoutes);
  const sequencers: SequencerPlan[] = [];
  for (const [pc, nodes] of perPortClock) {
    const route = routes.get(pc)!;
    const index = allocation.get(pc);
    if (index === undefined) throw new ResourceLimitError("OUT_OF_SEQUENCERS", `no sequencer allocated for port-clock ${pc} on ${route.moduleName}`, { path: pc });
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
    });
  }
  sequencers.sort((a, b) => (a.moduleName === b.moduleName ? a.index - b.index : a.moduleName < b.moduleName ? -1 : 1));
  return { timed, sequencers, acqChannels: planAcquisitions(sequencers, timed.repetitions) };
}

function checkOperationFitsChannel(op: ScheduleOp, route: PortClockRoute): void {
  const pc = route.portClock;
  if (isAcquisition(op)) {
    const spec = route.moduleType;
    if (spec === "QCM" || spec === "QCM_RF") {
      throw new HardwareConfigError("ACQUISITION_ON_CONTROL_MODULE", `acquisition "${op.name}" on port-clock ${pc} is routed to ${route.moduleName} (${spec}), which cannot acquire`, {
        path: op.path,
        hint: "connect the port to an input of a QRM/QRM_RF module in the connectivity graph",
      });
    }
    if (route.inputIndices.length === 0) {
      throw new HardwareConfigError("ACQUISITION_WITHOUT_INPUT", `acquisition "${op.name}" on port-clock ${pc}: channel ${route.moduleName}.${route.channelName} has no input connected`, {
        path: op.path,
        hint: `add an edge from ${route.cluster}.module${route.slot}.complex_input_0 (or real_input_N) to the port, or use config version "0.1"`,
      });
    }
  }
  if (route.channelName.startsWith("digital") && op.type !== "MarkerPulse") {
    throw new HardwareConfigError("ANALOG_OP_ON_DIGITAL_CHANNEL", `operation "${op.name}" (${op.type}) on port-clock ${pc} is routed to the digital channel ${route.moduleName}.${route.channelName}`, {
      path: op.path,
      hint: "only MarkerPulse can be played on digital_output channels",
    });
  }
}

/** A long square pulse as offset on, offset off 4 ns before its end, and a 4 ns square tail (reference 3.1 d). */
function longSquareParts(op: Extract<WaveformPulse, { type: "SquarePulse" }>): [VoltageOffsetOp, VoltageOffsetOp, WaveformPulse] {
  // Literal objects with the normaliser's property order keep one hidden class per op type (no spreads).
  const offset = (i: number, q: number): VoltageOffsetOp => ({ type: "VoltageOffset", name: op.name, path: op.path, t0Ns: op.t0Ns, port: op.port, clock: op.clock, durationNs: 0, offset_path_I: i, offset_path_Q: q });
  const tail: WaveformPulse = { type: "SquarePulse", name: op.name, path: op.path, t0Ns: op.t0Ns, port: op.port, clock: op.clock, durationNs: 4, amp: op.amp, ampImag: op.ampImag };
  return [offset(op.amp, op.ampImag), offset(0, 0), tail];
}

function stableSortByStart(nodes: SeqNode[]): void {
  nodes.sort((a, b) => a.startNs - b.startNs); // Array.prototype.sort is stable (ES2019)
}

function planAcquisitions(sequencers: SequencerPlan[], repetitions: number): AcqChannelPlan[] {
  const plans = new Map<string, AcqChannelPlan>();
  for (const seq of sequencers) {
    let nextIndex = 0;
    let totalBins = 0;
    let integration: { ns: number; op: AcquisitionOp } | null = null;
    const walk = (nodes: SeqNode[], multiplier: number, loops: number[]): void => {
      for (const n of nodes) {
        if (n.kind === "loop") { walk(n.body, multiplier * n.repetitions, [...loops, n.repetitions]); continue; }
        const op = n.op;
        if (!isAcquisition(op)) continue;
        if (integration === null) integration = { ns: op.durationNs, op };
        else if (integration.ns !== op.durationNs) {
          throw new ScheduleError("INTEGRATION_LENGTH_MISMATCH", `acquisition "${op.name}" lasts ${op.durationNs} ns but "${integration.op.name}" on the same sequencer (${seq.route.portClock}) lasts ${integration.ns} ns`, {
            path: op.path,
            hint: "all acquisitions of one port-clock share one integration length; give them the same duration",
          });
        }
        let plan = plans.get(op.acq_channel);
        if (!plan) {
          if (nextIndex >= seq.spec.acqIndices) {
            throw new ResourceLimitError("OUT_OF_ACQ_INDICES", `acquisition "${op.name}" needs a new Qblox acquisition index on ${seq.key} (${seq.route.portClock}), but all ${seq.spec.acqIndices} are used`, { path: op.path, hint: "use fewer acq_channels per port-clock" });
          }
          plan = {
            channel: op.acq_channel, protocol: op.type, binMode: op.bin_mode, sequencerKey: seq.key, portClock: seq.route.portClock,
            qbloxIndex: nextIndex++, numAcqIndices: 0, binOfOp: new Map(), numBins: 0, loopRepetitions: loops, coords: null, integrationLengthNs: op.durationNs,
          };
          plans.set(op.acq_channel, plan);
        } else {
          if (plan.sequencerKey !== seq.key) {
            throw new ScheduleError("ACQ_CHANNEL_ON_TWO_PORT_CLOCKS", `acq_channel ${op.acq_channel} is used on port-clocks ${plan.portClock} and ${seq.route.portClock}`, { path: op.path, hint: "use a distinct acq_channel per port-clock" });
          }
          if (plan.protocol !== op.type) {
            throw new ScheduleError("MIXED_PROTOCOLS", `acq_channel ${op.acq_channel} mixes protocols ${plan.protocol} and ${op.type} ("${op.name}")`, { path: op.path, hint: "use one protocol per acq_channel" });
          }
          if (plan.binMode !== op.bin_mode) {
            throw new ScheduleError("MIXED_BIN_MODES", `acq_channel ${op.acq_channel} mixes bin modes ${plan.binMode} and ${op.bin_mode} ("${op.name}")`, { path: op.path, hint: "use one bin mode per acq_channel" });
          }
        }
        const before = plan.numBins;
        if (op.type === "Trace") {
          if (plan.numAcqIndices > 0) throw new ScheduleError("SECOND_TRACE", `acq_channel ${op.acq_channel} has a second Trace acquisition "${op.name}"`, { path: op.path, hint: "a Trace channel holds one (averaged) trace; use one Trace per acq_channel" });
          if (op.bin_mode !== "average") throw new ScheduleError("BAD_BIN_MODE", `Trace acquisition "${op.name}" supports only bin_mode "average"`, { path: op.path });
          plan.numAcqIndices = 1;
          plan.numBins = 1;
        } else if (op.bin_mode === "average") {
          plan.binOfOp.set(n, plan.numAcqIndices);
          plan.numAcqIndices += 1;
          plan.numBins = plan.numAcqIndices;
        } else {
          plan.numAcqIndices += multiplier;
          plan.numBins = plan.numAcqIndices * repetitions;
        }
        if (op.coords) {
          plan.coords ??= [];
          for (let k = plan.coords.length; k < plan.numAcqIndices; k++) plan.coords.push(op.coords);
        }
        totalBins += plan.numBins - before;
        if (plan.numBins > seq.spec.binsPerIndex || totalBins > seq.spec.maxBins) {
          throw new ResourceLimitError("OUT_OF_BINS", `acquisition "${op.name}" on ${seq.route.portClock} needs ${plan.numBins > seq.spec.binsPerIndex ? `${plan.numBins} bins for acq_channel ${op.acq_channel} (limit ${seq.spec.binsPerIndex} per acquisition index)` : `${totalBins} bins on ${seq.key} (limit ${seq.spec.maxBins})`}`, {
            path: op.path,
            hint: "reduce repetitions or APPEND acquisitions, or use bin_mode average",
          });
        }
      }
    };
    walk(seq.nodes, 1, []);
  }
  return [...plans.values()];
}
