/**
 * Inner loops shared by output rendering and acquisitions: summing sequencer paths into a DAC
 * (with clipping) and integrating demodulated / weighted input samples.
 */

/**
 * dst[dOff + k] = clip(offset + Σ srcs[j][k]) for k < n, summed in source order (the same
 * rounding as filling with the offset and adding each source in turn). Returns 1 when clipped.
 * Monomorphic in `dst` (a Float64Array; mixIntoF32 for Float32Array), which keeps V8's stores fast.
 */
export function mixInto(dst: Float64Array, dOff: number, offset: number, srcs: Float64Array[], n: number): number {
  let clipped = 0;
  const m = srcs.length;
  if (m === 1) {
    const a = srcs[0]!;
    for (let k = 0; k < n; k++) {
      let v = offset + a[k]!;
      if (v > 1) {
        v = 1;
        clipped = 1;
      } else if (v < -1) {
        v = -1;
        clipped = 1;
      }
      dst[dOff + k] = v;
    }
    return clipped;
  }
  if (m === 2) {
    const a = srcs[0]!,
      b = srcs[1]!;
    for (let k = 0; k < n; k++) {
      let v = offset + a[k]! + b[k]!;
      if (v > 1) {
        v = 1;
        clipped = 1;
      } else if (v < -1) {
        v = -1;
        clipped = 1;
      }
      dst[dOff + k] = v;
    }
    return clipped;
  }
  for (let k = 0; k < n; k++) {
    let v = offset;
    for (let j = 0; j < m; j++) v += srcs[j]![k]!;
    if (v > 1) {
      v = 1;
      clipped = 1;
    } else if (v < -1) {
      v = -1;
      clipped = 1;
    }
    dst[dOff + k] = v;
  }
  return clipped;
}

/** mixInto into a Float32Array (the rendered report window). */
export function mixIntoF32(dst: Float32Array, dOff: number, offset: number, srcs: Float64Array[], n: number): number {
  let clipped = 0;
  const m = srcs.length;
  if (m === 1) {
    const a = srcs[0]!;
    for (let k = 0; k < n; k++) {
      let v = offset + a[k]!;
      if (v > 1) {
        v = 1;
        clipped = 1;
      } else if (v < -1) {
        v = -1;
        clipped = 1;
      }
      dst[dOff + k] = v;
    }
    return clipped;
  }
  if (m === 2) {
    const a = srcs[0]!,
      b = srcs[1]!;
    for (let k = 0; k < n; k++) {
      let v = offset + a[k]! + b[k]!;
      if (v > 1) {
        v = 1;
        clipped = 1;
      } else if (v < -1) {
        v = -1;
        clipped = 1;
      }
      dst[dOff + k] = v;
    }
    return clipped;
  }
  for (let k = 0; k < n; k++) {
    let v = offset;
    for (let j = 0; j < m; j++) v += srcs[j]![k]!;
    if (v > 1) {
      v = 1;
      clipped = 1;
    } else if (v < -1) {
      v = -1;
      clipped = 1;
    }
    dst[dOff + k] = v;
  }
  return clipped;
}

/**
 * Add one chunk (window offset k0, n samples) of an acquisition window to the running sums
 * acc[0], acc[1]. Chunks must arrive in window order so the summation order is the window's.
 * Demodulation multiplies by √2·e^{−iφ}, so a modulated loopback (√½ on the way out) integrates
 * to its amplitude; in the plain SSB case the √2 is applied once at the end (finishIntegration).
 */
export function integrateInto(
  acc: Float64Array,
  x0: Float64Array | undefined,
  x1: Float64Array | undefined,
  k0: number,
  n: number,
  cos: Float64Array | null,
  sin: Float64Array,
  wt0: Float32Array | undefined,
  wt1: Float32Array | undefined,
  weighed: boolean,
): void {
  let sum0 = acc[0]!,
    sum1 = acc[1]!;
  if (plainSsb(x0 !== undefined, x1 !== undefined, cos !== null, weighed)) {
    const c0 = cos!,
      i0 = x0!,
      q0 = x1!;
    for (let k = 0; k < n; k++) {
      const i = i0[k]!,
        q = q0[k]!,
        c = c0[k]!,
        s = sin[k]!;
      sum0 += c * i + s * q;
      sum1 += c * q - s * i;
    }
  } else {
    const n0 = wt0?.length ?? 0,
      n1 = wt1?.length ?? 0;
    for (let j = 0; j < n; j++) {
      const k = k0 + j;
      let i = x0 ? x0[j]! : 0,
        q = x1 ? x1[j]! : 0;
      if (cos) {
        const c = cos[j]!,
          s = sin[j]!;
        const di = Math.SQRT2 * (c * i + s * q),
          dq = Math.SQRT2 * (c * q - s * i);
        i = di;
        q = dq;
      }
      if (weighed) {
        i *= k < n0 ? wt0![k]! : 0;
        q *= k < n1 ? wt1![k]! : 0;
      }
      sum0 += i;
      sum1 += q;
    }
  }
  acc[0] = sum0;
  acc[1] = sum1;
}

/** Final sums of a window integrated with integrateInto. */
export function finishIntegration(
  acc: Float64Array,
  has0: boolean,
  has1: boolean,
  demod: boolean,
  weighed: boolean,
): [number, number] {
  return plainSsb(has0, has1, demod, weighed) ? [Math.SQRT2 * acc[0]!, Math.SQRT2 * acc[1]!] : [acc[0]!, acc[1]!];
}

function plainSsb(has0: boolean, has1: boolean, demod: boolean, weighed: boolean): boolean {
  return !weighed && demod && has0 && has1;
}
