/**
 * The LINQ router and feedback queues in the emulated cluster (src/emulator/linq.ts): self-cast,
 * routed and unrouted ids, the latency table, fb_pop_data / fb_pull_data semantics and Q1 times,
 * blocking, and the RT underflow guard that `wait 0` suspends.
 */
import { describe, expect, it } from "vitest";
import { runCluster } from "../../src/emulator/cluster.js";
import type { EmuClusterResult } from "../../src/emulator/api.js";
import type { LinqRouterConfig } from "../../src/contract/linq.js";
import { moduleInput } from "../emulator/helpers.js";

const NO_ROUTES: LinqRouterConfig = { local_routes: [], cmm_routes: [], broadcast: [] };
const WIN = { events: { fromNs: 0, toNs: 100_000 } };

/** Play waveform 0 at the RT time the program reaches it; the play events show when that was. */
function plays(r: EmuClusterResult, slot: number, seq: number): number[] {
  return r.events.filter((e) => e.kind === "play" && e.slot === slot && e.sequencer === seq).map((e) => e.startNs);
}
function status(r: EmuClusterResult, slot: number, seq: number) {
  return r.modules.find((m) => m.slot === slot)!.sequencers.find((s) => s.index === seq)!.status;
}

describe("LINQ in the emulator", () => {
  it("self-cast id 1–15 returns a register to its source after 60 ns; fb_pop_data then takes 4 ns of Q1 time", () => {
    // fb_com_data at RT 4 → arrives at 64; the pop waits for it; wait 0 lets the RT core wait for the Q1 core
    const program = [
      "wait_sync 4",
      "fb_com_data 5,42,4",
      "wait 0",
      "fb_pop_data 5,R1",
      "play 0,0,4",
      "wait 16",
      "stop",
    ].join("\n");
    const r = runCluster([moduleInput("QCM", [{ program, waveforms: [[1, 1, 1, 1]] }])], { ...WIN, linq: NO_ROUTES });
    expect(status(r, 1, 0).status).toBe("OKAY");
    // the pop resolves at 64 + 4 ns of Q1 time; the play costs 4 ns of Q1 time → issued at 72 (the RT core waited from 12)
    expect(plays(r, 1, 0)).toStrictEqual([72]);
  });

  it("without wait 0 the RT core underflows while the Q1 core blocks in fb_pop_data", () => {
    const program = ["wait_sync 4", "fb_com_data 5,42,4", "fb_pop_data 5,R1", "play 0,0,4", "wait 16", "stop"].join(
      "\n",
    );
    const r = runCluster([moduleInput("QCM", [{ program, waveforms: [[1, 1, 1, 1]] }])], { ...WIN, linq: NO_ROUTES });
    expect(status(r, 1, 0).err_flags).toStrictEqual(["SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW"]);
  });

  it("fb_pop_data discards entries before its id; fb_pull_data is FIFO, writes id and value and takes 8 ns", () => {
    // three sends 4 ns apart with ids 3, 7, 9 → arrivals 68, 72, 76 (self-cast registers, 60 ns)
    const program = [
      "wait_sync 4",
      "fb_com_data 3,30,4",
      "fb_com_data 7,70,4",
      "fb_com_data 9,90,4",
      "fb_com_data 11,110,4",
      "wait 200",
      "fb_pop_data 7,R1", // discards id 3
      "fb_pull_data R2,R3", // next: id 9
      "set_awg_gain R1,R3",
      "play 0,0,4",
      "set_awg_gain R2,R2",
      "play 0,0,4",
      "wait 16",
      "stop",
    ].join("\n");
    const r = runCluster([moduleInput("QCM", [{ program, waveforms: [[1, 1, 1, 1]] }])], { ...WIN, linq: NO_ROUTES });
    expect(status(r, 1, 0).status).toBe("OKAY");
    const ev = r.events.filter((e) => e.kind === "play").map((e) => [e.startNs, e.gain!.map((g) => g * 32768)]);
    // R1 = 70 (id 7's value), R3 = 90 (id 9's value), R2 = 9 (id 9); the queue held them by 76 ns, the
    // plays run at the end of the 200 ns wait
    expect(ev).toStrictEqual([
      [220, [70, 90]],
      [224, [9, 9]],
    ]);
  });

  it("routed ids: intra-cast to listed sequencers (250 ns TB / 150 ns registers), CMM to other modules (380 ns), unrouted ids dropped", () => {
    const send = ["wait_sync 4", "fb_com_data 20,1,4", "fb_com_data 21,2,4", "wait 2000", "stop"].join("\n");
    const recv = (id: number) =>
      ["wait_sync 4", "wait 0", `fb_pop_data ${id},R1`, "play 0,0,4", "wait 16", "stop"].join("\n");
    const linq: LinqRouterConfig = {
      local_routes: [{ module: "m1", slot: 1, id: 20, sequencers: [1] }],
      cmm_routes: [{ id: 21, targets: [{ slot: 2, sequencer: 0 }] }],
      broadcast: [],
    };
    const w = [[1, 1, 1, 1]];
    const r = runCluster(
      [
        moduleInput(
          "QCM",
          [{ program: send }, { program: recv(20), waveforms: w }, { program: recv(22), waveforms: w }],
          {},
          1,
        ),
        moduleInput("QCM", [{ program: recv(21), waveforms: w }], {}, 2),
      ],
      { ...WIN, linq },
    );
    // id 20 sent at RT 4, intra-cast register latency 150 → 154, pop 4 ns + play 4 ns of Q1 time → 162
    expect(plays(r, 1, 1)).toStrictEqual([162]);
    // id 21 sent at RT 8, CMM 380 → 388, + 8 → 396
    expect(plays(r, 2, 0)).toStrictEqual([396]);
    // id 22 is never sent; the sequencer waits forever after wait 0
    expect(plays(r, 1, 2)).toStrictEqual([]);
    expect(status(r, 1, 2).err_flags).toStrictEqual(["FORCED_STOP"]);
  });

  it("an id 16–255 without a route is dropped: the receiver on the same module never gets it", () => {
    const send = ["wait_sync 4", "fb_com_data 20,1,4", "wait 1000", "stop"].join("\n");
    const recv = ["wait_sync 4", "fb_pop_data 20,R1", "play 0,0,4", "wait 16", "stop"].join("\n");
    const r = runCluster([moduleInput("QCM", [{ program: send }, { program: recv, waveforms: [[1, 1, 1, 1]] }])], {
      ...WIN,
      linq: NO_ROUTES,
    });
    expect(plays(r, 1, 1)).toStrictEqual([]);
    expect(status(r, 1, 1).err_flags).toStrictEqual(["SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW"]);
  });
});

