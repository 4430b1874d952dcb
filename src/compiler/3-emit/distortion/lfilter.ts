/**
 * Native scipy.signal.lfilter: a rational IIR/FIR filter in direct form II transposed with zero
 * initial state, coefficients normalised by a[0]. Output has the input's length.
 */
export function lfilter(b: readonly number[], a: readonly number[], x: Float64Array): Float64Array {
  const a0 = a[0]!;
  const n = Math.max(a.length, b.length);
  const bn = new Float64Array(n);
  const an = new Float64Array(n);
  for (let i = 0; i < b.length; i++) bn[i] = b[i]! / a0;
  for (let i = 0; i < a.length; i++) an[i] = a[i]! / a0;
  const z = new Float64Array(n); // z[n-1] stays 0
  const y = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const xk = x[k]!;
    const yk = bn[0]! * xk + z[0]!;
    for (let i = 1; i < n; i++) z[i - 1] = bn[i]! * xk + z[i]! - an[i]! * yk;
    y[k] = yk;
  }
  return y;
}

/** Clip in place to [min, max]. */
export function clip(x: Float64Array, min: number, max: number): Float64Array {
  for (let k = 0; k < x.length; k++) x[k] = Math.min(max, Math.max(min, x[k]!));
  return x;
}
