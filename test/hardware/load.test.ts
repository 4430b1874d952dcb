import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HardwareConfigError, InputParseError, SchemaValidationError } from "../../src/core/errors.js";
import { withoutNulls } from "../../src/hardware/compat.js";
import { parseHardwareConfigJson } from "../../src/hardware/load.js";
import { catchErr, cfg, load } from "./helpers.js";

const example = (name: string): string =>
  readFileSync(new URL(`../../hardware-configs/${name}`, import.meta.url), "utf8");

describe("example configs", () => {
  it("baseband-transmon.json loads with one cluster, QCM slot 1 and QRM slot 2, and lo0", () => {
    const s = parseHardwareConfigJson(example("baseband-transmon.json"));
    expect(s.version).toBe("0.2");
    expect(s.clusters.map((c) => [c.name, c.ref, c.modules.map((m) => [m.slot, m.type, m.moduleName])])).toEqual([
      [
        "cluster0",
        "internal",
        [
          [1, "QCM", "cluster0_module1"],
          [2, "QRM", "cluster0_module2"],
        ],
      ],
    ]);
    expect(s.externalLos().map((l) => [l.name, l.power])).toEqual([["lo0", 10]]);
    expect(s.devicePorts()).toEqual(["q0:mw", "q0:fl", "q0:res"]);
  });
  it("rf-transmon.json loads two RF modules", () => {
    const s = parseHardwareConfigJson(example("rf-transmon.json"));
    expect(s.clusters[0]!.modules.map((m) => m.type)).toEqual(["QCM_RF", "QRM_RF"]);
    expect(s.config.hardware_options?.output_att?.["q0:res-q0.ro"]).toBe(12);
    expect(s.externalLos()).toEqual([]);
  });
  it("mixed-flux-markers.json keeps software and hardware distortion corrections and crosstalk", () => {
    const s = parseHardwareConfigJson(example("mixed-flux-markers.json"));
    const dc = s.config.hardware_options?.distortion_corrections;
    expect(dc?.["q0:fl-cl0.baseband"]).toEqual({ exp0_coeffs: [2000, -0.1] });
    expect(dc?.["q1:fl-cl0.baseband"]).toMatchObject({
      filter_func: "scipy.signal.lfilter",
      clipping_values: [-2.5, 2.5],
    });
    expect(s.config.hardware_options?.crosstalk?.["q0:fl-cl0.baseband"]?.["q2:fl-cl0.baseband"]).toBe(-0.005);
    expect(s.clusters[0]!.ref).toBe("external");
  });
  it("two-clusters.json loads two clusters", () => {
    const s = parseHardwareConfigJson(example("two-clusters.json"));
    expect(s.clusters.map((c) => [c.name, c.modules.map((m) => m.moduleName)])).toEqual([
      ["clusterA", ["clusterA_module1", "clusterA_module3"]],
      ["clusterB", ["clusterB_module2", "clusterB_module8"]],
    ]);
  });
});

