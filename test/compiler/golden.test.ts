/**
 * Golden tests: exact Q1ASM lines, encoded integers, waveform samples and settings for the six
 * reference schedules of the compiler-core issue.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.js";
import { basebandHardware, lines, NESTED_LOOPS, RESOURCES, sequencer } from "./fixtures.js";

const HEADER = (reps: number, latency = 4) => [
  "set_mrk 0",
  "wait_sync 4",
  "upd_param 4",
  `wait ${latency}`,
  `move ${reps},R0`,
  "start: reset_ph",
  "upd_param 4",
];

describe("golden: single square pulse on a QCM", () => {
  const c = compile(
    {
      name: "single",
      repetitions: 1024,
      resources: RESOURCES,
      schedulables: [
        { operation: { type: "SquarePulse", amp: 0.25, duration: "40 ns", port: "q0:mw", clock: "q0.01" } },
        { operation: { type: "IdlePulse", duration: "100 ns" } },
      ],
    },
    basebandHardware(),
  );
  const s = sequencer(c, "cluster0_module1", 0);
  it("emits the reference skeleton with gain 0.25 → 8192", () => {
    expect(lines(s.sequence.program)).toEqual([
      ...HEADER(1024),
      "set_awg_gain 8192,0",
      "play 0,0,4",
      "wait 136",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("uploads one normalised 40-sample waveform", () => {
    const w = Object.values(s.sequence.waveforms);
    expect(w).toHaveLength(1);
    expect(w[0]!.index).toBe(0);
    expect(w[0]!.data).toEqual(new Array(40).fill(1));
    expect(s.sequence.acquisitions).toEqual({});
  });
  it("runs the NCO at the clock frequency on a baseband module without LO", () => {
    expect(s.settings.nco_en).toBe(true);
    expect(s.settings.modulation_freq).toBe(100e6);
    expect(s.settings.mod_en_awg).toBe(true);
    expect(s.settings.connect_out).toEqual({ out0: "I", out1: "Q", out2: "off", out3: "off" });
    expect(s.settings.sync_en).toBe(true);
    expect(c.repetition_duration_ns).toBe(140);
  });
});

describe("golden: DRAG pulse on an IQ output", () => {
  const duration = 20;
  const c = compile(
    {
      name: "drag",
      repetitions: 1,
      resources: RESOURCES,
      schedulables: [
        {
          label: "x",
          operation: {
            type: "DRAGPulse",
            G_amp: 0.5,
            D_amp: 0.1,
            phase: 0,
            duration: "20 ns",
            port: "q0:mw",
            clock: "q0.01",
          },
        },
        {
          label: "y",
          operation: {
            type: "DRAGPulse",
            G_amp: 0.5,
            D_amp: 0.1,
            phase: 90,
            duration: "20 ns",
            port: "q0:mw",
            clock: "q0.01",
          },
          rel_time: "20 ns",
        },
      ],
    },
    basebandHardware(),
  );
  const s = sequencer(c, "cluster0_module1", 0);
  // Analytic DRAG (reference 2.7): sigma = duration / 8, offset-subtracted, normalised by the signed peak.
  const mu = duration / 2,
    sigma = duration / 8;
  const G = Array.from({ length: duration }, (_, k) => 0.5 * Math.exp(-((k - mu) ** 2) / (2 * sigma ** 2)));
  const D = G.map((g, k) => ((-0.1 * (k - mu)) / (sigma * 1e-9)) * g * 1e-9);
  const sub = (x: number[]) => x.map((v) => v - (x[0]! + x[x.length - 1]!) / 2);
  const Gs = sub(G),
    Ds = sub(D);
  const peak = (x: number[]) => x.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
  it("uploads the Gaussian and its derivative, normalised, once for both rotations", () => {
    const w = Object.values(s.sequence.waveforms).sort((a, b) => a.index - b.index);
    expect(w).toHaveLength(2);
    const gPeak = peak(Gs),
      dPeak = peak(Ds);
    w[0]!.data.forEach((v, k) => expect(v).toBeCloseTo(Gs[k]! / gPeak, 12));
    w[1]!.data.forEach((v, k) => expect(v).toBeCloseTo(Ds[k]! / dPeak, 12));
  });
  it("plays both rotations from the same waveforms through gains", () => {
    const gI = Math.round(peak(Gs) * 32768),
      gQ = Math.round(peak(Ds) * 32768);
    expect(gI).toBe(16369);
    expect(lines(s.sequence.program)).toEqual([
      ...HEADER(1),
      `set_awg_gain ${gI},${gQ}`,
      "play 0,1,4",
      "wait 36",
      // phase 90°: I = −D shape, Q = G shape → normalisation swaps the roles of the two waveforms
      `set_awg_gain ${-gQ},${gI}`,
      "play 1,0,4",
      "wait 16",
      "loop R0,@start",
      "stop",
    ]);
  });
});

describe("golden: square pulse + SSB acquisition on a QRM", () => {
  const c = compile(
    {
      name: "ssb",
      repetitions: 256,
      resources: RESOURCES,
      schedulables: [
        {
          operation: {
            type: "Composite",
            name: "Measure q0",
            pulse_info: [
              { type: "ResetClockPhase", clock: "q0.ro" },
              { type: "SquarePulse", amp: 0.25, duration: "80 ns", port: "q0:res", clock: "q0.ro" },
            ],
            acquisition_info: [
              {
                type: "SSBIntegrationComplex",
                t0: "100 ns",
                duration: "1 us",
                port: "q0:res",
                clock: "q0.ro",
                acq_channel: 0,
              },
            ],
          },
        },
      ],
    },
    basebandHardware(),
  );
  const s = sequencer(c, "cluster0_module2", 0);
  it("resets the phase, plays and acquires with an immediate bin", () => {
    expect(lines(s.sequence.program)).toEqual([
      ...HEADER(256),
      "reset_ph",
      "set_awg_gain 8192,0",
      "play 0,0,4",
      "wait 96",
      "acquire 0,0,4",
      "wait 996",
      "loop R0,@start",
      "stop",
    ]);
    expect(s.sequence.acquisitions).toEqual({ "0": { num_bins: 1, index: 0 } });
    expect(Object.values(s.sequence.waveforms)[0]!.data).toEqual(new Array(80).fill(1));
  });
  it("sets readout settings and the channel map", () => {
    expect(s.settings).toMatchObject({
      nco_en: true,
      modulation_freq: 150e6,
      mod_en_awg: true,
      demod_en_acq: true,
      integration_length_acq: 1000,
      channel_name: "complex_output_0",
      channel_name_measure: ["complex_input_0"],
      connected_output_indices: [0, 1],
      connected_input_indices: [0, 1],
      connect_out: { out0: "I", out1: "Q" },
      connect_acq: { I: "in0", Q: "in1" },
    });
  });
  it("declares the acquisition layout", () => {
    expect(c.acquisitions["0"]).toEqual({
      acq_channel: "0",
      protocol: "SSBIntegrationComplex",
      bin_mode: "average",
      shape: [1],
      dims: ["acq_index_0"],
      cluster: "cluster0",
      module: "cluster0_module2",
      sequencer: 0,
      port_clock: "q0:res-q0.ro",
      qblox_index: 0,
      first_bin: 0,
      num_acq_indices: 1,
      stride: 0,
      integration_length: 1000,
      loop_repetitions: [],
      coords: null,
    });
  });
});

describe("golden: APPEND with 1,000 acquisitions", () => {
  const schedulables = Array.from({ length: 1000 }, (_, k) => ({
    label: `a${k}`,
    operation: {
      type: "SSBIntegrationComplex",
      duration: "500 ns",
      port: "q0:res",
      clock: "q0.ro",
      acq_channel: "iq",
      bin_mode: "append",
    },
    ...(k > 0 ? { ref_schedulable: `a${k - 1}`, ref_pt: "start", rel_time: "1 us" } : {}),
  }));
  const c = compile({ name: "append", repetitions: 3, resources: RESOURCES, schedulables }, basebandHardware());
  const s = sequencer(c, "cluster0_module2", 0);
  it("uses one bin register that advances after every acquisition", () => {
    const l = lines(s.sequence.program);
    expect(l.slice(0, 8)).toEqual([
      "set_mrk 0",
      "wait_sync 4",
      "upd_param 4",
      "move 0,R0",
      "wait 4",
      "move 3,R1",
      "start: reset_ph",
      "upd_param 4",
    ]);
    expect(l.slice(8, 14)).toEqual([
      "acquire 0,R0,4",
      "add R0,1,R0",
      "wait 996",
      "acquire 0,R0,4",
      "add R0,1,R0",
      "wait 996",
    ]);
    expect(l.filter((x) => x === "acquire 0,R0,4")).toHaveLength(1000);
    expect(l.slice(-4)).toEqual(["add R0,1,R0", "wait 496", "loop R1,@start", "stop"]);
  });
  it("declares repetitions × acquisitions bins and an APPEND layout", () => {
    expect(s.sequence.acquisitions).toEqual({ "0": { num_bins: 3000, index: 0 } });
    expect(c.acquisitions.iq).toMatchObject({
      bin_mode: "append",
      shape: [3, 1000],
      dims: ["repetition", "acq_index_iq"],
      stride: 1000,
      first_bin: 0,
      num_acq_indices: 1000,
    });
    const r = c.diagnostics.resources.find((x) => x.port_clock === "q0:res-q0.ro")!;
    expect(r).toMatchObject({ bins: 3000, registers: 2, instructions: 3010 });
  });
});

describe("golden: three multiplexed readouts on one QRM", () => {
  const c = compile(
    {
      name: "mux",
      repetitions: 100,
      resources: RESOURCES,
      schedulables: [0, 1, 2].map((q) => ({
        label: `m${q}`,
        operation: {
          type: "Composite",
          name: `Measure q${q}`,
          pulse_info: [{ type: "SquarePulse", amp: 0.2, duration: "300 ns", port: `q${q}:res`, clock: `q${q}.ro` }],
          acquisition_info: [
            {
              type: "SSBIntegrationComplex",
              t0: "100 ns",
              duration: "1 us",
              port: `q${q}:res`,
              clock: `q${q}.ro`,
              acq_channel: q,
            },
          ],
        },
        ...(q > 0 ? { ref_schedulable: "m0", ref_pt: "start" } : {}),
      })),
    },
    basebandHardware(),
  );
  it("gives each port-clock its own sequencer and NCO on the same output", () => {
    const freqs = [0, 1, 2].map((i) => sequencer(c, "cluster0_module2", i).settings.modulation_freq);
    expect(freqs).toEqual([150e6, 170e6, 190e6]);
    for (const i of [0, 1, 2]) {
      const s = sequencer(c, "cluster0_module2", i);
      expect(s.port_clock).toBe(`q${i}:res-q${i}.ro`);
      expect(s.settings.connect_out).toEqual({ out0: "I", out1: "Q" });
      expect(c.acquisitions[String(i)]).toMatchObject({ sequencer: i, qblox_index: 0, shape: [1] });
    }
  });
  it("plays the 300 ns readout through offsets plus a 4 ns tail", () => {
    expect(lines(sequencer(c, "cluster0_module2", 1).sequence.program)).toEqual([
      ...HEADER(100),
      "set_awg_offs 6554,0",
      "upd_param 4",
      "wait 96",
      "acquire 0,0,4",
      "wait 192",
      "set_awg_offs 0,0",
      "set_awg_gain 6554,0",
      "play 0,0,4",
      "wait 800",
      "loop R0,@start",
      "stop",
    ]);
  });
});

describe("golden: nested loops", () => {
  const c = compile(NESTED_LOOPS, basebandHardware());
  const s = sequencer(c, "cluster0_module1", 0);
  it("emits register loops, compiled once, with phase steps of 1e9/360 per degree", () => {
    expect(lines(s.sequence.program)).toEqual([
      ...HEADER(2),
      "move 3,R1",
      "loop7: set_awg_gain 16369,0",
      "play 0,0,4",
      "wait 36",
      "move 5,R2",
      "loop11: set_ph_delta 250000000",
      "set_awg_gain 8184,0",
      "play 0,0,4",
      "wait 96",
      "loop R2,@loop11",
      "loop R1,@loop7",
      "loop R0,@start",
      "stop",
    ]);
    expect(c.repetition_duration_ns).toBe(3 * (40 + 5 * 100));
  });
  it("shares one Gaussian waveform between both amplitudes", () => {
    expect(Object.keys(s.sequence.waveforms)).toHaveLength(1);
    expect(c.diagnostics.resources[0]).toMatchObject({ registers: 3, waveform_samples: 20 });
  });
});

describe("an operation from the library placed several times", () => {
  it("gets one AVERAGE bin per placement", () => {
    const c = compile(
      {
        name: "reuse",
        repetitions: 1,
        resources: RESOURCES,
        operations: {
          acq: { type: "SSBIntegrationComplex", duration: "300 ns", port: "q0:res", clock: "q0.ro", acq_channel: 0 },
        },
        schedulables: [0, 1, 2].map((k) => ({
          label: `a${k}`,
          operation: "acq",
          ...(k > 0 ? { ref_schedulable: `a${k - 1}`, rel_time: "100 ns" } : {}),
        })),
      },
      basebandHardware(),
    );
    const l = lines(sequencer(c, "cluster0_module2", 0).sequence.program);
    expect(l.filter((x) => x.startsWith("acquire"))).toEqual(["acquire 0,0,4", "acquire 0,1,4", "acquire 0,2,4"]);
    expect(c.acquisitions["0"]!.shape).toEqual([3]);
  });
});

describe("a parameter operation at the start of a loop", () => {
  const loopAt = (body: unknown[]) => ({
    name: "boundary",
    repetitions: 1,
    resources: RESOURCES,
    schedulables: [
      { label: "shift", operation: { type: "ShiftClockPhase", name: "shift", clock: "q0.01", phase_shift: 45 } },
      {
        operation: { type: "LoopOperation", name: "inner", repetitions: 4, body: { schedulables: body } },
        ref_schedulable: "shift",
      },
    ],
  });
  it("is committed by the loop body's first play (no upd_param eating the loop's first 4 ns)", () => {
    const c = compile(
      loopAt([{ operation: { type: "GaussPulse", G_amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } }]),
      basebandHardware(),
    );
    expect(lines(sequencer(c, "cluster0_module1", 0).sequence.program).slice(7)).toEqual([
      "set_ph_delta 125000000",
      "move 4,R1",
      "loop8: set_awg_gain 16369,0",
      "play 0,0,4",
      "wait 16",
      "loop R1,@loop8",
      "loop R0,@start",
      "stop",
    ]);
  });
  it("is rejected when the body starts later than the loop", () => {
    const sched = loopAt([
      { operation: { type: "IdlePulse", duration: "8 ns" } },
      { operation: { type: "GaussPulse", G_amp: 0.5, duration: "20 ns", port: "q0:mw", clock: "q0.01" } },
    ]);
    expect(() => compile(sched, basebandHardware())).toThrow(
      /PARAMETER_AT_CONTROL_FLOW_BOUNDARY|same time as the start of loop "inner"/,
    );
  });
});
