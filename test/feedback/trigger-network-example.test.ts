/**
 * examples/schedules/active-reset-trigger-network.json (active reset over the trigger network, as
 * quantify compiles it) on hardware-configs/baseband-transmon.json: compiled with verification,
 * emulated with an outcome model, and run on the virtual Cluster over TCP (the coordinator applies the
 * trigger settings; the plays and skips of the run are checked to the ns).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../src/compile.js";
import { InstrumentCoordinator } from "../../src/coordinator/coordinator.js";
import { runCluster } from "../../src/emulator/cluster.js";
import { simulate } from "../../src/emulator/simulate.js";
import { renderPlotHtml } from "../../src/emulator/plot.js";
import { conditionalLinesOf, outputRoutes } from "../../src/emulator/plot/routes.js";
import { timeOrigins } from "../../src/emulator/report-time.js";
import { pulseRows, reportRowJson } from "../../src/emulator/summary.js";
import type { EmuClusterResult, InputSignalModel, RunCluster } from "../../src/emulator/api.js";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";
import { lines, sequencer } from "../compiler/fixtures.js";

const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"));
const hw = read("hardware-configs/baseband-transmon.json");
const schedule = read("examples/schedules/active-reset-trigger-network.json");

/**
 * Repetitions are 1728 ns apart (1724 ns + the loop header's 4 ns). The QCM's set_latch_en moves the
 * wait_sync release to 4 ns; schedule time 0 is RT 20, the QRM's window (8 ns latency correction)
 * is [128, 328) + 1728k and the conditional X on the QCM starts at 720 + 1728k: the trigger leaves at
 * the grid point 340 and arrives at 552, well before.
 */
const PERIOD = 1728;
const BITS = [0, 1, 1, 0] as const;
/** −0.3 on both inputs thresholds to 1 on this configuration, +0.3 to 0 */
const outcome: InputSignalModel = ({ fromNs, toNs }) => {
  const k = Math.floor((fromNs - 128) / PERIOD);
  return new Float32Array(toNs - fromNs).fill(BITS[k] === 1 ? -0.3 : 0.3);
};
const EXPECTED_X = [
  ["skipped", 720, 4],
  ["play", 720 + PERIOD, 20],
  ["play", 720 + 2 * PERIOD, 20],
  ["skipped", 720 + 3 * PERIOD, 4],
];

function xEvents(events: readonly { kind: string; slot: number; startNs: number; durationNs: number }[]) {
  return events
    .filter((e) => e.slot === 1 && (e.kind === "play" || e.kind === "skipped"))
    .map((e) => [e.kind, e.startNs, e.durationNs]);
}

