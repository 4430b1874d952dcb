/**
 * State of the virtual Cluster's modules and sequencers (reference 13.3), and the conversion from
 * that driver-level state to emulator input and from emulator results back to raw accumulators.
 */
import type { Sequence } from "../contract/compiled-schedule.js";
import { moduleSpec, type ModuleSpec, type ModuleType } from "../core/module-catalog.js";
import type {
  EmuModuleInput,
  EmuRawAcquisition,
  EmuSequencerParams,
  EmuSequencerResult,
  QbloxAcquisitionEntry,
  SequencerState,
  SequencerStatusLevel,
} from "../emulator/api.js";
import { emptyRawAcquisition, type RawAcquisition } from "./acq-binary.js";
import {
  channelMapToConnectAcq,
  channelMapToConnectOut,
  connectAcqToChannelMap,
  connectOutToChannelMap,
  type ChannelMap,
} from "./module-info.js";
import { defaultScopeConfig, moduleParamNames, type ScopeConfigDoc } from "./module-params.js";
import {
  defaultSequencerConfig,
  readConfigParams,
  triggerNetworkParams,
  type SequencerConfigDoc,
} from "./sequencer-config.js";

export interface WaveEntry {
  index: number;
  data: Float32Array;
}
export interface AcqEntry {
  index: number;
  numBins: number;
  raw: RawAcquisition;
  pendingScope: RawAcquisition["scope"] | null;
}

export class VirtualSequencer {
  config: SequencerConfigDoc;
  channelMap: ChannelMap;
  acqChannelMap: ChannelMap;
  program: string | null = null;
  waveforms = new Map<string, WaveEntry>();
  weights = new Map<string, WaveEntry>();
  acquisitions = new Map<string, AcqEntry>();
  state: SequencerState = "IDLE";
  status: SequencerStatusLevel = "OKAY";
  infoFlags: string[] = [];
  warnFlags: string[] = [];
  errFlags: string[] = [];
  log = "";
  /** wall-clock ms at which a RUNNING sequencer reports STOPPED */
  runEndsAt = 0;
  /** START that made this sequencer RUNNING (see VirtualCluster.startRun) */
  runId = 0;
  /**
   * What the sequencer's outputs hold after its last run (the emulator's EmuSequencerResult.held): the
   * AWG offsets (path0, path1, −1 … 1) and marker bits its program left. A CONFiguration write reloads
   * them (reloadHeld): offsets from the configuration, markers low.
   */
  held: { awgOffset: [number, number]; markers: number } = { awgOffset: [0, 0], markers: 0 };
  /**
   * Generation counters: `config` counts every write that changes what the sequencer holds (program,
   * waveforms, weights, acquisition list, settings, channel maps, module parameters of its slot,
   * reference source, *RST); `run` counts every ARM / START / STOP / CLR:FLAGS and every deletion of
   * acquisition data. Per connection the writes it made itself are counted too, so
   * `SLOT#:SEQuencer#:GENeration?` answers "config,run,config_others,run_others": the last two count
   * the writes of every OTHER connection. A client that sees them unchanged since it last looked knows
   * nobody else touched the sequencer in between, whatever it wrote itself.
   */
  configGeneration = 0;
  runGeneration = 0;
  private readonly writesBy = new Map<number, { config: number; run: number }>();

  countWrite(kind: "config" | "run", conn: number): void {
    if (kind === "config") this.configGeneration++;
    else this.runGeneration++;
    let w = this.writesBy.get(conn);
    if (!w) this.writesBy.set(conn, (w = { config: 0, run: 0 }));
    w[kind]++;
  }

  /** "config,run,config_others,run_others" as seen by connection `conn` */
  generationReply(conn: number): string {
    const w = this.writesBy.get(conn) ?? { config: 0, run: 0 };
    return `${this.configGeneration},${this.runGeneration},${this.configGeneration - w.config},${this.runGeneration - w.run}`;
  }

