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
import type { TimedNode, TimedSchedule, WaveformPulse } from "../../schedule/model.js";
import { isWaveformPulse } from "../3-emit/waveforms.js";


export function applyCrosstalk(timed: TimedSchedule, hw: HardwareSetup): TimedSchedule {
  const crosstalk = hw.model.crosstalk;
  if (!crosstalk) return timed;
  const pcs = crosstalk.portClocks;
  const index = new Map(pcs.map((pc, i) => [pc, i]));
  const C = invert(crosstalk.matrix, pcs.length);
  const nodes = compensate(timed.nodes, C, index, pcs);
  return { ...timed, nodes };
}

function compensate(nodes: TimedNode[], C: Complex[][], index: Map<string, number>, pcs: string[]): TimedNode[] {
  const out: TimedNode[] = [];
  for (const node of nodes) {
    if (node.kind === "loop") { out.push({ ...node, body: compensate(node.body, C, index, pcs) }); continue; }
    const op = node.op;
    const i = isWaveformPulse(op) ? index.get(`${op.port}-${op.clock}`) : undefined;
    if (!isWaveformPulse(op) || i === undefined) { out.push(node); continue; }
    out.push({ ...node, op: scaled(op, C[i]![i]!, op.port, op.clock) });
    for (let j = 0; j < pcs.length; j++) {
      const c = C[i]![j]!;
      if (j === i || (Math.abs(c.re) < 1e-15 && Math.abs(c.im) < 1e-15)) continue;
      const pc = pcs[j]!;
      const dash = pc.indexOf("-");
      out.push({ ...node, op: scaled({ ...op, name: `${op.name} (crosstalk from ${op.port}-${op.clock})` }, c, pc.slice(0, dash), pc.slice(dash + 1)) });
    }
  }
  return out;
}

/** The pulse multiplied by complex c and moved to (port, clock). */
function scaled(op: WaveformPulse, c: Complex, port: string, clock: string): WaveformPulse {
  const mag = Math.hypot(c.re, c.im);
  const deg = (Math.atan2(c.im, c.re) * 180) / Math.PI;
  const real = Math.abs(c.im) < 1e-15;
  const base = { ...op, port, clock };
  switch (op.type) {
    case "SquarePulse":
      return { ...base, type: "SquarePulse", amp: op.amp * c.re - op.ampImag * c.im, ampImag: op.amp * c.im + op.ampImag * c.re } as WaveformPulse;
    case "DRAGPulse":
      return { ...base, type: "DRAGPulse", G_amp: op.G_amp * mag, D_amp: op.D_amp * mag, phase: op.phase + deg } as WaveformPulse;
    case "GaussPulse":
      return { ...base, type: "GaussPulse", G_amp: op.G_amp * mag, phase: op.phase + deg } as WaveformPulse;
    case "SkewedHermitePulse":
      return { ...base, type: "SkewedHermitePulse", amplitude: op.amplitude * mag, phase: op.phase + deg } as WaveformPulse;
    case "NumericalPulse": {
      const im = op.samples_im ?? op.samples_re.map(() => 0);
      return { ...base, type: "NumericalPulse", samples_re: op.samples_re.map((r, k) => r * c.re - im[k]! * c.im), samples_im: op.samples_re.map((r, k) => r * c.im + im[k]! * c.re) } as WaveformPulse;
    }
    default:
      break;
  }
  if (!real) {
    throw new HardwareConfigError("COMPLEX_CROSSTALK_UNSUPPORTED", `crosstalk compensation of "${op.name}" (${op.type}) on ${op.port}-${op.clock} needs a complex coefficient ${c.re}${c.im >= 0 ? "+" : ""}${c.im}i, but ${op.type} is real by construction`, {
      path: op.path,
      hint: "use real crosstalk coefficients for this port-clock, or pulses with a phase (DRAG, Gauss, SkewedHermite) / complex amplitude (SquarePulse, NumericalPulse)",
    });
  }
  const k = c.re;
  switch (op.type) {
    case "RampPulse": return { ...base, type: "RampPulse", amp: op.amp * k, offset: op.offset * k } as WaveformPulse;
    case "StaircasePulse": return { ...base, type: "StaircasePulse", start_amp: op.start_amp * k, final_amp: op.final_amp * k } as WaveformPulse;
    case "SoftSquarePulse": return { ...base, type: "SoftSquarePulse", amp: op.amp * k } as WaveformPulse;
    case "ChirpPulse": return { ...base, type: "ChirpPulse", amp: op.amp * k } as WaveformPulse;
    case "SuddenNetZeroPulse": return { ...base, type: "SuddenNetZeroPulse", amp_A: op.amp_A * k } as WaveformPulse;
    default: return base;
  }
}

/** Gauss-Jordan inverse of a complex matrix with partial pivoting. */
function invert(M: Complex[][], n: number): Complex[][] {
  const a = M.map((row, i) => [...row.map((c) => ({ ...c })), ...Array.from({ length: n }, (_, j) => ({ re: i === j ? 1 : 0, im: 0 }))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (abs(a[r]![col]!) > abs(a[pivot]![col]!)) pivot = r;
    if (abs(a[pivot]![col]!) < 1e-12) {
      throw new HardwareConfigError("SINGULAR_CROSSTALK", "the crosstalk matrix cannot be inverted", { path: "/hardware_options/crosstalk", hint: "check the coefficients: the compensation matrix is the inverse of identity + crosstalk" });
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
