/** Issue 13 item 15: sequencer error flags the hardware raises, and the RT-queue depth pinned. */
import { describe, expect, it } from "vitest";
import { runCluster } from "../../src/emulator/index.js";
import { ACQ_BINNING_FIFO_DEPTH, ACQ_BINNING_WRITE_NS, RT_QUEUE_DEPTH } from "../../src/emulator/sequencer.js";
import { moduleInput } from "./helpers.js";

const square = (n: number, v = 1): number[] => new Array<number>(n).fill(v);

describe("register wait shorter than 4 ns", () => {
  it.each([1, 3])("wait R0 with R0 = %i raises SEQUENCE_PROCESSOR_RT_EXEC_ILLEGAL_INSTRUCTION", (ns) => {
    const prog = ` wait_sync 4\n move ${ns},R0\n nop\n wait R0\n upd_param 4\n stop`;
    const s = runCluster([moduleInput("QCM", [{ program: prog }])]).modules[0]!.sequencers[0]!;
    expect(s.status.err_flags).toEqual(["SEQUENCE_PROCESSOR_RT_EXEC_ILLEGAL_INSTRUCTION"]);
    expect(s.status.status).toBe("ERROR");
    expect(s.status.log[0]).toBe(
      `line 4: \`wait R0\` waits ${ns} ns (register value); the minimum RT duration is 4 ns`,
    );
  });
  it("wait R0 with R0 = 4 runs", () => {
    const prog = " wait_sync 4\n move 4,R0\n nop\n wait R0\n upd_param 4\n stop";
    const s = runCluster([moduleInput("QCM", [{ program: prog }])]).modules[0]!.sequencers[0]!;
    expect([s.status.err_flags, s.endTimeNs]).toEqual([[], 12]);
  });
});

describe("acquisition binning FIFO", () => {
  const acquisitions = (n: number, spacingNs: number): string =>
    ` wait_sync 4\n move ${n},R0\nl:\n acquire 0,0,${spacingNs}\n loop R0,@l\n stop`;
  const run = (n: number, spacingNs: number) =>
    runCluster([
      moduleInput("QRM", [
        { program: acquisitions(n, spacingNs), acquisitions: { a: 1 }, params: { integration_length_acq: 16 } },
      ]),
    ]).modules[0]!.sequencers[0]!.status;
  it("is 8 entries deep with one write per 300 ns (Q1SIM)", () => {
    expect([ACQ_BINNING_FIFO_DEPTH, ACQ_BINNING_WRITE_NS]).toEqual([8, 300]);
  });
  it("16 acquisitions 100 ns apart overflow: ACQ_BINNING_FIFO_ERROR", () => {
    const st = run(16, 100);
    expect(st.err_flags).toEqual(["ACQ_BINNING_FIFO_ERROR"]);
    // the 12th (at 1,104 ns: the first starts at 4 ns) finds 8 still queued: 3 of the first 11 were written by then
    expect(st.log[0]).toBe(
      "line 4: `acquire 0,0,100` at 1104 ns: 8 acquisitions are still being binned (one per 300 ns, 8 at most); keep acquisitions ≥ 300 ns apart",
    );
  });
  it("11 acquisitions 100 ns apart fit; 300 ns apart any number fits", () => {
    expect(run(11, 100).err_flags).toEqual([]);
    expect(run(100, 300).err_flags).toEqual([]);
  });
});

describe("RT queue depth", () => {
  // the Q1 core runs ahead during `wait 2000` until the queue is full; then each loop iteration costs
  // 40 ns of Q1 time for 4 ns of RT time, so the burst lives on the queued head start
  const burst = (n: number): string =>
    ` wait_sync 4\n move ${n},R0\n wait 2000\nl:\n play 0,0,4\n nop\n loop R0,@l\n stop`;
  const flags = (n: number) =>
    runCluster([moduleInput("QCM", [{ program: burst(n), waveforms: [square(4)] }])]).modules[0]!.sequencers[0]!.status
      .err_flags;
  it("is one named constant, 32", () => {
    expect(RT_QUEUE_DEPTH).toBe(32);
  });
  it("pins the longest burst that does not underflow", () => {
    expect(flags(LONGEST)).toEqual([]);
    expect(flags(LONGEST + 1)).toEqual(["SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW"]);
  });
});
/** 37 with 32 entries (16 entries would give 19): the queued plays plus what the core adds while they play */
const LONGEST = 37;
