/**
 * The JSON the CLI writes, in one naming style: snake_case keys (as quantify and every q1forge JSON
 * format), whatever the TypeScript API calls the fields (camelCase). test/cli/naming.test.ts checks
 * every JSON document the commands print or write.
 */
import type { ExperimentResult } from "../coordinator/run-experiment.js";

/** camelCase → snake_case for one key ("infoFlags" → "info_flags"); keys without an upper-case letter after a lower-case one are kept. */
export function snakeKey(k: string): string {
  return k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** A flat record's keys in snake_case (values untouched). */
export function snakeRecord(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[snakeKey(k)] = v;
  return out;
}

/** `run`'s results: sequencer statuses in snake_case (info_flags, warn_flags, err_flags). */
export function runResultJson(result: ExperimentResult): Record<string, unknown> {
  return {
    ok: true,
    name: result.name,
    repetitions: result.repetitions,
    cluster: result.cluster,
    acquisitions: result.acquisitions,
    sequencers: result.sequencers.map(snakeRecord),
    timings_ms: result.timings_ms,
    hardware_log: result.hardware_log,
    // the acquisitions as xarray's Dataset.to_dict(data=True): xarray.Dataset.from_dict(results) (docs/sweeps.md, issue 11)
    coords: result.coords,
    data_vars: result.data_vars,
    dims: result.dims,
    attrs: result.attrs,
  };
}
