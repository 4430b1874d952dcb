import {
  CompiledScheduleSchema,
  ModuleTypeSchema,
  type CompiledSchedule,
  type ModuleType,
  type SourceOperation,
} from "../../contract/compiled-schedule.js";
import { compiledSequencer, sourceOfLine } from "../../contract/source-map.js";
import { renderPlotHtml, type PlotOptions } from "../../emulator/plot.js";
import { conditionalLinesOf, outputRoutes } from "../../emulator/plot/routes.js";
import { simulate, type SimulationResult } from "../../emulator/simulate.js";
import { parseRawSequence, parseSequenceSettings, simulateSequence } from "../../emulator/simulate-sequence.js";
import { timeOrigins } from "../../emulator/report-time.js";
import { formatSummary, summaryJson, type SummaryContext } from "../../emulator/summary.js";
import { failureError } from "../../emulator/verify.js";
import { InputParseError, SchemaValidationError, UsageError } from "../../core/errors.js";
import { toSI } from "../../core/units.js";
import { parseOptions } from "../args.js";
import { readJsonInput, writeFileOrFail } from "../io.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge simulate --compiled C [--from T] [--to T] [--plot out.html] [--json]
       q1forge simulate --sequence SEQ.json --module-type QRM [--settings S.json] [--from T] [--to T] [--plot out.html] [--json]

Runs a CompiledSchedule (--compiled) or one raw sequence file in the qblox-instruments upload form
({program, waveforms, weights, acquisitions}) in the Q1 emulator and prints sequencer statuses, the
waveform report (plays and acquisition windows with start, duration, gain, NCO) and acquisitions.
  --from, --to     render window in program time, in seconds or with a unit ("2 us"); default: one repetition
                   (compiled) or the whole program up to 1 ms (sequence)
  --plot F         write a self-contained HTML page (uPlot, inlined; works offline): one zoomable
                   panel per output and marker, operation spans and acquisition windows labelled
  --module-type    QCM, QRM, QCM_RF, QRM_RF or QRC (with --sequence)
  --settings S     sequencer driver parameters (nco_freq, mod_en_awg, connect_out0, …; "module": {...});
                   default: sync off, NCO off, the module type's default channel map
  --json           summary (and errors) as JSON
