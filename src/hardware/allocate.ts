/**
 * Sequencer allocation per module (reference 3.2, quantify `_sequencer_to_portclock`):
 * port-clocks with a measure channel first, then the rest, each group in alphabetical port-clock
 * order; each takes the lowest free sequencer whose allowed channel set holds all its channels.
 */
import { ResourceLimitError } from "../core/errors.js";
import { MODULE_CATALOG } from "../core/module-catalog.js";
import { parseChannelName } from "./channels.js";
import type { PortClockRoute } from "./model.js";

/** Can sequencer `seq` of this module type serve all these channels? */
export function sequencerAccepts(
  type: PortClockRoute["moduleType"],
  seq: number,
  channels: readonly string[],
): boolean {
  if (type === "QTM") {
    // the sequencer index is forced to the channel index
    return channels.every((c) => parseChannelName(c)?.index === seq);
  }
  if (type !== "QRC") return true;
  return channels.every((c) => {
    if (c === "digital_output_0") return true;
    const p = parseChannelName(c);
    if (!p) return false;
    if (p.direction === "input") return seq < 8;
    if (p.index >= 2) return seq >= 8 || seq % 4 === p.index - 2; // seq 0,4 → _2; 1,5 → _3; …
    return seq < 8; // complex_output_0/1 only on sequencers 0–7
  });
}

/** Map port-clock → sequencer index. Routes of several modules may be mixed; duplicates are ignored. */
export function allocateSequencers(routes: readonly PortClockRoute[]): Map<string, number> {
  const byModule = new Map<string, PortClockRoute[]>();
  const seen = new Set<string>();
  for (const r of routes) {
    if (seen.has(r.portClock)) continue;
    seen.add(r.portClock);
    const list = byModule.get(r.moduleName);
    if (list) list.push(r);
    else byModule.set(r.moduleName, [r]);
  }

  const result = new Map<string, number>();
  for (const [moduleName, list] of byModule) {
    const type = list[0]!.moduleType;
    const n = MODULE_CATALOG[type].sequencers;
    const byName = (a: PortClockRoute, b: PortClockRoute): number =>
      a.portClock < b.portClock ? -1 : a.portClock > b.portClock ? 1 : 0;
    const ordered = [
      ...list.filter((r) => r.measureChannels.length > 0).sort(byName),
      ...list.filter((r) => r.measureChannels.length === 0).sort(byName),
    ];
    const used = new Array<boolean>(n).fill(false);
    for (const r of ordered) {
      const channels = [r.channelName, ...r.measureChannels];
      let seq = -1;
      for (let s = 0; s < n; s++) {
        if (!used[s] && sequencerAccepts(type, s, channels)) {
          seq = s;
          break;
        }
      }
      if (seq < 0) {
        const all = ordered.map((x) => x.portClock);
        throw new ResourceLimitError(
          "OUT_OF_SEQUENCERS",
          `Cannot reserve a sequencer on ${moduleName} (${type}, ${n} sequencers) for port-clock '${r.portClock}' (channel ${channels.join(" + ")}); port-clocks on this module: ${all.join(", ")}.`,
          {
            path: moduleName,
            hint:
              type === "QTM"
                ? "On a QTM the sequencer index equals the channel index; use one port-clock per QTM channel."
                : `Each port-clock needs its own sequencer and a ${type} has ${n}${type === "QRC" ? " (complex_output_2..5 are shared by fixed sequencer pairs; inputs only on sequencers 0–7)" : ""}; multiplex fewer clocks per port on this module or move some port-clocks to another module.`,
            details: { module: moduleName, moduleType: type, portClocks: all },
          },
        );
      }
      used[seq] = true;
      result.set(r.portClock, seq);
    }
  }
  return result;
}
