/**
 * Processing order of the schedulables of one schedule: a topological order of the "is timed
 * relative to" graph. Linear time; the common case (every reference points backwards) costs one scan.
 */

/**
 * Schedulable i is timed against `ref0[i]` (−1: nothing) and, if present, the `ref` of each entry in
 * `extra.get(i)`. Returns an order in which every reference comes before its dependants, or
 * `{ cycle }` (indices, in reference order) when there is none.
 */
export function topologicalOrder(
  ref0: Int32Array,
  extra: ReadonlyMap<number, readonly { ref: number }[]>,
): { order: Int32Array } | { cycle: number[] } {
  const n = ref0.length;
  const order = new Int32Array(n);
  let backwardOnly = true;
  for (let i = 0; i < n; i++)
    if (ref0[i]! >= i) {
      backwardOnly = false;
      break;
    }
  for (const [i, list] of extra) for (const c of list) if (c.ref >= i) backwardOnly = false;
  if (backwardOnly) {
    for (let i = 0; i < n; i++) order[i] = i;
    return { order };
  }
  const refs: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const list = ref0[i]! >= 0 ? [ref0[i]!] : [];
    for (const c of extra.get(i) ?? []) if (c.ref >= 0) list.push(c.ref);
    refs[i] = list;
  }
  // Kahn's algorithm over edges ref → dependant (CSR layout).
  const indegree = new Int32Array(n);
  const outCount = new Int32Array(n + 1);
  for (let i = 0; i < n; i++)
    for (const r of refs[i]!) {
      indegree[i]!++;
      outCount[r + 1]!++;
    }
  for (let i = 0; i < n; i++) outCount[i + 1]! += outCount[i]!;
  const fill = outCount.slice(0, n);
  const out = new Int32Array(outCount[n]!);
  for (let i = 0; i < n; i++) for (const r of refs[i]!) out[fill[r]!++] = i;
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order[tail++] = i;
  while (head < tail) {
    const v = order[head++]!;
    for (let e = outCount[v]!; e < outCount[v + 1]!; e++) {
      const w = out[e]!;
      if (--indegree[w]! === 0) order[tail++] = w;
    }
  }
  if (tail === n) return { order };
  return { cycle: findCycle(refs, indegree) };
}

/** Every unprocessed node has an unprocessed reference; walking those must revisit a node. */
function findCycle(refs: readonly (readonly number[])[], indegree: Int32Array): number[] {
  let start = 0;
  while (indegree[start] === 0) start++;
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  let v = start;
  while (!seenAt.has(v)) {
    seenAt.set(v, path.length);
    path.push(v);
    v = refs[v]!.find((r) => indegree[r]! > 0)!;
  }
  // path walks dependant → reference; report reference → dependant, starting at the earliest schedulable
  const cycle = path.slice(seenAt.get(v)).reverse();
  const first = cycle.indexOf(Math.min(...cycle));
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}