  /** a closed connection never asks again: drop its tally (ids are never reused) */
  forgetConnection(conn: number): void {
    this.writesBy.delete(conn);
  }
  /**
   * The last run triggered this sequencer's scope but deferred its samples (EmuRunOptions.deferScope):
   * computes them on the first store (ACQ:ALISt:ACQuisition:DATA), then is cleared.
   */
  deferredScope: (() => RawAcquisition["scope"] | null | Promise<RawAcquisition["scope"] | null>) | null = null;
  /** a deferred scope being computed in the emulation worker (stores wait for it) */
  private scopeInFlight: Promise<void> | null = null;
  /**
   * START has been accepted and the run's emulation has not finished yet (it may be running in the
   * emulation worker): the sequencer reports RUNNING and its acquisitions show no valid bins.
   */
  emulating = false;
  /** result applied when the run ends */
  pending: { status: SequencerStatusLevel; info: string[]; warn: string[]; err: string[]; log: string } | null = null;

  constructor(
    readonly index: number,
    readonly module: VirtualModule,
  ) {
    this.config = defaultSequencerConfig(module.info.supportsAcquisition);
    this.channelMap = defaultChannelMap(module.type);
    this.acqChannelMap = module.info.supportsAcquisition ? defaultAcqChannelMap(module.type) : [[], []];
  }

  clearFlags(): void {
    this.status = "OKAY";
    this.infoFlags = [];
    this.warnFlags = [];
    this.errFlags = [];
    this.log = "";
  }

  /** The configuration was written: the latched offsets take its offset_awg_path values, markers go low. */
  reloadHeld(): void {
    const c = readConfigParams(this.config);
    this.held = { awgOffset: [c.offset_awg_path0 ?? 0, c.offset_awg_path1 ?? 0], markers: 0 };
  }

  /** Finish a run whose wall-clock time is over. */
  settle(now: number): void {
    if (this.state === "RUNNING" && now >= this.runEndsAt && this.pending) {
      const p = this.pending;
      this.state = "STOPPED";
      this.status = p.status;
      this.infoFlags = p.info;
      this.warnFlags = p.warn;
      this.errFlags = p.err;
      this.log = p.log;
      this.pending = null;
    }
  }

  stateReply(): string {
    const list = (f: string[]) => f.map((x) => x + ",").join("");
    return `${this.status};${this.state};${list(this.infoFlags)};${list(this.warnFlags)};${list(this.errFlags)};${this.log.replace(/[\r\n]+/g, " ")}`;
  }

  /** The upload payload in the compiled form, for the emulator. */
  sequence(): Sequence {
    const list = (m: Map<string, WaveEntry>) =>
      Object.fromEntries([...m].map(([k, w]) => [k, { index: w.index, data: Array.from(w.data) }]));
    return {
      program: this.program ?? "",
      waveforms: list(this.waveforms),
      weights: list(this.weights),
      acquisitions: Object.fromEntries(
        [...this.acquisitions].map(([k, a]) => [k, { num_bins: a.numBins, index: a.index }]),
      ),
    };
  }

  /**
   * Store the scope buffer into acquisition `a` (reference 7.1), computing deferred samples first;
   * a promise when they are being computed in the emulation worker (the store completes after).
   */
  storeScope(a: AcqEntry): void | Promise<void> {
    const compute = this.deferredScope;
    const fill = (scope: RawAcquisition["scope"] | null) => {
      if (scope) for (const other of this.acquisitions.values()) if (other.pendingScope) other.pendingScope = scope;
    };
    const store = () => {
      if (a.pendingScope) a.raw.scope = a.pendingScope;
    };
    if (compute) {
      this.deferredScope = null;
      const scope = compute();
      if (scope instanceof Promise) {
        const p = scope
          .then(fill, () => undefined)
          .finally(() => {
            if (this.scopeInFlight === p) this.scopeInFlight = null;
          });
        this.scopeInFlight = p;
      } else fill(scope);
    }
    if (this.scopeInFlight) return this.scopeInFlight.then(store);
    store();
  }

