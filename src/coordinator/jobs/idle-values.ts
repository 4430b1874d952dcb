/**
 * Output idle values (output-idle-values seed, OPX1000 behaviour) for a Qblox Cluster: what each
 * analog output (DC offset, volts) and marker output (idle polarity, `inverted`) holds between jobs.
 *
 * They live in a session config of their own (schema: schemas/session-config.schema.json), not in the
 * quantify hardware config, whose models forbid extra fields: a quantify user keeps the hardware
 * config unchanged and passes this small document to openSession(). Layout, keyed by module slot:
 *
 *   { "modules": { "2": { "analog_outputs": { "0": { "offset": 0.25 } },
 *                         "digital_outputs": { "1": { "inverted": true } } } } }
 *
 * Analog output k is DAC k of the module (baseband: output k; RF: output ⌊k/2⌋, path k mod 2).
 * Outputs not listed idle at 0 V and non-inverted. The same document, passed as `controllerConfig`
 * with one job, overrides the idle values for that job only.
 */
import { z } from "zod";
import type { CompiledSchedule } from "../../contract/compiled-schedule.js";
import { SchemaValidationError, ValueRangeError } from "../../core/errors.js";
import type { ClusterModule } from "../../instruments/cluster-driver.js";

const Index = z.string().regex(/^\d+$/, "an output index: 0, 1, …");
export const AnalogOutputConfigSchema = z.strictObject({
  /** DC offset in volts held while no job overwrites it */
  offset: z.number().optional(),
});
export const DigitalOutputConfigSchema = z.strictObject({
  /** true: the marker idles HIGH (the module's marker inversion is on) */
  inverted: z.boolean().optional(),
});
export const ModuleOutputsConfigSchema = z.strictObject({
  analog_outputs: z.record(Index, AnalogOutputConfigSchema).optional(),
  digital_outputs: z.record(Index, DigitalOutputConfigSchema).optional(),
});
export const SessionConfigSchema = z.strictObject({
  /** keyed by module slot ("1" … "20") */
  modules: z.record(z.string().regex(/^\d+$/, "a module slot: 1 … 20"), ModuleOutputsConfigSchema).optional(),
});
export type SessionConfig = z.infer<typeof SessionConfigSchema>;

/** What every output of one module holds (or should hold): offsets per DAC (V), inversion per marker. */
export interface ModuleOutputState {
  offsets: number[];
  inverted: boolean[];
}
/** slot → outputs */
export type OutputState = Map<number, ModuleOutputState>;

/** Baseband DAC offset range (V); RF output offsets are mV on the wire, the same volts here. */
const OFFSET_LIMIT_V = 2.5;

export function parseSessionConfig(doc: unknown, what: string): SessionConfig {
  const r = SessionConfigSchema.safeParse(doc ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: "/" + i.path.map(String).join("/"), message: i.message }));
    throw new SchemaValidationError(
      `${what} is not a valid session config: ${issues[0]!.path}: ${issues[0]!.message}`,
      issues,
      {
        path: issues[0]!.path,
        hint: 'write { "modules": { "<slot>": { "analog_outputs": { "<dac>": { "offset": volts } }, "digital_outputs": { "<marker>": { "inverted": bool } } } } } (docs/jobs.md)',
      },
    );
  }
  return r.data;
}

/** Deep merge of `partial` into `base` (an updateConfig call); neither input is modified. */
export function mergeSessionConfig(base: SessionConfig, partial: SessionConfig): SessionConfig {
  const modules: NonNullable<SessionConfig["modules"]> = structuredClone(base.modules ?? {});
  for (const [slot, m] of Object.entries(partial.modules ?? {})) {
    const into = (modules[slot] ??= {});
    for (const [k, v] of Object.entries(m.analog_outputs ?? {}))
      (into.analog_outputs ??= {})[k] = { ...into.analog_outputs?.[k], ...v };
    for (const [k, v] of Object.entries(m.digital_outputs ?? {}))
      (into.digital_outputs ??= {})[k] = { ...into.digital_outputs?.[k], ...v };
  }
  return { modules };
}

