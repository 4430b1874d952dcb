import { compile } from "../../compile.js";
import { UsageError } from "../../core/errors.js";
import { parseOptions } from "../args.js";
import { readDevice } from "../device-input.js";
import { readScheduleAndHardware, writeOutput } from "../io.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge compile --schedule S --hardware H [--device D] [--out F] [--json] [--verify] [--instruction-limit error|warn] [--feedback-mode linq|trigger_network]

Compiles a schedule (q1forge schedule JSON, or a quantify Schedule.to_json() file: detected) for a
quantify hardware config and writes the CompiledSchedule JSON to --out (default "-" = stdout).
"-" as S or H reads stdin.
  --device             the quantum device for gate-level schedules: quantify's serialized
                       QuantumDevice or the q1forge device JSON (docs/device.md)
  --verify             run every compiled program in the emulator; runtime errors become compile errors
  --instruction-limit  "error" (default) or "warn" when a program exceeds instruction memory
  --feedback-mode      how ConditionalOperation gets its measurement when the schedule has no
                       feedback_mode: "linq" (default) or "trigger_network" (docs/feedback.md)
  --json               errors as JSON on stderr; summary as JSON on stdout when --out is a file
`;

export const command: CliCommand = {
  name: "compile",
  summary: "compile a schedule + hardware config into Q1ASM programs and settings",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(
      args,
      {
        schedule: "string",
        hardware: "string",
        out: "string",
        json: "bool",
        verify: "bool",
        "instruction-limit": "string",
        device: "string",
        "feedback-mode": "string",
      },
      "compile",
    );
    const mode = o["feedback-mode"];
    if (mode !== undefined && mode !== "linq" && mode !== "trigger_network")
      throw new UsageError(`--feedback-mode must be "linq" or "trigger_network", not "${String(mode)}"`, {
        path: "--feedback-mode",
        hint: "--feedback-mode trigger_network compiles ConditionalOperation over the trigger network, as quantify does",
      });
    const limit = o["instruction-limit"] ?? "error";
    if (limit !== "error" && limit !== "warn")
      throw new UsageError(`--instruction-limit must be "error" or "warn", not "${String(limit)}"`, {
        path: "--instruction-limit",
        hint: "--instruction-limit error fails the compile over the limit, --instruction-limit warn only warns",
      });
    const { schedule, hardware } = await readScheduleAndHardware(o, "compile", io);
    const device = typeof o.device === "string" ? await readDevice(o.device, io) : undefined;
    const compiled = compile(schedule, hardware, {
      instructionLimit: limit,
      verify: o.verify === true,
      ...(device ? { device } : {}),
      ...(mode !== undefined ? { feedbackMode: mode } : {}),
    });
    const out = typeof o.out === "string" ? o.out : "-";
    await writeOutput(out, JSON.stringify(compiled, null, 1) + "\n", io);
    if (out !== "-") {
      const seqs = compiled.diagnostics.resources.length;
      const ms = Object.values(compiled.diagnostics.stage_ms).reduce((a, b) => a + b, 0);
      if (o.json)
        io.stdout(
          JSON.stringify({ ok: true, out, sequencers: seqs, compile_ms: ms, warnings: compiled.diagnostics.warnings }) +
            "\n",
        );
      else
        io.stdout(
          `compiled "${compiled.name}": ${seqs} sequencer(s) in ${ms.toFixed(2)} ms → ${out}\n${compiled.diagnostics.warnings.map((w) => `warning: ${w.message}\n`).join("")}`,
        );
    }
    return 0;
  },
};