  /** Driver-level state → emulator parameters. */
  emuParams(): EmuSequencerParams {
    const c = readConfigParams(this.config);
    const p: EmuSequencerParams = {
      sync_en: c.sync_en,
      nco_freq: c.nco_freq,
      nco_phase_offs: c.nco_phase_offs,
      mod_en_awg: c.mod_en_awg,
      gain_awg_path0: c.gain_awg_path0,
      gain_awg_path1: c.gain_awg_path1,
      offset_awg_path0: c.offset_awg_path0,
      offset_awg_path1: c.offset_awg_path1,
      mixer_corr_gain_ratio: c.mixer_corr_gain_ratio,
      mixer_corr_phase_offset_degree: c.mixer_corr_phase_offset_degree,
      marker_ovr_en: c.marker_ovr_en,
      marker_ovr_value: c.marker_ovr_value,
      connect_out: channelMapToConnectOut(this.module.type, this.channelMap),
      // trigger network: counter thresholds, and on readout modules the thresholded trigger map
      ...triggerNetworkParams(c),
    };
    if (this.module.info.supportsAcquisition) {
      Object.assign(p, {
        demod_en_acq: c.demod_en_acq,
        integration_length_acq: c.integration_length_acq,
        thresholded_acq_rotation: c.thresholded_acq_rotation,
        thresholded_acq_threshold: c.thresholded_acq_threshold,
        connect_acq: channelMapToConnectAcq(this.module.type, this.acqChannelMap),
      });
    }
    return p;
  }

  /** Store emulator results as raw accumulators (inverse of the driver's normalisation, reference 7.6). */
  storeResult(r: EmuSequencerResult): void {
    if (r.held) this.held = { awgOffset: [r.held.awgOffset[0], r.held.awgOffset[1]], markers: r.held.markers };
    for (const [name, entry] of Object.entries(r.acquisitions)) {
      const a = this.acquisitions.get(name);
      if (!a) continue;
      const raw = r.rawAcquisitions?.[name];
      a.raw = raw ? fromEmuRaw(raw, a.index, a.numBins) : toRaw(entry, a.index, a.numBins, this.module.info);
      a.pendingScope = a.raw.scope;
      a.raw.scope = a.raw.scope.map(() => ({ data: new Int32Array(0), outOfRange: false, avgCnt: 0 }));
    }
  }
}

export class VirtualModule {
  readonly info: ModuleSpec;
  readonly sequencers: VirtualSequencer[];
  params: Record<string, number | boolean> = {};
  scope: ScopeConfigDoc;
  assemblerLog = "";
  assemblerSuccess = true;

  constructor(
    readonly slot: number,
    readonly type: ModuleType,
  ) {
    this.info = moduleSpec(type);
    this.sequencers = Array.from({ length: this.info.sequencers }, (_, i) => new VirtualSequencer(i, this));
    this.scope = defaultScopeConfig(this.scopePaths);
    this.resetParams();
  }

  get scopePaths(): number {
    return this.info.scopePaths;
  }

  resetParams(): void {
    this.params = {};
    for (const n of moduleParamNames(this.type))
      this.params[n] = n.endsWith("_en") ? false : n.endsWith("_freq") ? 6e9 : 0;
  }

  /** *RST: defaults, no programs, waveforms or acquisitions. */
  reset(): void {
    this.resetParams();
    this.scope = defaultScopeConfig(this.scopePaths);
    this.assemblerLog = "";
    this.assemblerSuccess = true;
    for (let i = 0; i < this.sequencers.length; i++) this.sequencers[i] = new VirtualSequencer(i, this);
  }

  /** Emulator input of the given (started) sequencers. */
  emuInput(started: VirtualSequencer[]): EmuModuleInput {
    const outOffset: number[] = [];
    if (this.info.isRF) {
      for (let o = 0; o < this.info.outputs; o++)
        for (let p = 0; p < 2; p++) outOffset.push(Number(this.params[`out${o}_offset_path${p}`] ?? 0) * 1e-3);
    } else for (let d = 0; d < this.info.dacs; d++) outOffset.push(Number(this.params[`out${d}_offset`] ?? 0));
    const input: EmuModuleInput = {
      slot: this.slot,
      type: this.type,
      params: { out_offset: outOffset },
      sequencers: started.map((s) => ({ index: s.index, sequence: s.sequence(), params: s.emuParams() })),
    };
    if (this.info.supportsAcquisition && !this.info.isRF)
      input.params.in_gain = Array.from({ length: this.info.adcs }, (_, i) => Number(this.params[`in${i}_gain`] ?? 0));
    if (this.info.internalLos > 0)
      input.params.lo_freq = Array.from({ length: this.info.internalLos }, (_, k) =>
        Number(this.params[`lo${k}_freq`] ?? 0),
      );
    if (this.info.supportsAcquisition) {
      input.params.scope_acq_sequencer_select = this.scope.sel_acq;
      input.params.scope_acq_avg_mode_en = this.scope.avg_en_path[0] ?? false;
    }
    return input;
  }
}