Exit codes: 0 ok, 1 assembly or runtime error (flag named on stderr), 2 usage error.
`;

function timeOption(v: string | boolean | undefined, name: string): number | undefined {
  if (typeof v !== "string") return undefined;
  try {
    return toSI(v, "time", `--${name}`);
  } catch (e) {
    if (e instanceof InputParseError)
      throw new UsageError(`--${name} "${v}" is not a time: ${e.message}`, {
        path: `--${name}`,
        hint: 'give seconds (2e-6) or a unit string ("2 us")',
      });
    throw e;
  }
}

function parseModuleType(v: string): ModuleType {
  const r = ModuleTypeSchema.safeParse(v.toUpperCase().replace(/-/g, "_"));
  if (!r.success)
    throw new UsageError(`--module-type "${v}" is not a module type`, {
      path: "--module-type",
      hint: `one of: ${ModuleTypeSchema.options.join(", ")}`,
    });
  return r.data;
}

/** A compiled schedule file (`--compiled`) checked against the CompiledSchedule schema. */
export function parseCompiled(json: unknown, source: string): CompiledSchedule {
  const r = CompiledScheduleSchema.safeParse(json);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: `/${i.path.map(String).join("/")}`, message: i.message }));
  throw new SchemaValidationError(
    `${source} is not a q1forge CompiledSchedule: ${issues
      .slice(0, 5)
      .map((i) => `${i.path}: ${i.message}`)
      .join("; ")}`,
    issues,
    {
      path: issues[0]?.path ?? source,
      hint: "pass the output of `q1forge compile`",
    },
  );
}

type SourceOfLine = (cluster: string, module: string, seq: number, line: number) => SourceOperation | null;

/**
 * Throw an EmulationError for the first sequencer that ended with status ERROR, naming the operation
 * through the compiled source map (raw sequences and schedules without one: the line only).
 */
function checkRuntimeErrors(
  result: SimulationResult,
  programOf: (cluster: string, module: string, seq: number) => string,
  sourceOf: SourceOfLine,
): void {
  for (const [cn, c] of Object.entries(result.clusters)) {
    for (const [mn, m] of Object.entries(c.modules)) {
      for (const [sn, s] of Object.entries(m.sequencers)) {
        if (s.status !== "ERROR") continue;
        const seq = Number(sn.replace(/\D/g, ""));
        const line = s.errorLine ?? null;
        const lineText =
          line !== null ? (programOf(cn, mn, seq).split(/\r?\n/)[line - 1]?.replace(/#.*$/, "").trim() ?? null) : null;
        const source = line !== null ? sourceOf(cn, mn, seq, line) : null;
        throw failureError(
          {
            cluster: cn,
            module: mn,
            sequencer: seq,
            portClock: s.portClock || "-",
            flags: s.err_flags,
            line,
            lineText,
            log: s.log,
          },
          source,
        );
      }
    }
  }
}

export const command: CliCommand = {
  name: "simulate",
  summary: "run a compiled schedule or a raw sequence in the emulator; report, acquisitions, HTML plot",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      {
        compiled: "string",
        sequence: "string",
        "module-type": "string",
        settings: "string",
        from: "string",
        to: "string",
        plot: "string",
        json: "bool",
      },
      "simulate",
    );
    const hasCompiled = typeof o.compiled === "string",
      hasSequence = typeof o.sequence === "string";
    if (hasCompiled === hasSequence)
      throw new UsageError("simulate needs exactly one of --compiled and --sequence", {
        path: hasCompiled ? "--sequence" : "--compiled",
        hint: "q1forge simulate --compiled c.json  or  q1forge simulate --sequence seq.json --module-type QRM",
      });
    const from = timeOption(o.from, "from"),
      to = timeOption(o.to, "to");
    if (to !== undefined && to <= (from ?? 0))
      throw new UsageError(`--to (${to} s) must be later than --from (${from ?? 0} s)`, {
        path: "--to",
        hint: "give a --to after --from, or leave --to out to simulate to the end",
      });
    const window = { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };

    let result: SimulationResult, name: string;
    let programOf: (cluster: string, module: string, seq: number) => string;
    let sourceOf: SourceOfLine = () => null;
    let ctx: SummaryContext = {};
    let plotCtx: PlotOptions = {};
    if (hasCompiled) {
      if (o["module-type"] !== undefined || o.settings !== undefined)
        throw new UsageError("--module-type and --settings apply to --sequence only", {
          path: o["module-type"] !== undefined ? "--module-type" : "--settings",
          hint: "a compiled schedule carries its own module types and settings",
        });
      const compiled = parseCompiled(
        await readJsonInput(o.compiled as string, "compiled schedule", io),
        o.compiled as string,
      );
      name = compiled.name;
      result = simulate(compiled, window);
      programOf = (c, m, s) => compiledSequencer(compiled, c, m, s)?.sequence.program ?? "";
      sourceOf = (c, m, s, line) => sourceOfLine(compiledSequencer(compiled, c, m, s), line);
      ctx = { origins: timeOrigins(compiled), warnings: compiled.diagnostics.warnings };
      plotCtx = {
        origins: ctx.origins!,
        routes: outputRoutes(compiled),
        conditional: conditionalLinesOf(compiled),
      };
    } else {
      if (typeof o["module-type"] !== "string")
        throw new UsageError("--sequence needs --module-type", {
          path: "--module-type",
          hint: "e.g. --module-type QRM",
        });
      const type = parseModuleType(o["module-type"]);
      const sequence = parseRawSequence(
        await readJsonInput(o.sequence as string, "sequence", io),
        o.sequence as string,
      );
      const settings = parseSequenceSettings(
        typeof o.settings === "string" ? await readJsonInput(o.settings, "settings", io) : {},
        typeof o.settings === "string" ? o.settings : "settings",
      );
      name = o.sequence as string;
      result = simulateSequence(sequence, type, settings, window);
      programOf = () => sequence.program;
    }

    if (typeof o.plot === "string")
      await writeFileOrFail(
        o.plot,
        renderPlotHtml(result, { title: `q1forge simulate: ${name}`, ...plotCtx }),
        "--plot",
      );
    if (o.json)
      io.stdout(
        JSON.stringify({
          ...summaryJson(result, name, ctx),
          ...(typeof o.plot === "string" ? { plot: o.plot } : {}),
          ...(result.dataset ?? {}), // xarray Dataset.from_dict layout (docs/sweeps.md)
        }) + "\n",
      );
    else io.stdout(formatSummary(result, name, ctx) + (typeof o.plot === "string" ? `plot → ${o.plot}\n` : ""));
    checkRuntimeErrors(result, programOf, sourceOf);
    return 0;
  },
};