/** Every field of reference section 1, in one config. */
const FULL = {
  config_type: "quantify_scheduler.backends.qblox_backend.QbloxHardwareCompilationConfig",
  version: "0.1",
  allow_off_grid_nco_ops: false,
  compiler_options: { auto_rf_switch: true, auto_rf_switch_ramp_buffer: 2e-8 },
  hardware_description: {
    cluster0: {
      instrument_type: "Cluster",
      ref: "external",
      sequence_to_file: false,
      ip: "10.0.0.5",
      sync_on_external_trigger: {
        slot: 0,
        channel: 1,
        trigger_timestamp: 0,
        timeout: 1,
        format: "s",
        edge_polarity: "rising",
        sync_to_ref_clock: false,
      },
      modules: {
        "1": {
          instrument_type: "QCM",
          sequence_to_file: true,
          complex_output_0: {
            marker_debug_mode_enable: true,
            mix_lo: true,
            downconverter_freq: null,
            distortion_correction_latency_compensation: 34,
          },
          real_output_3: { mix_lo: false },
          digital_output_2: { distortion_correction_latency_compensation: 0 },
        },
        "2": { instrument_type: "QRM", complex_input_0: {}, real_input_1: { marker_debug_mode_enable: false } },
        "3": { instrument_type: "QCM_RF", rf_output_on: false },
        "4": { instrument_type: "QRM_RF", rf_output_on: true },
        "5": { instrument_type: "QRC", complex_output_5: {} },
        "6": { instrument_type: "QTM", digital_input_4: {}, digital_output_0: {} },
      },
    },
    lo0: {
      instrument_type: "LocalOscillator",
      generic_icc_name: "generic",
      frequency_param: "frequency",
      power_param: "power",
      power: 1,
      instrument_name: "lo0",
    },
    red_laser: { instrument_type: "LocalOscillator", power: 1 },
    iq_mixer_lo0: { instrument_type: "IQMixer" },
    optical_mod_red_laser: { instrument_type: "OpticalModulator" },
  },
  hardware_options: {
    latency_corrections: { "q0:mw-q0.01": 4e-9 },
    distortion_corrections: {
      "q0:fl-cl0.baseband": {
        filter_func: "scipy.signal.lfilter",
        input_var_name: "x",
        kwargs: { b: [1], a: [1] },
        sampling_rate: 1e9,
      },
      "q1:fl-cl0.baseband": [{ exp0_coeffs: [100, 0.5] }, { fir_coeffs: [1] }],
    },
    modulation_frequencies: { "q0:mw-q0.01": { interm_freq: 50e6, lo_freq: null } },
    mixer_corrections: {
      "q0:mw-q0.01": {
        dc_offset_i: null,
        dc_offset_q: null,
        amp_ratio: 2,
        phase_error: -45,
        auto_lo_cal: "on_lo_freq_change",
        auto_sideband_cal: "off",
      },
    },
    input_gain: { "q0:res-q0.ro": { gain_I: -6, gain_Q: 26 }, "q1:res-q1.ro": 0 },
    output_att: { "q2:mw-q2.01": 60 },
    input_att: { "q2:res-q2.ro": 30 },
    sequencer_options: {
      "q0:res-q0.ro": {
        init_offset_awg_path_I: -1,
        init_offset_awg_path_Q: 1,
        init_gain_awg_path_I: 0.5,
        init_gain_awg_path_Q: 0.5,
        ttl_acq_threshold: 0.2,
        qasm_hook_func: "my.module.hook",
      },
    },
    digitization_thresholds: { "qe0:optical_readout-qe0.ge0": { analog_threshold: 0.5 } },
    crosstalk: {
      "q0:fl-cl0.baseband": { "q1:fl-cl0.baseband": 0.1, "q2:fl-cl0.baseband": { real: 0.01, imag: -0.02 } },
    },
  },
  connectivity: {
    graph: [
      ["cluster0.module1.complex_output_0", "iq_mixer_lo0.if"],
      ["lo0.output", "iq_mixer_lo0.lo"],
      ["iq_mixer_lo0.rf", "q0:mw"],
      ["cluster0.module1.real_output_0", ["q0:fl", "q1:fl"]],
      ["cluster0.module2.complex_output_0", "q0:res"],
      ["cluster0.module3.complex_output_1", "q2:mw"],
      ["cluster0.module4.complex_output_0", "q2:res"],
      ["cluster0.module5.complex_output_3", "q3:mw"],
      ["cluster0.module6.digital_input_4", "qe0:optical_readout"],
      ["cluster0.module1.real_output_1", "optical_mod_red_laser.if"],
      ["red_laser.output", "optical_mod_red_laser.lo"],
      ["optical_mod_red_laser.out", "qe0:optical_control"],
    ],
  },
};

describe("full-featured config", () => {
  it("loads every field of reference section 1 unchanged", () => {
    const s = load(FULL);
    // nulls stand for absent fields (docs/hardware-config.md, "Accepted forms"): the rest is unchanged
    expect(s.config).toEqual(withoutNulls(FULL));
    expect(s.version).toBe("0.1");
    expect(s.clusters[0]!.modules.map((m) => m.type)).toEqual(["QCM", "QRM", "QCM_RF", "QRM_RF", "QRC", "QTM"]);
  });
  it("defaults version to 0.1 when absent", () => {
    const { version: _v, ...rest } = FULL;
    expect(load(rest).version).toBe("0.1");
  });
});

