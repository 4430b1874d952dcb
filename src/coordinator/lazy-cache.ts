/**
 * Last value written per instrument setting, so prepare() writes only what changed (quantify's
 * lazy set). Values are compared by content, as their JSON texts would be: a deep copy of what was
 * written is kept and walked against the new value (strings compared whole, numbers by value, keys
 * holding undefined ignored), so an unchanged sequence of a large program is checked without
 * serialising it. The cache must be cleared whenever the instrument state may differ from it:
 * reset, reconnect, or any failed operation.
 */
export class LazyCache {
  private readonly values = new Map<string, unknown>();

  /** true if `value` differs from the cached one (and therefore must be written) */
  changed(key: string, value: unknown): boolean {
    return !this.values.has(key) || !sameJson(this.values.get(key), value);
  }

  /** true if a value is cached under `key` */
  has(key: string): boolean {
    return this.values.has(key);
  }

  remember(key: string, value: unknown): void {
    this.values.set(key, snapshot(value));
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

/** A copy of `v` as JSON sees it (plain objects and arrays; a typed array as JSON writes it, an object of indices). */
function snapshot(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === "function" ? null : snapshot(x)));
  const json = (v as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return snapshot(json.call(v));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== "function") out[k] = snapshot(x);
  }
  return out;
}

/** JSON.stringify(a) === JSON.stringify(b) for a snapshot `a`, without building the texts (key order aside). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // JSON writes NaN and ±Infinity as null
  const nonFinite = (x: unknown) => x === null || (typeof x === "number" && !Number.isFinite(x));
  if (typeof b === "number") return Number.isFinite(b) ? a === b : nonFinite(a);
  if (b === null) return nonFinite(a);
  if (a === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || b.length !== a.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i],
        y = b[i];
      if (x === y && typeof y !== "object") continue;
      if (!sameJson(x, y === undefined || typeof y === "function" ? null : y)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const json = (b as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return sameJson(a, snapshot(json.call(b)));
  const ao = a as Record<string, unknown>,
    bo = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(bo)) {
    const y = bo[k];
    if (y === undefined || typeof y === "function") continue;
    n++;
    if (!(k in ao) || !sameJson(ao[k], y)) return false;
  }
  return n === Object.keys(ao).length;
}
