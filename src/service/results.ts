/**
 * Acquisition results in xarray's `Dataset.to_dict()` layout, which `xarray.Dataset.from_dict`
 * loads: one data variable per acquisition channel holding the real parts (or the values of a
 * real-valued protocol), and `<channel>_imag` with the imaginary parts of complex protocols
 * (JSON has no complex numbers: `ds[ch] + 1j * ds[ch + "_imag"]` rebuilds them).
 */
import { Ajv, type ValidateFunction } from "ajv";
import type { AcquisitionData } from "../coordinator/acquisitions.js";
import { ServiceError } from "./errors.js";
import { DatasetDictSchema, jsonSchema } from "./schemas.js";

function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return flat.slice();
  const [n, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n!; i++) out[i] = nest(flat.slice(i * size, (i + 1) * size), rest);
  return out;
}

export interface DatasetDict {
  coords: Record<string, unknown>;
  attrs: Record<string, unknown>;
  dims: Record<string, number>;
  data_vars: Record<string, { dims: string[]; data: unknown; attrs: Record<string, unknown> }>;
}

export function toDatasetDict(acqs: Record<string, AcquisitionData>, attrs: Record<string, unknown>): DatasetDict {
  const ds: DatasetDict = { coords: {}, attrs, dims: {}, data_vars: {} };
  for (const [ch, a] of Object.entries(acqs)) {
    a.dims.forEach((d, i) => (ds.dims[d] = a.shape[i] ?? 0));
    const common = { acq_channel: a.acq_channel, protocol: a.protocol, bin_mode: a.bin_mode };
    ds.data_vars[ch] = { dims: [...a.dims], data: nest(a.real, a.shape), attrs: { ...common, part: "real" } };
    if (a.imag)
      ds.data_vars[`${ch}_imag`] = {
        dims: [...a.dims],
        data: nest(a.imag, a.shape),
        attrs: { ...common, part: "imag" },
      };
  }
  return ds;
}

let validDataset: ValidateFunction | null = null;

/**
 * The dataset checked against its published schema (DatasetDictSchema) once, when it is stored:
 * GET /v1/jobs/:id/results then sends the stored JSON as it is, without parsing and re-serialising
 * results of any size.
 */
export function checkDataset(ds: DatasetDict): void {
  validDataset ??= new Ajv({ strict: false }).compile(jsonSchema(DatasetDictSchema, "output"));
  if (!validDataset(ds))
    throw new ServiceError(500, "RESPONSE_INVALID", "the results dataset does not match its published schema", {
      path: `dataset${validDataset.errors?.[0]?.instancePath ?? ""}`,
      hint: "this is a q1forge bug; please report it with the schedule that caused it",
    });
}
