/**
 * Acquisition results as an xarray dataset in `Dataset.to_dict(data=True)` form (docs/sweeps.md), so
 * `xarray.Dataset.from_dict(json.load(open("results.json")))` loads them in one line.
 *
 * - One data variable per acq_channel, named after the channel as quantify names it (`"0"`, `"S21"`).
 * - Dimensions and coordinates come from the compiled layout (`acquisitions[ch].dataset`): sweep
 *   parameters (values actually played; `<name>_requested` alongside), `repetition` for APPEND,
 *   `acq_index_<channel>` otherwise.
 * - Complex protocols get a trailing dimension `complex` = ["real", "imag"] (JSON has no complex
 *   numbers): `ds["S21"].sel(complex="real") + 1j * ds["S21"].sel(complex="imag")`.
 * - A value without data (NaN) is written as null.
 */
import { PROTOCOLS } from "../core/protocols.js";
import type { CompiledSchedule, DatasetLayout, Protocol } from "./compiled-schedule.js";

export interface XarrayVariable {
  dims: string[];
  data: unknown;
  attrs: Record<string, unknown>;
}

export interface XarrayDataset {
  coords: Record<string, XarrayVariable>;
  data_vars: Record<string, XarrayVariable>;
  dims: Record<string, number>;
  attrs: Record<string, unknown>;
}

/** One channel's values as the shaper returns them (row-major, `shape`). */
export interface ChannelValues {
  protocol: Protocol | string;
  dims: string[];
  shape: number[];
  real: ArrayLike<number>;
  imag: ArrayLike<number> | null;
}

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Nested lists of `shape` from a row-major array; `leaf(i)` gives the value at flat index i. */
function nest(shape: readonly number[], leaf: (i: number) => unknown, offset = 0, d = 0): unknown[] {
  const n = shape[d] ?? 0;
  const out = new Array<unknown>(n);
  if (d === shape.length - 1) {
    for (let i = 0; i < n; i++) out[i] = leaf(offset + i);
    return out;
  }
  const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) out[i] = nest(shape, leaf, offset + i * stride, d + 1);
  return out;
}

export function toXarrayDataset(
  compiled: CompiledSchedule,
  channels: Readonly<Record<string, ChannelValues>>,
): XarrayDataset {
  const ds: XarrayDataset = {
    coords: {},
    data_vars: {},
    dims: {},
    attrs: { name: compiled.name, repetitions: compiled.repetitions, source: "q1forge" },
  };
  for (const [channel, values] of Object.entries(channels)) {
    const layout = compiled.acquisitions[channel];
    const declared: DatasetLayout =
      layout?.dataset && sameSize(layout.dataset.shape, values.shape)
        ? layout.dataset
        : { dims: values.dims, shape: values.shape, coords: {} };
    declared.dims.forEach((d, i) => (ds.dims[d] = declared.shape[i]!));
    for (const [name, c] of Object.entries(declared.coords))
      ds.coords[name] ??= { dims: c.dims, data: c.data, attrs: c.attrs };
    const info = PROTOCOLS[values.protocol as Protocol];
    const complex = info?.result === "complex" && values.imag !== null;
    const attrs = {
      acq_channel: channel,
      protocol: values.protocol,
      bin_mode: layout?.bin_mode ?? null,
      ...(complex ? { complex: "trailing dimension: real, imag" } : {}),
    };
    if (complex) {
      ds.dims["complex"] = 2;
      ds.coords["complex"] ??= { dims: ["complex"], data: ["real", "imag"], attrs: {} };
      const im = values.imag!;
      ds.data_vars[channel] = {
        dims: [...declared.dims, "complex"],
        data: nest(declared.shape, (i) => [num(values.real[i]!), num(im[i]!)]),
        attrs,
      };
    } else {
      ds.data_vars[channel] = { dims: declared.dims, data: nest(declared.shape, (i) => num(values.real[i]!)), attrs };
    }
  }
  return ds;
}

function sameSize(a: readonly number[], b: readonly number[]): boolean {
  return a.reduce((x, y) => x * y, 1) === b.reduce((x, y) => x * y, 1);
}
