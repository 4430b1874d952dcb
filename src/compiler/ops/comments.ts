/**
 * Comment texts shared by the many instructions that carry the same text ("Measure q0 offset" on
 * each of 4,000 offsets): built once per distinct text, so a program holds one string per text and
 * printing reads (and V8 flattens) each text once. Keys are the parts themselves (nested maps), so
 * a lookup builds no string. Bounded: a long-lived process with ever new names starts over.
 */
const MAX_TEXTS = 10_000;
const texts = new Map<string, Map<string | number, Map<string | number, string>>>();
let size = 0;

/** The text `make(a, b)` for comment kind `kind`, shared across calls with equal parts. */
export function sharedComment(
  kind: string,
  a: string | number,
  b: string | number,
  make: (a: string | number, b: string | number) => string,
): string {
  let byA = texts.get(kind);
  if (byA === undefined) {
    byA = new Map();
    texts.set(kind, byA);
  }
  let byB = byA.get(a);
  if (byB === undefined) {
    byB = new Map();
    byA.set(a, byB);
  }
  let text = byB.get(b);
  if (text === undefined) {
    if (size >= MAX_TEXTS) {
      texts.clear();
      size = 0;
      return make(a, b);
    }
    text = make(a, b);
    byB.set(b, text);
    size++;
  }
  return text;
}
