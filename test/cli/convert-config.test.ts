/** `q1forge convert-config` (issue 13 item 3): old-style → new-style JSON, through main(argv, io). */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { convertOldStyleConfig } from "../../src/hardware/convert-old.js";
import { loadHardwareConfig } from "../../src/hardware/load.js";
import { runCli, TempDir } from "../fixtures/cli.js";

const OLD = JSON.parse(
  readFileSync(new URL("../hardware/configs/old-style-transmon.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

describe("q1forge convert-config", () => {
  const tmp = new TempDir();
  afterAll(() => tmp.remove());
  it("writes the new-style JSON to stdout, warnings on stderr", async () => {
    const r = await runCli(["convert-config", "--hardware", tmp.file("old.json", OLD)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(convertOldStyleConfig(OLD).config);
    expect(r.stderr).toBe(
      "warning: 'init_offset_awg_path_0' of q1:res-q1.ro is deprecated; converted to 'init_offset_awg_path_I' (/cluster0/cluster0_module2/complex_output_0/portclock_configs/1)\n",
    );
  });
  it("--out writes a file that loads as a new-style config; --json summarises", async () => {
    const out = tmp.path("new.json");
    const r = await runCli(["convert-config", "--hardware", tmp.file("old2.json", OLD), "--out", out, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, out });
    const written = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    expect(written["config_type"]).toBe("quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig");
    const setup = loadHardwareConfig(written);
    expect(setup.loadWarnings).toEqual([]);
    expect(setup.routeFor("q0:mw", "q0.01").externalLo).toEqual({ name: "lo0", mixer: "iq_mixer_lo0" });
  });
  it("a new-style config is not converted (exit 1, says why)", async () => {
    const r = await runCli([
      "convert-config",
      "--hardware",
      tmp.file("new.json", { hardware_description: {}, connectivity: { graph: [] } }),
      "--json",
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "NOT_OLD_STYLE_CONFIG", path: "/backend" });
  });
  it("invalid old-style input: exit 1 with the old-style error", async () => {
    const bad = { ...OLD, lo0: { instrument_type: "LocalOscillator", freq: 6e9 } };
    const r = await runCli(["convert-config", "--hardware", tmp.file("bad.json", bad), "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "OLD_STYLE_CONFIG_INVALID", path: "/lo0/freq" });
  });
  it("without --hardware: usage error (exit 2)", async () => {
    expect((await runCli(["convert-config"])).code).toBe(2);
  });
});
