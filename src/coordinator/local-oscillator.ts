/**
 * External local oscillators (the "generic" component of quantify's coordinator, reference 7.1):
 * a small driver interface and an in-memory default used when no real LO driver is registered.
 */

export interface LocalOscillatorState {
  frequency: number | null;
  power: number | null;
  status: boolean;
}

export interface LocalOscillatorDriver {
  readonly name: string;
  setFrequency(hz: number): Promise<void>;
  setPower(dbm: number): Promise<void>;
  setOutput(on: boolean): Promise<void>;
  state(): Promise<LocalOscillatorState>;
}

export class VirtualLocalOscillator implements LocalOscillatorDriver {
  private s: LocalOscillatorState = { frequency: null, power: null, status: false };
  /** number of set* calls, to observe lazy setting */
  writes = 0;
  constructor(readonly name: string) {}
  async setFrequency(hz: number): Promise<void> {
    this.writes++;
    this.s.frequency = hz;
  }
  async setPower(dbm: number): Promise<void> {
    this.writes++;
    this.s.power = dbm;
  }
  async setOutput(on: boolean): Promise<void> {
    this.writes++;
    this.s.status = on;
  }
  async state(): Promise<LocalOscillatorState> {
    return { ...this.s };
  }
}
