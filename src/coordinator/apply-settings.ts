/**
 * prepare() for one module: compiled settings → driver parameters (contract/driver-params.ts, the
 * single mapping the emulator uses too) → lazy writes through the Cluster driver.
 */
import type { CompiledModule } from "../contract/compiled-schedule.js";
import { compiledModuleToDriverInput, type SequencerDriverParams } from "../contract/driver-params.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import type { ScopeConfigDoc } from "../instruments/module-params.js";
import { triggerNetworkParams, type SequencerConfigParams } from "../instruments/sequencer-config.js";
import type { LazyCache } from "./lazy-cache.js";
import { InstrumentError } from "../core/errors.js";

export interface WriteLog {
  (target: string, action: string, detail: string): void;
}

/** Write `value` under `key` only if it changed since the last successful write. */
async function lazy(
  cache: LazyCache,
  force: boolean,
  key: string,
  value: unknown,
  write: () => Promise<void>,
): Promise<boolean> {
  if (!force && !cache.changed(key, value)) return false;
  await write();
  cache.remember(key, value);
  return true;
}

export async function prepareModule(
  drv: ClusterDriver,
  clusterName: string,
  module: CompiledModule,
  cache: LazyCache,
  force: boolean,
  log: WriteLog,
): Promise<number> {
  const slot = module.slot;
  const info = drv.module(slot).info;
  if (drv.module(slot).type !== module.instrument_type) {
    throw new InstrumentError(
      "MODULE_MISSING",
      `slot ${slot} of cluster "${clusterName}" holds a ${drv.module(slot).type}, but the compiled schedule expects a ${module.instrument_type}`,
      {
        path: `${clusterName}_module${slot}`,
        hint: "fix the hardware config's instrument_type for this slot, or move the module",
      },
    );
  }
  const input = compiledModuleToDriverInput(module);
  const k = (s: string) => `${clusterName}/${slot}/${s}`;
  let writes = 0;
  const count = (did: boolean) => {
    if (did) writes++;
  };

  // module parameters
  const mp: Record<string, number | boolean> = {};
  input.params.out_offset?.forEach((v, d) => {
    if (info.isRF)
      mp[`out${Math.floor(d / 2)}_offset_path${d % 2}`] = v * 1e3; // RF offsets are mV on the wire
    else mp[`out${d}_offset`] = v;
  });
  input.params.in_gain?.forEach((v, i) => {
    if (module.settings[i === 0 ? "in0_gain" : "in1_gain"] !== null) mp[`in${i}_gain`] = v;
  });
  module.settings.lo_freq.forEach((f, lo) => {
    if (f !== null && lo < info.internalLos) {
      mp[`lo${lo}_freq`] = f;
      mp[`lo${lo}_en`] = true;
    }
  });
  module.settings.out_att.forEach((a, o) => {
    if (a !== null && info.isRF && o < info.outputs) mp[`out${o}_att`] = a;
  });
  module.settings.in_att.forEach((a, i) => {
    if (a !== null && info.isRF && info.supportsAcquisition && i < info.adcs / 2) mp[`in${i}_att`] = a;
  });
  for (const [name, v] of Object.entries(mp)) {
    count(
      await lazy(cache, force, k(name), v, async () => {
        await drv.setModuleParam(slot, name, v);
        log(`slot ${slot}`, "set", `${name}=${v}`);
      }),
    );
  }
  if (info.scopePaths > 0) {
    const paths = info.scopePaths;
    const scope: ScopeConfigDoc = {
      sel_acq: input.params.scope_acq_sequencer_select ?? 0,
      avg_en_path: new Array(paths).fill(input.params.scope_acq_avg_mode_en ?? true),
      trig: { mode_path: new Array(paths).fill(false), lvl_path: new Array(paths).fill(0) },
    };
    count(
      await lazy(cache, force, k("scope"), scope, async () => {
        await drv.setScopeConfig(slot, scope);
        log(`slot ${slot}`, "set", `scope sel_acq=${scope.sel_acq}`);
      }),
    );
  }

  // sequencers: used ones get their settings and sequence; unused ones must not wait on sync
  const used = new Map(input.sequencers.map((s) => [s.index, s]));
  for (let q = 0; q < info.sequencers; q++) {
    const s = used.get(q);
    const params: Partial<SequencerConfigParams> = s ? configParams(s.params) : { sync_en: false };
    const changed: Partial<SequencerConfigParams> = {};
    for (const [name, v] of Object.entries(params) as [keyof SequencerConfigParams, number | boolean][]) {
      if (force || cache.changed(k(`seq${q}/${name}`), v)) (changed as Record<string, number | boolean>)[name] = v;
    }
    if (Object.keys(changed).length > 0) {
      await drv.setSequencerParams(slot, q, changed);
      for (const [name, v] of Object.entries(changed)) cache.remember(k(`seq${q}/${name}`), v);
      writes += Object.keys(changed).length;
      log(
        `slot ${slot} seq ${q}`,
        "set",
        Object.entries(changed)
          .map(([n, v]) => `${n}=${v}`)
          .join(" "),
      );
    }
    if (!s) continue;
    const out = s.params.connect_out;
    if (out)
      count(
        await lazy(cache, force, k(`seq${q}/connect_out`), out, async () => {
          await drv.setConnectOut(slot, q, out);
          log(`slot ${slot} seq ${q}`, "set", `connect_out=${JSON.stringify(out)}`);
        }),
      );
    const acq = s.params.connect_acq;
    if (acq && info.supportsAcquisition)
      count(
        await lazy(cache, force, k(`seq${q}/connect_acq`), acq, async () => {
          await drv.setConnectAcq(slot, q, acq);
          log(`slot ${slot} seq ${q}`, "set", `connect_acq=${JSON.stringify(acq)}`);
        }),
      );
    count(
      await lazy(cache, force, k(`seq${q}/sequence`), s.sequence, async () => {
        await drv.uploadSequence(slot, q, s.sequence);
        log(
          `slot ${slot} seq ${q}`,
          "upload",
          `${s.sequence.program.split("\n").length} program lines, ${Object.keys(s.sequence.waveforms).length} waveforms, ${Object.keys(s.sequence.acquisitions).length} acquisitions`,
        );
      }),
    );
  }
  return writes;
}

/** The subset of emulator parameters that lives in the sequencer configuration document. */
function configParams(p: SequencerDriverParams): Partial<SequencerConfigParams> {
  const out: Partial<SequencerConfigParams> = {};
  const keys: (keyof SequencerConfigParams & keyof SequencerDriverParams)[] = [
    "sync_en",
    "nco_freq",
    "nco_phase_offs",
    "mod_en_awg",
    "demod_en_acq",
    "gain_awg_path0",
    "gain_awg_path1",
    "offset_awg_path0",
    "offset_awg_path1",
    "mixer_corr_gain_ratio",
    "mixer_corr_phase_offset_degree",
    "integration_length_acq",
    "thresholded_acq_rotation",
    "thresholded_acq_threshold",
    "thresholded_acq_trigger_en",
    "thresholded_acq_trigger_address",
    "thresholded_acq_trigger_invert",
    "marker_ovr_en",
    "marker_ovr_value",
  ];
  for (const key of keys) {
    const v = p[key];
    if (v !== undefined) (out as Record<string, number | boolean>)[key] = v;
  }
  // trigger-network counter thresholds (trigger{a}_count_threshold / _threshold_invert)
  Object.assign(out, triggerNetworkParams(p as Partial<SequencerConfigParams>));
  return out;
}