describe("schema validation (ajv, JSON pointers)", () => {
  const base = cfg({ "1": { instrument_type: "QCM" } }, [["cluster0.module1.complex_output_0", "q0:mw"]]);
  const issuesOf = (c: Record<string, unknown>) => {
    const e = catchErr(() => load(c));
    expect(e).toBeInstanceOf(SchemaValidationError);
    return (e as SchemaValidationError).issues;
  };
  it("rejects an unknown hardware option", () => {
    expect(issuesOf({ ...base, hardware_options: { mixer_correction: {} } })).toEqual([
      { path: "/hardware_options/mixer_correction", message: "unknown property 'mixer_correction'" },
    ]);
  });
  it("rejects amp_ratio outside [0.5, 2] and phase_error outside ±45", () => {
    const issues = issuesOf({
      ...base,
      hardware_options: { mixer_corrections: { "q0:mw-q0.01": { amp_ratio: 0.4, phase_error: 45.5 } } },
    });
    expect(issues).toEqual([
      { path: "/hardware_options/mixer_corrections/q0:mw-q0.01/amp_ratio", message: "must be >= 0.5" },
      { path: "/hardware_options/mixer_corrections/q0:mw-q0.01/phase_error", message: "must be <= 45" },
    ]);
  });
  it("rejects sequencer_options init values outside [-1, 1]", () => {
    expect(
      issuesOf({ ...base, hardware_options: { sequencer_options: { "q0:mw-q0.01": { init_gain_awg_path_Q: 1.5 } } } }),
    ).toEqual([
      { path: "/hardware_options/sequencer_options/q0:mw-q0.01/init_gain_awg_path_Q", message: "must be <= 1" },
    ]);
  });
  it("rejects an unknown auto_lo_cal value, listing the allowed ones", () => {
    expect(
      issuesOf({ ...base, hardware_options: { mixer_corrections: { "q0:mw-q0.01": { auto_lo_cal: "on" } } } }),
    ).toEqual([
      {
        path: "/hardware_options/mixer_corrections/q0:mw-q0.01/auto_lo_cal",
        message: 'must be equal to one of the allowed values: ["off","on_lo_freq_change","on_lo_interm_freq_change"]',
      },
    ]);
  });
  it("reports only the branch of the module's instrument_type (unknown channel field on a QCM)", () => {
    const c = cfg({ "1": { instrument_type: "QCM", complex_input_0: {} } }, []);
    expect(issuesOf(c)).toEqual([
      {
        path: "/hardware_description/cluster0/modules/1/complex_input_0",
        message: "unknown property 'complex_input_0'",
      },
    ]);
  });
  it("the error names the first pointer in its message and path", () => {
    const e = catchErr(() => load({ ...base, hardware_options: { input_att: { "q0:res-q0.ro": -2 } } }));
    expect(e.code).toBe("SCHEMA_VALIDATION");
    expect(e.path).toBe("/hardware_options/input_att/q0:res-q0.ro");
    expect(e.message).toBe(
      "Hardware config does not match the schema (1 issue): /hardware_options/input_att/q0:res-q0.ro must be >= 0.",
    );
  });
});

describe("malformed JSON", () => {
  it("throws InputParseError with line and column", () => {
    const e = catchErr(() => parseHardwareConfigJson('{\n  "version": "0.2",\n  "x": ,\n}'));
    expect(e).toBeInstanceOf(InputParseError);
    expect(e.code).toBe("INPUT_PARSE");
    expect(e.details).toEqual({ line: 3, column: 8 });
    expect(e.path).toBe("line 3, column 8");
  });
});

