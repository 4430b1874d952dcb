import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../compile.js";
import { runExperiment } from "../../coordinator/run-experiment.js";
import { parseOptions } from "../args.js";
import { parseJsonText } from "../io.js";
import { runResultJson } from "../json-output.js";
import { packageRoot } from "../package-root.js";
import type { CliCommand } from "../types.js";

const HELP = `usage: q1forge demo [--json]

The main job behind \`npm start\`: compiles examples/schedules/amplitude-sweep.json (a readout
amplitude sweep compiled to a register loop, 11 points × 100 repetitions) for hardware-configs/baseband-transmon.json, shows
the compiled program and settings, runs it on an in-process virtual Cluster over SCPI/TCP and
prints the acquisitions read back through the QRM's output→input loopback.
`;

export const command: CliCommand = {
  name: "demo",
  summary: "compile and run the example amplitude sweep on the built-in virtual Cluster",
  async run(args, io) {
    if (args.includes("--help")) {
      io.stdout(HELP);
      return 0;
    }
    const o = parseOptions(args, { json: "bool" }, "demo");
    const root = packageRoot();
    const schedulePath = join(root, "examples/schedules/amplitude-sweep.json");
    const hardwarePath = join(root, "hardware-configs/baseband-transmon.json");
    const schedule = parseJsonText(readFileSync(schedulePath, "utf8"), schedulePath);
    const hardware = parseJsonText(readFileSync(hardwarePath, "utf8"), hardwarePath);
    const t0 = performance.now();
    const compiled = compile(schedule, hardware, { verify: true });
    const compileMs = performance.now() - t0;
    const result = await runExperiment(compiled);
    if (o.json) {
      io.stdout(
        JSON.stringify(
          { compile_ms: compileMs, compiled_diagnostics: compiled.diagnostics, result: runResultJson(result) },
          null,
          1,
        ) + "\n",
      );
      return 0;
    }
    const out: string[] = [];
    out.push(`q1forge demo — "${compiled.name}" on ${hardwarePath.slice(root.length + 1)}`);
    out.push(
      `compiled and verified in the emulator in ${compileMs.toFixed(1)} ms (${compiled.repetitions} repetitions × ${compiled.repetition_duration_ns} ns)`,
    );
    for (const [cname, cluster] of Object.entries(compiled.clusters)) {
      for (const [mname, mod] of Object.entries(cluster.modules)) {
        for (const [sname, seq] of Object.entries(mod.sequencers)) {
          const s = seq.settings;
          out.push(
            ``,
            `${cname}/${mname}/${sname} (${mod.instrument_type}) ${seq.port_clock}: NCO ${s.nco_en ? `${(s.modulation_freq ?? 0) / 1e6} MHz` : "off"}, ${s.channel_name}${s.channel_name_measure ? ` + ${s.channel_name_measure.join(", ")}` : ""}, integration ${s.integration_length_acq ?? "-"} ns, ${Object.keys(seq.sequence.waveforms).length} waveform(s)`,
          );
          const lines = seq.sequence.program.trimEnd().split("\n");
          const shown =
            lines.length > 18
              ? [...lines.slice(0, 14), `   … ${lines.length - 16} more lines …`, ...lines.slice(-2)]
              : lines;
          out.push(...shown.map((l) => `   | ${l}`));
        }
      }
    }
    const t = result.timings_ms;
    out.push(
      ``,
      `ran on the virtual Cluster over SCPI/TCP: prepare ${t.prepare.toFixed(1)} ms, arm+start ${t.start.toFixed(1)} ms, wait ${t.wait.toFixed(1)} ms, retrieve ${t.retrieve.toFixed(1)} ms`,
    );
    for (const s of result.sequencers) out.push(`  ${s.module} seq${s.sequencer}: ${s.state} ${s.status}`);
    for (const [ch, data] of Object.entries(result.acquisitions)) {
      const layout = compiled.acquisitions[ch]!;
      out.push(``, `acq_channel "${ch}" (${data.protocol}, ${data.bin_mode}, shape [${data.shape.join(", ")}]):`);
      const gainDb = compiled.clusters[layout.cluster]?.modules[layout.module]?.settings.in0_gain;
      if (gainDb)
        out.push(
          `   (loopback: the QRM's output is read back on its inputs, whose ${gainDb} dB input gain scales I by ${(10 ** (gainDb / 20)).toFixed(4)})`,
        );
      out.push(`   ${"coords".padEnd(14)} ${"I".padStart(9)} ${"Q".padStart(9)} ${"|S|".padStart(9)}`);
      data.real.forEach((re, i) => {
        const im = data.imag?.[i] ?? 0;
        const ds = layout.dataset; // a sweep's coordinate (values played), docs/sweeps.md
        const dim = ds && ds.dims.length === 1 ? ds.dims[0]! : null;
        const coord = layout.coords?.[i]
          ? JSON.stringify(layout.coords[i])
          : dim && ds?.coords[dim]
            ? JSON.stringify({ [dim]: ds.coords[dim].data[i] })
            : String(i);
        out.push(
          `   ${coord.padEnd(14)} ${re.toFixed(5).padStart(9)} ${im.toFixed(5).padStart(9)} ${Math.hypot(re, im).toFixed(5).padStart(9)}`,
        );
      });
    }
    io.stdout(out.join("\n") + "\n");
    return 0;
  },
};