/** Every output of every module of the Cluster, from the config (unlisted: 0 V, not inverted). */
export function resolveOutputs(
  config: SessionConfig,
  modules: Iterable<ClusterModule>,
  where: string,
  base?: OutputState,
): OutputState {
  const out: OutputState = new Map();
  const known = new Map<number, ClusterModule>();
  for (const m of modules) known.set(m.slot, m);
  for (const m of known.values()) {
    const b = base?.get(m.slot);
    out.set(m.slot, {
      offsets: b ? [...b.offsets] : new Array<number>(m.info.dacs).fill(0),
      inverted: b ? [...b.inverted] : new Array<boolean>(m.info.markers).fill(false),
    });
  }
  for (const [slotText, mc] of Object.entries(config.modules ?? {})) {
    const slot = Number(slotText);
    const mod = known.get(slot);
    const st = out.get(slot);
    if (!mod || !st)
      throw new ValueRangeError(
        "OUTPUT_UNKNOWN",
        `${where} names module slot ${slot}, which the Cluster does not have`,
        {
          path: `/modules/${slotText}`,
          hint: `installed slots: ${[...known.keys()].join(", ") || "none"}`,
        },
      );
    for (const [k, a] of Object.entries(mc.analog_outputs ?? {})) {
      const d = Number(k);
      if (d >= mod.info.dacs)
        throw new ValueRangeError(
          "OUTPUT_UNKNOWN",
          `${where}: the ${mod.type} in slot ${slot} has ${mod.info.dacs} analog outputs (DACs), not ${d + 1}`,
          { path: `/modules/${slotText}/analog_outputs/${k}`, hint: `use analog output 0 … ${mod.info.dacs - 1}` },
        );
      if (a.offset === undefined) continue;
      if (Math.abs(a.offset) > OFFSET_LIMIT_V)
        throw new ValueRangeError(
          "OFFSET_RANGE",
          `${where}: offset ${a.offset} V on slot ${slot} analog output ${d} is outside ±${OFFSET_LIMIT_V} V`,
          {
            path: `/modules/${slotText}/analog_outputs/${k}/offset`,
            hint: `give an offset within ±${OFFSET_LIMIT_V} V`,
          },
        );
      st.offsets[d] = a.offset;
    }
    for (const [k, dcfg] of Object.entries(mc.digital_outputs ?? {})) {
      const mk = Number(k);
      if (mk >= mod.info.markers)
        throw new ValueRangeError(
          "OUTPUT_UNKNOWN",
          `${where}: the ${mod.type} in slot ${slot} has ${mod.info.markers} marker outputs, not ${mk + 1}`,
          { path: `/modules/${slotText}/digital_outputs/${k}`, hint: `use digital output 0 … ${mod.info.markers - 1}` },
        );
      if (dcfg.inverted !== undefined) st.inverted[mk] = dcfg.inverted;
    }
  }
  return out;
}

const OFFSET_KEYS = ["offset_ch0_path_I", "offset_ch0_path_Q", "offset_ch1_path_I", "offset_ch1_path_Q"] as const;

/**
 * The compiled schedule a job uploads: module output offsets the schedule leaves unset (null) take
 * the job's outputs (idle values, or the job's controllerConfig); offsets the schedule sets win.
 * RF offsets are mV in compiled settings. Returns `compiled` itself when nothing changes (so the
 * coordinator's lazy cache sees the same values and uploads nothing).
 */
export function withJobOffsets(
  compiled: CompiledSchedule,
  cluster: string,
  outputs: OutputState,
  isRF: (slot: number) => boolean,
): CompiledSchedule {
  const c = compiled.clusters[cluster];
  if (!c) return compiled;
  let changed = false;
  const modules: typeof c.modules = {};
  for (const [name, m] of Object.entries(c.modules)) {
    const st = outputs.get(m.slot);
    let settings = m.settings;
    if (st) {
      const scale = isRF(m.slot) ? 1e3 : 1;
      OFFSET_KEYS.forEach((key, d) => {
        const v = st.offsets[d];
        if (settings[key] !== null || v === undefined || v === 0) return;
        if (settings === m.settings) settings = { ...m.settings };
        settings[key] = v * scale;
      });
    }
    if (settings !== m.settings) changed = true;
    modules[name] = settings === m.settings ? m : { ...m, settings };
  }
  if (!changed) return compiled;
  return { ...compiled, clusters: { ...compiled.clusters, [cluster]: { ...c, modules } } };
}

/** Offsets (V per DAC) a compiled schedule writes for module `slot` (null entries: the job outputs). */
export function compiledOffsets(
  compiled: CompiledSchedule,
  cluster: string,
  slot: number,
  rf: boolean,
): (number | null)[] {
  const m = Object.values(compiled.clusters[cluster]?.modules ?? {}).find((x) => x.slot === slot);
  if (!m) return [];
  const scale = rf ? 1e-3 : 1;
  return OFFSET_KEYS.map((k) => (m.settings[k] === null ? null : m.settings[k]! * scale));
}