/** Driver default channel map (q1asm-and-scpi.md 6.1): RF every output IQ; baseband path0 → even DACs, path1 → odd (QCM [[0,2],[1,3]], QRM [[0],[1]]). */
function defaultChannelMap(type: ModuleType): ChannelMap {
  const info = moduleSpec(type);
  if (info.isRF)
    return connectOutToChannelMap(
      type,
      Object.fromEntries(Array.from({ length: info.outputs }, (_, k) => [`out${k}`, "IQ" as const])),
    );
  const dacs = Array.from({ length: info.dacs }, (_, d) => d);
  return [dacs.filter((d) => d % 2 === 0), dacs.filter((d) => d % 2 === 1)];
}
function defaultAcqChannelMap(type: ModuleType): ChannelMap {
  return moduleSpec(type).isRF ? connectAcqToChannelMap(type, { acq: "in0" }) : [[0], [1]];
}

/** The emulator's raw accumulators (already in SCPI units) as the virtual Cluster stores them. */
function fromEmuRaw(r: EmuRawAcquisition, index: number, numBins: number): RawAcquisition {
  const b = r.bins,
    n = Math.min(numBins, b.valid.length);
  const raw = emptyRawAcquisition(index, numBins, r.scope.length);
  raw.bins.valid.set(b.valid.subarray(0, n));
  raw.bins.path0.set(b.path0.subarray(0, n));
  raw.bins.path1.set(b.path1.subarray(0, n));
  raw.bins.thres.set(b.thres.subarray(0, n));
  raw.bins.avgCnt.set(b.avgCnt.subarray(0, n));
  raw.scope = scopeFromEmuRaw(r.scope);
  return raw;
}

export function scopeFromEmuRaw(scope: EmuRawAcquisition["scope"]): RawAcquisition["scope"] {
  return scope.map((p) => ({ data: Int32Array.from(p.data), outOfRange: p.outOfRange, avgCnt: p.avgCnt }));
}

/** Normalised acquisition (emulator) → raw accumulators, so the driver's normalisation returns the same values. */
export function toRaw(entry: QbloxAcquisitionEntry, index: number, numBins: number, info: ModuleSpec): RawAcquisition {
  const paths = info.scopePaths;
  const raw = emptyRawAcquisition(index, numBins, paths);
  const scopeScale = 2 ** (info.adcBits - 1);
  for (let p = 0; p < paths; p++) {
    const s = entry.acquisition.scope[`path${p}`];
    if (!s) continue;
    const mul = scopeScale * (s.avg_cnt > 0 ? s.avg_cnt : 1);
    const data = new Int32Array(s.data.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(s.data[i]! * mul);
    raw.scope[p] = { data, outOfRange: s["out-of-range"], avgCnt: s.avg_cnt };
  }
  const b = entry.acquisition.bins;
  const div = info.binScale;
  for (let i = 0; i < numBins; i++) {
    const p0 = b.integration.path0[i],
      p1 = b.integration.path1[i];
    if (p0 === undefined || p1 === undefined || Number.isNaN(p0) || Number.isNaN(p1)) continue;
    const avg = b.avg_cnt[i] ?? 0;
    const m = avg > 0 ? avg : 1;
    raw.bins.valid[i] = 1;
    raw.bins.path0[i] = Math.round(p0 * div * m);
    raw.bins.path1[i] = Math.round(p1 * div * m);
    const th = b.threshold[i];
    raw.bins.thres[i] = th === undefined || Number.isNaN(th) ? 0 : Math.round(th * m);
    raw.bins.avgCnt[i] = avg;
  }
  return raw;
}
