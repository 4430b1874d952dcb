/**
 * Where JSON.parse failed, as 1-based line/column. Node 20's messages do not always carry a
 * position ("Unexpected token ',', ... is not valid JSON"), so a small syntax scanner finds the
 * offset of the first error. Only called on the error path.
 */
export function jsonErrorPosition(text: string): { line: number; column: number } {
  const offset = firstErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

function firstErrorOffset(s: string): number {
  let i = 0;
  const ws = (): void => { while (i < s.length && " \t\n\r".includes(s[i]!)) i++; };
  const fail = (): never => { throw i; };
  const str = (): void => {
    if (s[i] !== '"') fail();
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s.charCodeAt(i) < 0x20) fail();
      i += s[i] === "\\" ? 2 : 1;
    }
    if (i >= s.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === "{") {
      i++; ws();
      if (s[i] === "}") { i++; return; }
      for (;;) {
        ws(); str(); ws();
        if (s[i] !== ":") fail();
        i++; value(); ws();
        if (s[i] === ",") { i++; continue; }
        if (s[i] === "}") { i++; return; }
        fail();
      }
    } else if (c === "[") {
      i++; ws();
      if (s[i] === "]") { i++; return; }
      for (;;) {
        value(); ws();
        if (s[i] === ",") { i++; continue; }
        if (s[i] === "]") { i++; return; }
        fail();
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(s.slice(i));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value(); ws();
    if (i < s.length) fail();
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
  return s.length;
}
