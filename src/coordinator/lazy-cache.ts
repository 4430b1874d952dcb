/**
 * Last value written per instrument setting, so prepare() writes only what changed (quantify's
 * lazy set). Values are compared by their JSON text. The cache must be cleared whenever the
 * instrument state may differ from it: reset, reconnect, or any failed operation.
 */
export class LazyCache {
  private readonly values = new Map<string, string>();

  /** true if `value` differs from the cached one (and therefore must be written) */
  changed(key: string, value: unknown): boolean {
    return this.values.get(key) !== JSON.stringify(value);
  }

  /** true if a value is cached under `key` */
  has(key: string): boolean {
    return this.values.has(key);
  }

  remember(key: string, value: unknown): void {
    this.values.set(key, JSON.stringify(value));
  }

  /** forget everything under a prefix (e.g. one cluster), or everything */
  clear(prefix?: string): void {
    if (prefix === undefined) {
      this.values.clear();
      return;
    }
    for (const k of [...this.values.keys()]) if (k.startsWith(prefix)) this.values.delete(k);
  }

  get size(): number {
    return this.values.size;
  }
}
