import { describe, expect, it } from "vitest";
import { runCluster } from "../../src/emulator/index.js";
import { moduleInput } from "./helpers.js";

const square = (n: number, v = 1): number[] => new Array<number>(n).fill(v);

describe("RT timeline", () => {
  it("starts RT instructions at the exact ns after wait_sync", () => {
    const prog = ` wait_sync 4
 upd_param 4
 play 0,0,20
 wait 100
 acquire 0,0,8
 stop`;
    const r = runCluster(
      [
        moduleInput("QRM", [
          { program: prog, waveforms: [square(20)], acquisitions: { a: 1 }, params: { integration_length_acq: 16 } },
        ]),
      ],
      { events: { fromNs: 0, toNs: 1000 } },
    );
    expect(r.events.map((e) => [e.kind, e.startNs])).toEqual([
      ["wait_sync", 0],
      ["upd_param", 4],
      ["play", 8],
      ["acquire", 128],
    ]);
    expect(r.modules[0]!.sequencers[0]!.endTimeNs).toBe(136);
    expect(r.modules[0]!.sequencers[0]!.status.state).toBe("STOPPED");
  });

  it("wait_sync aligns sequencers that reach it at different RT times", () => {
    const a = " wait_sync 4\n wait 100\n wait_sync 4\n upd_param 4\n stop";
    const b = " wait_sync 4\n wait 40\n wait_sync 4\n upd_param 4\n stop";
    const r = runCluster([moduleInput("QCM", [{ program: a }, { program: b }])], { events: { fromNs: 0, toNs: 1000 } });
    const upd = r.events.filter((e) => e.kind === "upd_param").map((e) => [e.sequencer, e.startNs]);
    expect(upd).toEqual([
      [0, 108],
      [1, 108],
    ]);
  });

  it("a tight classical loop around play ...,4 underflows, naming the line", () => {
    const prog = ` wait_sync 4
 move 0,R1
l:
 play 0,0,4
 add R1,1,R1
 jlt R1,100,@l
 stop`;
    const r = runCluster([moduleInput("QCM", [{ program: prog, waveforms: [square(4)] }])]);
    const st = r.modules[0]!.sequencers[0]!.status;
    expect(st.err_flags).toEqual(["SEQUENCE_PROCESSOR_RT_EXEC_COMMAND_UNDERFLOW"]);
    expect(st.state).toBe("STOPPED");
    expect(st.status).toBe("ERROR");
    expect(st.log[0]).toContain("line 4: `play 0,0,4`");
    // Q1 gains 200 ns in wait_sync; each iteration costs 40 ns of Q1 time for 4 ns of RT time:
    // the 7th play (needed at RT 28 ns) is issued at Q1 time 48 ns → underflow
    expect(r.modules[0]!.sequencers[0]!.endTimeNs).toBe(28);
  });

  it("the same loop with wait 100 does not underflow (the queue fills and the core stalls)", () => {
    const prog = ` wait_sync 4
 move 0,R1
l:
 play 0,0,4
 wait 100
 add R1,1,R1
 jlt R1,100,@l
 stop`;
    const r = runCluster([moduleInput("QCM", [{ program: prog, waveforms: [square(4)] }])]);
    const s = r.modules[0]!.sequencers[0]!;
    expect(s.status.err_flags).toEqual([]);
    expect(s.status.status).toBe("OKAY");
    expect(s.endTimeNs).toBe(4 + 100 * 104);
  });

  it("a 20 s program of waits and a repetition loop emulates without rendering", () => {
    const prog = ` wait_sync 4
 move 1000,R0
rep:
 reset_ph
 upd_param 4
 play 0,0,4
 acquire 0,0,4
 move 305,R1
w:
 wait 65532
 loop R1,@w
 wait 4
 loop R0,@rep
 stop`;
    const r = runCluster([
      moduleInput("QRM", [
        {
          program: prog,
          waveforms: [square(100, 0.5)],
          acquisitions: { a: 1 },
          params: { integration_length_acq: 100 },
        },
      ]),
    ]);
    const s = r.modules[0]!.sequencers[0]!;
    expect(s.status.err_flags).toEqual([]);
    expect(s.endTimeNs).toBe(4 + 1000 * (12 + 305 * 65532 + 4));
    expect(s.acquisitions["a"]!.acquisition.bins.avg_cnt).toEqual([1000]);
    // default connect: path0 → out0; the acquisition starts 4 ns after the play: 96 samples of 0.5
    expect(s.acquisitions["a"]!.acquisition.bins.integration.path0[0]).toBeCloseTo(48, 9);
  });
});
