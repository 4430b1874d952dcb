import { describe, expect, it } from "vitest";
import { runCore } from "./helpers.js";

describe("classical instructions", () => {
  it("arithmetic and logic wrap modulo 2^32", () => {
    const s = runCore(`
 move 4294967295,R0
 add R0,1,R1
 sub R1,1,R2
 move -2,R3
 add R3,R3,R4
 and R0,0xF0,R5
 or R5,15,R6
 xor R6,0xFF,R7
 not R7,R8
 move 0x80000000,R9
 asl R9,1,R10
 asr R9,31,R11
 asl R6,4,R12
 asr R0,40,R13
 stop`);
    const r = s.regs;
    expect(s.errFlags.size).toBe(0);
    expect([r[0], r[1], r[2], r[3], r[4]]).toEqual([4294967295, 0, 4294967295, 4294967294, 4294967292]);
    expect([r[5], r[6], r[7], r[8]]).toEqual([0xf0, 0xff, 0, 4294967295]);
    expect([r[10], r[11], r[12], r[13]]).toEqual([0, 1, 0xff0, 0]);
  });

  it("loop runs the body N times; jge/jlt compare unsigned; jmp jumps", () => {
    const s = runCore(`
 move 5,R0
body:
 add R1,2,R1
 loop R0,@body
 move -1,R2
 jge R2,100,@big
 move 1,R3
big:
 jlt R1,10,@skip
 move 7,R4
skip:
 jmp @end
 move 99,R5
end:
 stop`);
    expect([s.regs[0], s.regs[1], s.regs[3], s.regs[4], s.regs[5]]).toEqual([0, 10, 0, 7, 0]);
  });

  it("charges the §4.3 cycle costs on the Q1 core (start −40 ns)", () => {
    // move 4, add R,I,R 12, add R,R,R 16, jmp 16, stop 4
    const s = runCore(`
 move 1,R0
 add R0,1,R1
 add R0,R1,R2
 jmp @e
e:
 stop`);
    expect(s.tq).toBe(-40 + 4 + 12 + 16 + 16 + 4);
    expect(s.state).toBe("STOPPED");
  });

  it("running past the end and illegal flag SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION with the line", () => {
    const a = runCore(" move 5,R0\n jmp R0\n stop");
    expect([...a.errFlags]).toEqual(["SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION"]);
    expect(a.log[0]).toContain("ran past the last instruction after line 2: `jmp R0`");
    const b = runCore(" nop\n illegal\n stop");
    expect([...b.errFlags]).toEqual(["SEQUENCE_PROCESSOR_Q1_ILLEGAL_INSTRUCTION"]);
    expect(b.log[0]).toContain("line 2: `illegal`");
  });

  it("the instruction guard stops an endless loop with FORCED_STOP", () => {
    const s = runCore("l:\n jmp @l\n stop");
    expect([...s.errFlags]).toEqual(["FORCED_STOP"]);
    expect(s.executed).toBe(1_000_000);
  });
});
