/**
 * The driver never coerces a sequencer parameter's type (review defect: `trigger1_threshold_invert: 2`
 * was accepted through Boolean(), `thresholded_acq_trigger_en: "yes"` failed on the address): a value
 * of the wrong type is a typed INVALID_PARAMETER error naming the parameter, before anything is
 * written. Real TCP to the virtual Cluster.
 */
import { afterEach, expect, it } from "vitest";
import { ClusterDriver } from "../../src/instruments/cluster-driver.js";
import type { SequencerConfigParams } from "../../src/instruments/sequencer-config.js";
import { VirtualCluster } from "../../src/instruments/virtual-cluster.js";

let vc: VirtualCluster | null = null;
let drv: ClusterDriver | null = null;
afterEach(async () => {
  await drv?.close();
  await vc?.stop();
  drv = null;
  vc = null;
});

it.each([
  ["trigger1_threshold_invert", 2, "a boolean (true or false)", "2 (number)"],
  ["thresholded_acq_trigger_en", "yes", "a boolean (true or false)", '"yes" (string)'],
  ["sync_en", 1, "a boolean (true or false)", "1 (number)"],
  ["nco_freq", "100e6", "a finite number", '"100e6" (string)'],
  ["trigger3_count_threshold", true, "a finite number", "true (boolean)"],
  ["gain_awg_path0", Number.NaN, "a finite number", "NaN (number)"],
])("%s: %s is INVALID_PARAMETER naming it; nothing is written", async (name, value, want, shown) => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  drv = await ClusterDriver.connect({ ...(await vc.start()), timeoutMs: 5000 });
  const before = await drv.sequencerConfig(4, 0);
  const writes = vc.countCommands(/CONFiguration$/);
  const e = await drv
    .setSequencerParams(4, 0, { nco_freq: 5e6, [name]: value } as unknown as Partial<SequencerConfigParams>)
    .catch((x: unknown) => x);
  expect(e).toMatchObject({
    code: "INVALID_PARAMETER",
    path: `slot 4 sequencer 0/${name}`,
    message: `${name} of slot 4 sequencer 0 must be ${want}, not ${shown}`,
  });
  expect(vc.countCommands(/CONFiguration$/)).toBe(writes);
  expect(await drv.sequencerConfig(4, 0)).toStrictEqual(before);
});

it("values of the right type are written as given", async () => {
  vc = new VirtualCluster({ modules: "2:QCM,4:QRM" });
  drv = await ClusterDriver.connect({ ...(await vc.start()), timeoutMs: 5000 });
  await drv.setSequencerParams(4, 0, {
    trigger1_threshold_invert: true,
    thresholded_acq_trigger_en: true,
    thresholded_acq_trigger_address: 3,
    nco_freq: 5e6,
  });
  expect(await drv.sequencerParams(4, 0)).toMatchObject({
    trigger1_threshold_invert: true,
    thresholded_acq_trigger_en: true,
    thresholded_acq_trigger_address: 3,
    nco_freq: 5e6,
  });
});
