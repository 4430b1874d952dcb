/** Schedules shared by the pass tests (each exercises one IR feature; all compile on basebandHardware). */
import { NESTED_LOOPS, RESOURCES } from "../fixtures.js";

type Json = Record<string, unknown>;

export const sq = (port: string, clock: string, extra: Json = {}): Json => ({
  type: "SquarePulse",
  amp: 0.5,
  duration: "20 ns",
  port,
  clock,
  ...extra,
});

/** Flat: a square pulse, a voltage offset, a Gauss pulse and an acquisition (no loops, no overlaps). */
export const FLAT: Json = {
  name: "flat",
  repetitions: 3,
  resources: RESOURCES,
  schedulables: [
    { label: "p", operation: sq("q0:mw", "q0.01", { name: "X q0" }) },
    {
      operation: {
        type: "VoltageOffset",
        name: "offs",
        offset_path_I: 0.25,
        offset_path_Q: -0.125,
        port: "q0:mw",
        clock: "q0.01",
      },
      rel_time: "8 ns",
    },
    {
      operation: { type: "GaussPulse", name: "g", G_amp: 0.4, duration: "20 ns", port: "q0:mw", clock: "q0.01" },
      rel_time: "12 ns",
    },
    {
      label: "m",
      operation: {
        type: "SSBIntegrationComplex",
        name: "acq",
        duration: "1 us",
        port: "q0:res",
        clock: "q0.ro",
        acq_channel: 0,
      },
    },
  ],
};

/** The nested-loops golden schedule, plus a library operation that contains a loop, placed twice. */
export const LOOPS: Json = {
  ...NESTED_LOOPS,
  name: "loops",
  operations: {
    blink: {
      type: "LoopOperation",
      repetitions: 2,
      body: { schedulables: [{ operation: sq("q1:mw", "q1.01", { name: "b" }) }] },
    },
  },
  schedulables: [
    ...(NESTED_LOOPS.schedulables as Json[]),
    { operation: "blink" },
    { operation: "blink", rel_time: "40 ns" },
  ],
};

/** Crosstalk q0:mw ↔ q1:mw, with a q1 pulse overlapping the q0 pulse's compensation copy (stacking). */
export const CROSSTALK_OPTIONS: Json = {
  crosstalk: { "q0:mw-q0.01": { "q1:mw-q1.01": 0.1 }, "q1:mw-q1.01": { "q0:mw-q0.01": 0.2 } },
};
export const CROSSTALK: Json = {
  name: "xt",
  repetitions: 1,
  resources: RESOURCES,
  schedulables: [
    { label: "a", operation: sq("q0:mw", "q0.01", { name: "A", duration: "40 ns" }) },
    {
      label: "b",
      operation: sq("q1:mw", "q1.01", { name: "B", amp: 0.3 }),
      ref_schedulable: "a",
      ref_pt: "start",
      rel_time: "20 ns",
    },
    { operation: { type: "IdlePulse", duration: "20 ns" } },
  ],
};

/** Acquisitions AVERAGE (two on channel 0) and APPEND (in a loop, channel 1), and a 200 ns square pulse. */
export const ACQUISITIONS: Json = {
  name: "acq",
  repetitions: 4,
  resources: RESOURCES,
  schedulables: [
    { operation: sq("q0:mw", "q0.01", { name: "long", amp: 0.3, duration: "200 ns" }) },
    {
      operation: {
        type: "SSBIntegrationComplex",
        name: "m0",
        duration: "1 us",
        port: "q0:res",
        clock: "q0.ro",
        acq_channel: 0,
        bin_mode: "average",
      },
    },
    {
      operation: {
        type: "SSBIntegrationComplex",
        name: "m1",
        duration: "1 us",
        port: "q0:res",
        clock: "q0.ro",
        acq_channel: 0,
        bin_mode: "average",
      },
    },
    {
      operation: {
        type: "LoopOperation",
        name: "sweep",
        repetitions: 3,
        body: {
          schedulables: [
            {
              operation: {
                type: "SSBIntegrationComplex",
                name: "a",
                duration: "1 us",
                port: "q0:res",
                clock: "q0.ro",
                acq_channel: 1,
                bin_mode: "append",
                coords: { amp: 0.1 },
              },
            },
          ],
        },
      },
    },
  ],
};