describe("active reset over the trigger network (examples/schedules/active-reset-trigger-network.json)", () => {
  it("compiles as quantify does: set_latch_en, latch_rst 104 ns in, set_cond around X, QRM writes address 1", () => {
    const c = compile(schedule, hw, { verify: true });
    expect(c.repetition_duration_ns).toBe(1724);
    expect(lines(sequencer(c, "cluster0_module1", 0).sequence.program)).toStrictEqual([
      "set_mrk 0",
      "set_latch_en 1,4",
      "wait_sync 4",
      "upd_param 4",
      "wait 4",
      "move 4,R0",
      "start: reset_ph",
      "upd_param 4",
      "wait 104",
      "latch_rst 4",
      "wait 592",
      "set_cond 1,1,0,4",
      "set_awg_gain 13095,384",
      "play 0,1,4",
      "wait 16",
      "set_cond 1,1,1,4",
      "wait 16",
      "set_cond 0,0,0,0",
      "wait 1000",
      "loop R0,@start",
      "stop",
    ]);
    const ro = sequencer(c, "cluster0_module2", 0).settings;
    expect([ro.thresholded_acq_trigger_write_en, ro.thresholded_acq_trigger_write_address]).toStrictEqual([true, 1]);
  });

  it("emulated: X plays in the repetitions whose bit is 1 and is skipped (4 ns else duration) otherwise", () => {
    const c = compile(schedule, hw, { verify: true });
    const r = simulate(c, { to: 8e-6, inputModel: outcome });
    expect(xEvents(r.events)).toStrictEqual(EXPECTED_X);
    expect(r.events.filter((e) => e.kind === "skipped").map((e) => e.operation)).toStrictEqual(["X q0", "X q0"]);
    expect(Array.from(r.acquisitions["0"]!.re)).toStrictEqual([0, 1, 1, 0]);
  });

  it("the waveform report and the plot show the played and the skipped X in schedule time", () => {
    const c = compile(schedule, hw, { verify: true });
    const r = simulate(c, { to: 8e-6, inputModel: outcome });
    // set_latch_en before the QCM's wait_sync delays the release for every sequencer by 4 ns
    const origins = timeOrigins(c);
    expect(origins.get("cluster0/cluster0_module1/0")).toStrictEqual({ originNs: 20, periodNs: PERIOD });
    expect(origins.get("cluster0/cluster0_module2/0")).toStrictEqual({ originNs: 28, periodNs: PERIOD });
    const rows = pulseRows(r, origins).filter((x) => x.module === "cluster0_module1");
    expect(rows.map((x) => [x.kind, x.repetition, x.scheduleNs, x.durationNs, x.operation])).toStrictEqual([
      ["skipped", 0, 700, 4, "X q0"],
      ["play", 1, 700, 20, "X q0"],
      ["play", 2, 700, 20, "X q0"],
      ["skipped", 3, 700, 4, "X q0"],
    ]);
    expect(reportRowJson(rows[0]!)).toMatchObject({ kind: "skipped", skipped: "play", start_ns: 700, repetition: 0 });
    const html = renderPlotHtml(r, { routes: outputRoutes(c), conditional: conditionalLinesOf(c), origins });
    const data = JSON.parse(/<script type="application\/json" id="q1f-data">(.*?)<\/script>/s.exec(html)![1]!) as {
      panels: { spans: { label: string; start_ns: number; conditional: boolean }[] }[];
    };
    const xSpans = [
      ...new Set(
        data.panels.flatMap((p) =>
          p.spans.filter((s) => s.label.includes("X q0")).map((s) => `${s.start_ns} ${s.label} ${s.conditional}`),
        ),
      ),
    ];
    expect(xSpans).toStrictEqual([
      "720 skipped: X q0 · q0:mw-q0.01 true",
      `${720 + PERIOD} X q0 · q0:mw-q0.01 true`,
      `${720 + 2 * PERIOD} X q0 · q0:mw-q0.01 true`,
      `${720 + 3 * PERIOD} skipped: X q0 · q0:mw-q0.01 true`,
    ]);
  });
});

describe("the example on the virtual Cluster", () => {
  let vc: VirtualCluster | null = null;
  let ic: InstrumentCoordinator | null = null;
  let drv: ClusterDriver | null = null;
  afterEach(async () => {
    await drv?.close();
    await ic?.close();
    await vc?.stop();
  });

  it("prepare() writes the trigger settings; the run plays X exactly when the bit is 1", async () => {
    let last: EmuClusterResult | null = null;
    const capture: RunCluster = (inputs, opts) => {
      last = runCluster(inputs, { ...opts, events: { fromNs: 0, toNs: 1e6 } });
      return last;
    };
    vc = new VirtualCluster({ modules: "1:QCM,2:QRM", inputModel: outcome, runCluster: capture });
    const addr = await vc.start();
    ic = await InstrumentCoordinator.connect({ cluster0: addr }, { transport: { timeoutMs: 5000 } });
    drv = await ClusterDriver.connect({ ...addr, timeoutMs: 5000 });
    const compiled = compile(schedule, hw);
    await ic.prepare(compiled);
    const qrm = await drv.sequencerParams(2, 0);
    expect([
      qrm.thresholded_acq_trigger_en,
      qrm.thresholded_acq_trigger_address,
      qrm.thresholded_acq_trigger_invert,
    ]).toStrictEqual([true, 1, false]);
    const qcm = await drv.sequencerParams(1, 0);
    expect([qcm.trigger1_count_threshold, qcm.trigger1_threshold_invert]).toStrictEqual([1, false]);
    await ic.start();
    const st = await ic.waitDone(10_000);
    expect(st.map((s) => [s.slot, s.sequencer, s.status])).toStrictEqual(
      [
        [1, 0, "OKAY"],
        [1, 1, "OKAY"],
        [2, 0, "OKAY"],
      ].filter(([slot, seq]) => st.some((s) => s.slot === slot && s.sequencer === seq)),
    );
    const acq = await ic.retrieveAcquisitions();
    expect(acq["0"]!.real).toStrictEqual([0, 1, 1, 0]);
    expect(xEvents(last!.events)).toStrictEqual(EXPECTED_X);
  });
});
