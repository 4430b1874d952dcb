/**
 * Integer ramps of a register sweep (3-emit/sweeps.ts): v_i = value(i) realised by one register
 * and a constant increment; gains and offsets in 16.16 fixed point with a bias so the end points are
 * exactly the codes the unrolled program would encode.
 */
export const FIXED = 65536;
export const BIAS = 32768;

/** An integer sequence v_i = value(i), realised by one register and a constant increment. */
export interface Ramp {
  fixed: boolean;
  init: number;
  inc: number;
  bias: number;
}

export function value(r: Ramp, i: number): number {
  const acc = r.init + i * r.inc;
  return r.fixed ? Math.floor(acc / FIXED) - r.bias : acc;
}

/** Fixed-point ramp through exactly `first` and `last` (16-bit gain / offset codes). */
export function fixedRamp(first: number, last: number, n: number, bias: number): Ramp {
  return {
    fixed: true,
    init: (first + bias) * FIXED + FIXED / 2,
    inc: n > 1 ? Math.round(((last - first) * FIXED) / (n - 1)) : 0,
    bias,
  };
}

/**
 * The codes round(x_i) of x_i = first + i·step (exact reals), as the unrolled program encodes them,
 * when they stay within the 16-bit range; otherwise (a value encodes to the clamped 32767) the ramp
 * through the encoded end points.
 */
export function codeRamp(firstExact: number, stepExact: number, n: number, firstCode: number, lastCode: number): Ramp {
  const init = Math.floor((firstExact + BIAS + 0.5) * FIXED);
  const inc = Math.round(stepExact * FIXED);
  const r: Ramp = { fixed: true, init, inc, bias: BIAS };
  const lo = Math.min(value(r, 0), value(r, n - 1));
  const hi = Math.max(value(r, 0), value(r, n - 1));
  const ok = init >= 0 && init + (n - 1) * inc >= 0 && init + (n - 1) * inc < 2 ** 32 && lo >= -BIAS && hi < BIAS;
  return ok ? r : fixedRamp(firstCode, lastCode, n, BIAS);
}

/** Direct ramp when the step is a whole number of codes, else fixed point (waits). */
export function waitRamp(first: number, last: number, n: number): Ramp {
  if (n === 1 || (last - first) % (n - 1) === 0)
    return { fixed: false, init: first, inc: n > 1 ? (last - first) / (n - 1) : 0, bias: 0 };
  return fixedRamp(first, last, n, 0);
}

/** Per-sweep-node emission state. */