describe("IQ over LINQ (fb_acq_iq_id, fb_acq_iq_shift)", () => {
  /** one QRM sequencer: share IQ with self-cast id 5, acquire, pop I and Q (their values appear in the report) */
  const run = (lengthNs: number, value: number, shift: number) => {
    const program = [
      "wait_sync 4",
      "fb_acq_iq_id 5,4",
      `fb_acq_iq_shift ${shift},4`,
      "acquire 0,0,4",
      `wait ${lengthNs + 400}`,
      "fb_pop_data 5,R1",
      "fb_pop_data 5,R2",
      "stop",
    ].join("\n");
    const r = runCluster(
      [moduleInput("QRM", [{ program, params: { integration_length_acq: lengthNs }, acquisitions: { a: 1 } }])],
      {
        ...WIN,
        linq: NO_ROUTES,
        inputModel: ({ input, fromNs, toNs }) => new Float32Array(toNs - fromNs).fill(input === 0 ? value : -value),
      },
    );
    return r.events.filter((e) => e.kind === "feedback").map((e) => [e.startNs, e.linqValue]);
  };

  it("I then Q, each floor(Σ·2^22) as 32 bits, 164 ns (self-cast IQ) after the window ends", () => {
    // 1000 samples of ±0.25: Σ = ±250 → ±250·2^22 = ±1048576000; −1048576000 as uint32 = 3246391296
    // window 12…1012 ns, arrival 1176; both entries there when the pops run (after the 1400 ns wait)
    expect(run(1000, 0.25, 0)).toStrictEqual([
      [1176 + 4, 1048576000],
      [1176 + 8, 3246391296],
    ]);
  });

  it("a long window overflows the lower 32 bits; fb_acq_iq_shift 4 sends bits [35:4] instead", () => {
    // 4000 samples of 0.875: Σ = 3500 → 3500·2^22 = 14680064000 > 2^32
    expect(run(4000, 0.875, 0)[0]![1]).toBe(14680064000 % 2 ** 32); // 1795162112: meaningless as a signed value
    expect(run(4000, 0.875, 4)[0]![1]).toBe(14680064000 / 16); // 917504000 = 3500·2^18
  });
});