describe("semantic errors", () => {
  const qcm = { "1": { instrument_type: "QCM" } };
  const semantic = (c: Record<string, unknown>) => {
    const e = catchErr(() => load(c));
    expect(e).toBeInstanceOf(HardwareConfigError);
    return e;
  };
  it("UNKNOWN_VERSION lists the supported versions", () => {
    const e = semantic(cfg(qcm, [], { version: "0.3" }));
    expect([e.code, e.path, e.message]).toEqual([
      "UNKNOWN_VERSION",
      "/version",
      "Unknown hardware config version '0.3'.",
    ]);
    expect(e.hint).toContain('"0.1", "0.2"');
  });
  it("INVALID_NODE_FORMAT for a node with neither '.' nor ':'", () => {
    const e = semantic(cfg(qcm, [["cluster0.module1.complex_output_0", "q0mw"]]));
    expect([e.code, e.path]).toEqual(["INVALID_NODE_FORMAT", "/connectivity/graph/0/1"]);
    expect(e.message).toContain("'q0mw'");
  });
  it("INVALID_NODE_FORMAT for a malformed cluster node", () => {
    const e = semantic(cfg(qcm, [["cluster0.slot1.complex_output_0", "q0:mw"]]));
    expect([e.code, e.path]).toEqual(["INVALID_NODE_FORMAT", "/connectivity/graph/0/0"]);
    expect(e.message).toContain("'cluster0.slot1.complex_output_0'");
  });
  it("INSTRUMENT_NOT_FOUND names the instrument and the node (list item pointer)", () => {
    const e = semantic(cfg(qcm, [["cluster0.module1.complex_output_0", ["q0:mw", "lo9.output"]]]));
    expect([e.code, e.path]).toEqual(["INSTRUMENT_NOT_FOUND", "/connectivity/graph/0/1/1"]);
    expect(e.message).toBe(
      "Connectivity node 'lo9.output' refers to instrument 'lo9', which is not in hardware_description.",
    );
  });
  it("MODULE_NOT_FOUND names the slot and cluster", () => {
    const e = semantic(cfg(qcm, [["cluster0.module7.complex_output_0", "q0:mw"]]));
    expect([e.code, e.path]).toEqual(["MODULE_NOT_FOUND", "/connectivity/graph/0/0"]);
    expect(e.message).toBe(
      "Module 7 of cluster 'cluster0' (node 'cluster0.module7.complex_output_0') is not in the hardware description.",
    );
    expect(e.hint).toContain("slots 1");
  });
  it("INVALID_CHANNEL_NAME lists the valid names for the module type", () => {
    const e = semantic(cfg({ "4": { instrument_type: "QRM_RF" } }, [["cluster0.module4.real_output_0", "q0:res"]]));
    expect(e.code).toBe("INVALID_CHANNEL_NAME");
    expect(e.message).toBe(
      "Channel 'real_output_0' in node 'cluster0.module4.real_output_0' is not valid for a QRM_RF module.",
    );
    expect(e.hint).toBe(
      "Valid channel names for QRM_RF: complex_output_0, complex_input_0, digital_output_0, digital_output_1.",
    );
  });
  it("QTM_IO_CONFLICT when one index is both input and output", () => {
    const e = semantic(
      cfg({ "6": { instrument_type: "QTM" } }, [
        ["cluster0.module6.digital_output_2", "q0:switch"],
        ["cluster0.module6.digital_input_2", "q0:photon"],
      ]),
    );
    expect([e.code, e.path]).toEqual(["QTM_IO_CONFLICT", "/connectivity/graph/1/0"]);
    expect(e.message).toContain("QTM channel 2 of cluster0 module 6");
  });
  it("UNSUPPORTED_GENERIC_ICC_NAME for a LocalOscillator with another driver", () => {
    const e = semantic(
      cfg(qcm, [], {}, { lo0: { instrument_type: "LocalOscillator", generic_icc_name: "mw_source" } }),
    );
    expect([e.code, e.path]).toEqual(["UNSUPPORTED_GENERIC_ICC_NAME", "/hardware_description/lo0/generic_icc_name"]);
    expect(e.message).toContain("'lo0'");
  });
  it("UNSUPPORTED_INSTRUMENT_TYPE for a top-level instrument and for a module", () => {
    const a = semantic(cfg(qcm, [], {}, { awg: { instrument_type: "ZIHDAWG8" } }));
    expect([a.code, a.path]).toEqual(["UNSUPPORTED_INSTRUMENT_TYPE", "/hardware_description/awg/instrument_type"]);
    expect(a.message).toBe("Instrument 'awg' has unsupported instrument_type 'ZIHDAWG8'.");
    const b = semantic(cfg({ "3": { instrument_type: "QSM" } }, []));
    expect([b.code, b.path]).toEqual([
      "UNSUPPORTED_INSTRUMENT_TYPE",
      "/hardware_description/cluster0/modules/3/instrument_type",
    ]);
  });
  it("INVALID_SLOT for slot 0 or > 20", () => {
    const e = semantic(cfg({ "21": { instrument_type: "QCM" } }, []));
    expect([e.code, e.path]).toEqual(["INVALID_SLOT", "/hardware_description/cluster0/modules/21"]);
  });
  it("warns about mix_lo false towards a laser", () => {
    const s = load(
      cfg(
        { "1": { instrument_type: "QCM", real_output_0: { mix_lo: false } } },
        [["cluster0.module1.real_output_0", "red_laser_mod.if"]],
        {},
        { red_laser_mod: { instrument_type: "OpticalModulator" } },
      ),
    );
    expect(s.warnings).toEqual([
      "mix_lo is false on 'cluster0.module1.real_output_0', which is connected to 'red_laser_mod.if' (a laser): the laser LO will not be mixed.",
    ]);
  });
});

describe("jsonErrorPosition", () => {
  it("points at the first syntax error", async () => {
    const { jsonErrorPosition } = await import("../../src/core/json-position.js");
    expect(jsonErrorPosition('{"a": [1, 2,]}')).toEqual({ line: 1, column: 13 });
    expect(jsonErrorPosition('{"a": 1}\n x')).toEqual({ line: 2, column: 2 });
    expect(jsonErrorPosition('{"a": "b}')).toEqual({ line: 1, column: 10 });
  });
});
