/**
 * compiler_options.auto_rf_switch (issue 13 item 6), as quantify's `auto_rf_switch_dressing`: the RF
 * switch of every microwave output (ports ending in ":mw") is turned on `auto_rf_switch_ramp_buffer`
 * (default 20 ns) before its pulses and off the same time after them; pulses closer than twice the
 * buffer share one window. Each window becomes a MarkerPulse ("RFSwitchToggle") on the pulses'
 * port-clock, which the marker handler turns into the channel's RF-switch marker bits.
 * Where q1forge differs (docs/hardware-config.md): only RF modules get windows (a baseband output has
 * no RF switch); a module with rf_output_on true (its switch is always on) gets none, with a warning;
 * a loop is one window over all its iterations (quantify dresses only its first iteration); a window
 * ends at the end of the repetition at the latest.
 */
import type { HardwareSetup } from "../../hardware/setup.js";
import type { MarkerPulseOp } from "../../schedule/model.js";
import type { IrNode, TimedSchedule } from "../ir/nodes.js";
import type { CompileWarning } from "../ir/plan.js";
import { forEachOp } from "../ir/walk.js";
import { isWaveformPulse } from "../ops/index.js";
import { withOpTypes } from "./op-types.js";

const RF_TYPES = new Set(["QCM_RF", "QRM_RF", "QRC"]);

export function autoRfSwitch(timed: TimedSchedule, hw: HardwareSetup, warnings: CompileWarning[]): TimedSchedule {
  const options = hw.model.compilerOptions;
  if (!options.autoRfSwitch) return timed;
  const bufferNs = options.rampBufferNs;
  // port-clock → [start, end] spans of its microwave pulses (top-level nodes; a loop counts as a whole)
  const spans = new Map<string, { port: string; clock: string; spans: [number, number][] }>();
  const add = (port: string, clock: string, start: number, end: number): void => {
    const pc = `${port}-${clock}`;
    let e = spans.get(pc);
    if (!e) spans.set(pc, (e = { port, clock, spans: [] }));
    e.spans.push([start, end]);
  };
  for (const node of timed.nodes) {
    if (node.kind === "op") {
      const op = node.op;
      if (op.type === "VoltageOffset" || !isWaveformPulse(op) || !op.port.endsWith(":mw")) continue;
      add(op.port, op.clock, node.startNs, node.startNs + op.durationNs);
    } else if (node.kind === "loop") {
      const end = node.startNs + node.repetitions * node.bodyDurationNs;
      const seen = new Set<string>();
      forEachOp(node.body, ({ op }) => {
        if (!isWaveformPulse(op) || !op.port.endsWith(":mw")) return;
        const pc = `${op.port}-${op.clock}`;
        if (seen.has(pc)) return;
        seen.add(pc);
        add(op.port, op.clock, node.startNs, end);
      });
    }
  }
  let next = timed.nextNodeId;
  const added: IrNode[] = [];
  for (const [pc, { port, clock, spans: list }] of spans) {
    let route;
    try {
      route = hw.routeFor(port, clock);
    } catch {
      continue; // reported by the sequencer pass
    }
    if (!RF_TYPES.has(route.moduleType) || !route.channelName.startsWith("complex_output")) continue;
    if (hw.model.module(route.cluster, route.slot)?.rfOutputOn !== false) {
      warnings.push({
        code: "AUTO_RF_SWITCH_OUTPUT_ALWAYS_ON",
        message: `auto_rf_switch: ${route.moduleName} has rf_output_on true, so its RF switch stays on and ${pc} gets no switch windows; set "rf_output_on": false to switch it around the pulses`,
        path: "/compiler_options/auto_rf_switch",
      });
      continue;
    }
    list.sort((a, b) => a[0] - b[0]);
    const windows: [number, number][] = [];
    for (const [s, e] of list) {
      const last = windows[windows.length - 1];
      if (last && s - last[1] <= 2 * bufferNs) last[1] = Math.max(last[1], e);
      else windows.push([s, e]);
    }
    for (const [s, e] of windows) {
      const start = Math.max(0, s - bufferNs);
      const end = Math.min(timed.durationNs, e + bufferNs);
      const op: MarkerPulseOp = {
        type: "MarkerPulse",
        name: "RFSwitchToggle",
        path: "/compiler_options/auto_rf_switch",
        t0Ns: 0,
        port,
        clock,
        durationNs: end - start,
      };
      added.push({ kind: "op", id: next++, startNs: start, op, label: null });
    }
  }
  if (added.length === 0) return timed;
  const nodes = [...timed.nodes, ...added].sort((a, b) => a.startNs - b.startNs);
  return { ...timed, nodes, nextNodeId: next, ...withOpTypes(timed, ["MarkerPulse"]) };
}
