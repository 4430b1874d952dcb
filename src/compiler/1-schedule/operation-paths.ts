/**
 * JSON pointers of schedulables' operations (`<schedule path>/schedulables/<i>/operation`), shared
 * across compiles. Every operation carries its pointer (errors and the source map name it), so a
 * schedule of 100,000 schedulables needs 100,000 of them; building them anew in every compile, and
 * collecting them after, cost about a fifth of compiling such a schedule. The text depends only on
 * the schedule path and the index, and strings are immutable, so compiles can share them (as
 * JSON.parse shares property names).
 *
 * Each schedule path's pointers are built in runs: the texts are joined into one string and each
 * pointer is a slice of it (one small object per pointer, no per-pointer concatenation). Bounded: at
 * most MAX_CACHED pointers in all (about 8 MB); beyond that, pointers are built per call.
 */

/** Pointers kept in all (schedule paths together). */
const MAX_CACHED = 1 << 17;
/** Schedule paths kept (top level "", loop bodies, nested schedules …). */
const MAX_PREFIXES = 64;

const byPrefix = new Map<string, string[]>();
let cached = 0;

/** `${path}/schedulables/${i}/operation`, shared with earlier compiles while the cache has room. */
export function operationPath(path: string, i: number): string {
  const list = byPrefix.get(path);
  if (list !== undefined && i < list.length) return list[i]!;
  return extend(path, list, i);
}

function extend(path: string, list: string[] | undefined, i: number): string {
  const have = list?.length ?? 0;
  const want = Math.max(i + 1, 2 * have, 64);
  const room = MAX_CACHED - cached;
  if (want - have > room || (list === undefined && byPrefix.size >= MAX_PREFIXES)) return build(path, i);
  const out = list ?? [];
  if (list === undefined) byPrefix.set(path, out);
  const texts = new Array<string>(want - have);
  const ends = new Int32Array(want - have);
  let at = 0;
  for (let k = have; k < want; k++) {
    const text = build(path, k);
    texts[k - have] = text;
    at += text.length;
    ends[k - have] = at;
  }
  const joined = texts.join("");
  for (let k = 0, start = 0; k < ends.length; k++) {
    out.push(joined.slice(start, ends[k]));
    start = ends[k]!;
  }
  cached += want - have;
  return out[i]!;
}

const build = (path: string, i: number): string => `${path}/schedulables/${i}/operation`;

/** Empties the cache (tests). */
export function clearOperationPaths(): void {
  byPrefix.clear();
  cached = 0;
}
