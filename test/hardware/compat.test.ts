/** Issue 13 items 1–4 at load level: node-link graphs, nulls, qblox-scheduler keys, old-style conversion, the 0.1 rule. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SchemaValidationError } from "../../src/core/errors.js";
import { convertOldStyleConfig } from "../../src/hardware/convert-old.js";
import { catchErr, cfg, load } from "./helpers.js";

const read = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./configs/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;

const nodeLink = (links: [string, string][], extraNodes: string[] = []) => ({
  directed: false,
  multigraph: false,
  graph: {},
  nodes: [...new Set([...links.flat(), ...extraNodes])].map((id) => ({ id })),
  links: links.map(([source, target]) => ({ source, target })),
});

describe("item 1: networkx node-link graph", () => {
  it("gives the same routes as the edge list", () => {
    const modules = { "1": { instrument_type: "QCM" }, "2": { instrument_type: "QRM" } };
    const edges: [string, string][] = [
      ["cluster0.module1.complex_output_0", "q0:mw"],
      ["cluster0.module2.complex_output_0", "q0:res"],
      ["cluster0.module2.complex_input_0", "q0:res"],
    ];
    const a = load(cfg(modules, edges, { version: "0.2" }));
    const b = load(cfg(modules, nodeLink(edges) as never, { version: "0.2" }));
    expect(b.routeFor("q0:res", "q0.ro")).toEqual(a.routeFor("q0:res", "q0.ro"));
    expect(b.routeFor("q0:mw", "q0.01")).toEqual(a.routeFor("q0:mw", "q0.01"));
    expect(b.devicePorts()).toEqual(["q0:mw", "q0:res"]);
  });
  it("accepts networkx ≥ 3.4's 'edges' key and link attributes", () => {
    const g = {
      directed: false,
      multigraph: true,
      graph: {},
      nodes: [{ id: "cluster0.module1.real_output_0" }, { id: "q0:fl" }],
      edges: [{ source: "cluster0.module1.real_output_0", target: "q0:fl", key: 0 }],
    };
    const s = load(cfg({ "1": { instrument_type: "QCM" } }, g as never));
    expect(s.routeFor("q0:fl", "cl0.baseband").channelName).toBe("real_output_0");
  });
  it("errors point into links and nodes (an isolated node is validated too, as quantify does)", () => {
    const m = { "1": { instrument_type: "QCM" } };
    const e1 = catchErr(() =>
      load(
        cfg(
          m,
          nodeLink([
            ["cluster0.module1.complex_output_0", "q0:mw"],
            ["cluster0.module1.foo_9", "q1:mw"],
          ]) as never,
        ),
      ),
    );
    expect([e1.code, e1.path]).toEqual(["INVALID_CHANNEL_NAME", "/connectivity/graph/nodes/2/id"]);
    const g = nodeLink([["cluster0.module1.complex_output_0", "q0:mw"]]);
    g.nodes.push({ id: "cluster0.module5.complex_output_0" });
    const e2 = catchErr(() => load(cfg(m, g as never)));
    expect([e2.code, e2.path]).toEqual(["MODULE_NOT_FOUND", "/connectivity/graph/nodes/2/id"]);
  });
});

describe("item 2: nulls and qblox-scheduler keys", () => {
  it("null optional fields load as absent", () => {
    const s = load(read("qblox-scheduler-nodelink-nulls.json"));
    const mod1 = (s.config.hardware_description["cluster0"] as { modules: Record<string, unknown> }).modules["1"];
    expect(mod1).toEqual({
      instrument_type: "QCM",
      sequence_to_file: false,
      complex_output_0: {
        marker_debug_mode_enable: false,
        mix_lo: true,
        distortion_correction_latency_compensation: 0,
      },
    });
    expect(s.config.hardware_options).toEqual({
      modulation_frequencies: { "q0:mw-q0.01": {}, "q0:res-q0.ro": {} },
    });
    expect(s.config.compiler_options).toBeUndefined();
  });
  it("every qblox-scheduler key is named in a warning as not applied", () => {
    const s = load(read("qblox-scheduler-nodelink-nulls.json"));
    expect(s.loadWarnings.map((w) => w.path)).toEqual([
      "/hardware_description/cluster0/modules/1/sequencer_isa_version",
      "/hardware_description/cluster0/modules/2/sequencer_isa_version",
    ]);
  });
  it("in a qblox-scheduler config any key quantify lacks is warned about, not rejected", () => {
    const c = read("qblox-scheduler-nodelink-nulls.json");
    (c["hardware_options"] as Record<string, unknown>)["some_new_option"] = { "q0:mw-q0.01": 1 };
    const s = load(c);
    expect(s.loadWarnings.map((w) => [w.code, w.path])).toContainEqual([
      "SUCCESSOR_KEY_NOT_APPLIED",
      "/hardware_options/some_new_option",
    ]);
  });
  it("in a quantify config an unknown key is still a schema error (typos are not accepted silently)", () => {
    const c = cfg({ "1": { instrument_type: "QCM", complex_output_0: { mix_loo: false } } }, [
      ["cluster0.module1.complex_output_0", "q0:mw"],
    ]);
    const e = catchErr(() => load(c));
    expect(e).toBeInstanceOf(SchemaValidationError);
    expect(e.path).toBe("/hardware_description/cluster0/modules/1/complex_output_0/mix_loo");
  });
});

describe("item 3: old-style conversion", () => {
  it("converts as quantify's converter does", () => {
    const { config, warnings } = convertOldStyleConfig(read("old-style-transmon.json"));
    expect(config).toEqual({
      config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
      hardware_description: {
        cluster0: {
          instrument_type: "Cluster",
          modules: {
            "1": { instrument_type: "QCM" },
            "2": { instrument_type: "QRM" },
            "3": { instrument_type: "QCM_RF" },
          },
          ref: "internal",
          sequence_to_file: false,
        },
        iq_mixer_lo0: { instrument_type: "IQMixer" },
        lo0: { instrument_type: "LocalOscillator", power: 1 },
      },
      hardware_options: {
        latency_corrections: { "q0:mw-q0.01": 4e-9 },
        modulation_frequencies: {
          "q0:mw-q0.01": { lo_freq: null, interm_freq: 50e6 },
          "q0:res-q0.ro": { interm_freq: null },
          "q1:mw-q1.01": { lo_freq: 5.9e9 },
        },
        mixer_corrections: {
          "q0:mw-q0.01": { dc_offset_i: -0.01, dc_offset_q: 0.004, amp_ratio: 0.98, phase_error: 1.5 },
        },
        sequencer_options: {
          "q0:fl-cl0.baseband": { init_gain_awg_path_I: 0.5 },
          "q1:res-q1.ro": { init_offset_awg_path_I: 0.1 },
        },
        input_gain: { "q0:res-q0.ro": { gain_I: 2, gain_Q: 2 }, "q1:res-q1.ro": { gain_I: 2, gain_Q: 2 } },
        output_att: { "q1:mw-q1.01": 4 },
      },
      connectivity: {
        graph: [
          ["cluster0.module1.complex_output_0", "iq_mixer_lo0.if"],
          ["lo0.output", "iq_mixer_lo0.lo"],
          ["iq_mixer_lo0.rf", "q0:mw"],
          ["cluster0.module1.real_output_2", "q0:fl"],
          ["cluster0.module2.complex_output_0", "q0:res"],
          ["cluster0.module2.complex_output_0", "q1:res"],
          ["cluster0.module3.complex_output_0", "q1:mw"],
          ["cluster0.module3.digital_output_0", "q1:switch"],
        ],
      },
    });
    expect(warnings).toEqual([
      {
        code: "OLD_STYLE_DEPRECATED_KEY",
        message: "'init_offset_awg_path_0' of q1:res-q1.ro is deprecated; converted to 'init_offset_awg_path_I'",
        path: "/cluster0/cluster0_module2/complex_output_0/portclock_configs/1",
      },
    ]);
  });
  it("loads with a warning saying a conversion happened; the 0.1 input rule applies", () => {
    const s = load(read("old-style-transmon.json"));
    expect(s.loadWarnings[0]?.code).toBe("OLD_STYLE_CONFIG_CONVERTED");
    expect(s.version).toBe("0.1");
    expect(s.routeFor("q0:res", "q0.ro").measureChannels).toEqual(["complex_input_0"]);
  });
  it("real channels: an optical_control port gets an OpticalModulator, and every sequencer option is kept", () => {
    const { config } = convertOldStyleConfig({
      backend: "quantify_scheduler.backends.qblox_backend.hardware_compile",
      cluster0: {
        instrument_type: "Cluster",
        ref: "internal",
        cluster0_module1: {
          instrument_type: "QCM",
          real_output_0: {
            portclock_configs: [
              {
                port: "qe0:optical_control",
                clock: "qe0.ge0",
                interm_freq: 200e6,
                init_gain_awg_path_I: 0.5,
                init_offset_awg_path_I: 0.1,
              },
            ],
            lo_name: "red_laser",
          },
        },
      },
      red_laser: { instrument_type: "LocalOscillator", frequency: 470.4e12, power: 1 },
    });
    expect(config["connectivity"]).toEqual({
      graph: [
        ["cluster0.module1.real_output_0", "optical_mod_red_laser.if"],
        ["red_laser.output", "optical_mod_red_laser.lo"],
        ["optical_mod_red_laser.out", "qe0:optical_control"],
      ],
    });
    expect((config["hardware_options"] as Record<string, unknown>)["sequencer_options"]).toEqual({
      "qe0:optical_control-qe0.ge0": { init_gain_awg_path_I: 0.5, init_offset_awg_path_I: 0.1 },
    });
    expect((config["hardware_description"] as Record<string, unknown>)["optical_mod_red_laser"]).toEqual({
      instrument_type: "OpticalModulator",
    });
  });
  it("invalid old-style input: the error says it is old-style and what is wrong", () => {
    const base = { backend: "quantify_scheduler.backends.qblox_backend.hardware_compile" };
    const e1 = catchErr(() =>
      load({
        ...base,
        cluster0: {
          instrument_type: "Cluster",
          ref: "internal",
          cluster0_module1: { instrument_type: "QCM", complex_output_0: { lo_name: "lo9" } },
        },
      }),
    );
    expect([e1.code, e1.path]).toEqual(["OLD_STYLE_CONFIG_INVALID", "/cluster0/cluster0_module1/complex_output_0"]);
    expect(e1.message).toBe(
      'Old-style hardware config (backend "quantify_scheduler.backends.qblox_backend.hardware_compile") cannot be converted: channel \'complex_output_0\' of cluster0 module 1 has no "portclock_configs" list.',
    );
    const e2 = catchErr(() =>
      load({
        ...base,
        cluster0: {
          instrument_type: "Cluster",
          ref: "internal",
          cluster0_module1: {
            instrument_type: "QCM",
            complex_output_0: { lo_name: "lo9", portclock_configs: [{ port: "q0:mw", clock: "q0.01" }] },
          },
        },
      }),
    );
    expect([e2.code, e2.path]).toEqual([
      "OLD_STYLE_CONFIG_INVALID",
      "/cluster0/cluster0_module1/complex_output_0/lo_name",
    ]);
    const e3 = catchErr(() =>
      load({ ...base, lo0: { instrument_type: "LocalOscillator", frequency: 6e9, lo_freq: 6e9 } }),
    );
    expect([e3.code, e3.path]).toEqual(["OLD_STYLE_CONFIG_INVALID", "/lo0/lo_freq"]);
    const e4 = catchErr(() =>
      load({
        ...base,
        cluster0: {
          instrument_type: "Cluster",
          ref: "internal",
          cluster0_module1: {
            instrument_type: "QCM",
            complex_output_0: { portclock_configs: [{ port: "q0:mw", clock: "q0.01", interm_fre: 1e8 }] },
          },
        },
      }),
    );
    expect([e4.code, e4.path]).toEqual([
      "OLD_STYLE_CONFIG_INVALID",
      "/cluster0/cluster0_module1/complex_output_0/portclock_configs/0/interm_fre",
    ]);
  });
});

describe("item 4: routesFor evaluates the 0.1 rule over the port-clocks in use", () => {
  const hw = () => load(read("quantify-transmon-shape.json"));
  it("q0:res alone on the QRM_RF: complex_input_0 is added", () => {
    const r = hw()
      .routesFor([{ port: "q0:res", clock: "q0.ro" }])
      .get("q0:res-q0.ro")!;
    expect([r.channelName, r.measureChannels, r.inputIndices]).toEqual([
      "complex_output_0",
      ["complex_input_0"],
      [0, 1],
    ]);
  });
  it("with q5:res (input-only) in use too, nothing is added (quantify's rule)", () => {
    const rs = hw().routesFor([
      { port: "q0:res", clock: "q0.ro" },
      { port: "q5:res", clock: "q5.ro" },
    ]);
    expect(rs.get("q0:res-q0.ro")!.measureChannels).toEqual([]);
    expect(rs.get("q5:res-q5.ro")!.channelName).toBe("complex_input_0");
  });
});
