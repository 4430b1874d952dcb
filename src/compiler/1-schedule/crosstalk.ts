/**
 * Stage 1b: crosstalk compensation (reference 3.1 b). With M the crosstalk matrix over the sorted
 * union of port-clocks (identity plus M[src][dst] = coefficient) and C = M⁻¹, every waveform pulse on
 * port-clock i is scaled by C[i][i] and copied, scaled by C[i][j], onto every port-clock j ≠ i with
 * C[i][j] ≠ 0, at the same time. Complex coefficients rotate the pulse (phase parameter or complex
 * amplitude); pulse kinds that are real by construction accept only real coefficients.
 */
import { HardwareConfigError } from "../../core/errors.js";
import type { HardwareSetup } from "../../hardware/setup.js";
import type { Complex } from "../../hardware/resolved.js";
import type { WaveformPulse } from "../../schedule/model.js";
import type { IrNode, TimedSchedule } from "../ir/nodes.js";
import { mapLists } from "../ir/walk.js";
import { isWaveformPulse, pulseHandler } from "../ops/index.js";

export function applyCrosstalk(timed: TimedSchedule, hw: HardwareSetup): TimedSchedule {
  const crosstalk = hw.model.crosstalk;
  if (!crosstalk) return timed;
  const pcs = crosstalk.portClocks;
  const index = new Map(pcs.map((pc, i) => [pc, i]));
  const C = invert(crosstalk.matrix, pcs.length);
  let nextNodeId = timed.nextNodeId;
  const nodes = mapLists(timed.nodes, (list) => {
    const out: IrNode[] = [];
    for (const node of list) {
      const op = node.kind === "op" ? node.op : null;
      const i = op && isWaveformPulse(op) ? index.get(`${op.port}-${op.clock}`) : undefined;
      if (node.kind !== "op" || op === null || !isWaveformPulse(op) || i === undefined) {
        out.push(node);
        continue;
      }
      out.push({ ...node, op: scaled(op, C[i]![i]!, op.port, op.clock) });
      for (let j = 0; j < pcs.length; j++) {
        const c = C[i]![j]!;
        if (j === i || (Math.abs(c.re) < 1e-15 && Math.abs(c.im) < 1e-15)) continue;
        const pc = pcs[j]!;
        const dash = pc.indexOf("-");
        const copy = { ...op, name: `${op.name} (crosstalk from ${op.port}-${op.clock})` };
        out.push({ ...node, id: nextNodeId++, op: scaled(copy, c, pc.slice(0, dash), pc.slice(dash + 1)) });
      }
    }
    return out;
  });
  // the copies overlap the pulses of their port-clocks: stacking must look (TimedSchedule.overlapFree)
  const { overlapFree: _, ...rest } = timed;
  return { ...rest, nodes, nextNodeId };
}

/** The pulse multiplied by complex c (through its handler) and moved to (port, clock). */
function scaled(op: WaveformPulse, c: Complex, port: string, clock: string): WaveformPulse {
  const result = pulseHandler(op).scale(op as never, c) as WaveformPulse | null;
  if (result === null) {
    throw new HardwareConfigError(
      "COMPLEX_CROSSTALK_UNSUPPORTED",
      `crosstalk compensation of "${op.name}" (${op.type}) on ${op.port}-${op.clock} needs a complex coefficient ${c.re}${c.im >= 0 ? "+" : ""}${c.im}i, but ${op.type} is real by construction`,
      {
        path: op.path,
        hint: "use real crosstalk coefficients for this port-clock, or pulses with a phase (DRAG, Gauss, SkewedHermite) / complex amplitude (SquarePulse, NumericalPulse)",
      },
    );
  }
  return { ...result, port, clock };
}

/** Gauss-Jordan inverse of a complex matrix with partial pivoting. */
function invert(M: Complex[][], n: number): Complex[][] {
  const a = M.map((row, i) => [
    ...row.map((c) => ({ ...c })),
    ...Array.from({ length: n }, (_, j) => ({ re: i === j ? 1 : 0, im: 0 })),
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (abs(a[r]![col]!) > abs(a[pivot]![col]!)) pivot = r;
    if (abs(a[pivot]![col]!) < 1e-12) {
      throw new HardwareConfigError("SINGULAR_CROSSTALK", "the crosstalk matrix cannot be inverted", {
        path: "/hardware_options/crosstalk",
        hint: "check the coefficients: the compensation matrix is the inverse of identity + crosstalk",
      });
    }
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const inv = div({ re: 1, im: 0 }, a[col]![col]!);
    a[col] = a[col]!.map((x) => mul(x, inv));
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f.re === 0 && f.im === 0) continue;
      a[r] = a[r]!.map((x, k) => sub(x, mul(f, a[col]![k]!)));
    }
  }
  return a.map((row) => row.slice(n));
}

const abs = (c: Complex): number => Math.hypot(c.re, c.im);
const mul = (x: Complex, y: Complex): Complex => ({ re: x.re * y.re - x.im * y.im, im: x.re * y.im + x.im * y.re });
const sub = (x: Complex, y: Complex): Complex => ({ re: x.re - y.re, im: x.im - y.im });
const div = (x: Complex, y: Complex): Complex => {
  const d = y.re * y.re + y.im * y.im;
  return { re: (x.re * y.re + x.im * y.im) / d, im: (x.im * y.re - x.re * y.im) / d };
};
