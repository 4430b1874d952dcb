/**
 * Port-clock keys ("<port>-<clock>") interned per (port, clock): stages look them up once per
 * operation, and 100,000 operations should not build 100,000 equal strings.
 */
export class PortClockKeys {
  private readonly byPort = new Map<string, Map<string, string>>();

  key(port: string, clock: string): string {
    let clocks = this.byPort.get(port);
    if (!clocks) {
      clocks = new Map();
      this.byPort.set(port, clocks);
    }
    let k = clocks.get(clock);
    if (k === undefined) {
      k = `${port}-${clock}`;
      clocks.set(clock, k);
    }
    return k;
  }
}
