/**
 * A fast "certainly valid" check for JSON documents: a small subset of JSON Schema 2020-12 compiled
 * into JavaScript (once per process, `new Function` on code generated from the schema alone — no
 * input text ever reaches it), fused with the input guard (input-guard.ts: depth, reserved names, finite numbers).
 * It answers true only when the document is valid under ajv's reading of the schema AND passes the
 * guard; anything else — an invalid document, a reserved name, a keyword or shape it does not
 * handle — answers false, and the caller runs the guard and ajv as before, which produce the typed
 * error. So the check can only make valid documents cheaper; it never decides an error.
 *
 * Handled keywords (with ajv's semantics under `strict: false, discriminator: true`): type, enum and
 * const of primitive values, properties, required, additionalProperties, propertyNames, items,
 * prefixItems, minItems, maxItems, minLength, maxLength (in code points, as ajv counts), pattern
 * (`u` flag), minimum, maximum, exclusiveMinimum, exclusiveMaximum, anyOf, allOf, oneOf with a
 * `discriminator`, `$ref` into `$defs`, boolean schemas; annotations (description, default, …) are
 * ignored. A subschema with any other keyword answers false whenever it is reached.
 */
import { isReserved } from "./input-guard.js";
import { anyValue, lengthIn, MAX_DEPTH, NEVER } from "./schema-check-runtime.js";
import {
  ANNOTATIONS,
  HANDLED,
  TYPE_TEST,
  Unhandled,
  constTag,
  isCompositeOnly,
  isPrimitive,
  leafGuard,
  type Schema,
} from "./schema-check-keywords.js";

/**
 * Compile `root` (with its `$defs`) into a function: true = valid under the schema and the input guard.
 * The schema becomes JavaScript source (one function per object / array / composite subschema, leaf
 * checks inlined, keys dispatched with `switch`), compiled once with `new Function`.
 */
export function compileSchemaCheck(root: Record<string, unknown>): (value: unknown) => boolean {
  const defs = (root["$defs"] ?? {}) as Record<string, Schema>;
  const consts: unknown[] = []; // regular expressions and other values the code refers to as K[i]
  const fns: string[] = [];
  const nameOf = new Map<object, string>();
  const defName = new Map<string, string>();

  const konst = (value: unknown): string => {
    consts.push(value);
    return `K[${consts.length - 1}]`;
  };
  const lit = (x: unknown): string => (typeof x === "number" ? String(x) : JSON.stringify(x));

  const keywordsOk = (sch: Record<string, unknown>): boolean =>
    Object.keys(sch).every((k) => HANDLED.has(k) || ANNOTATIONS.has(k));

  /** The scalar keywords of `sch` as conditions on `x` (each true when the keyword holds). */
  const scalarConds = (sch: Record<string, unknown>, x: string): string[] => {
    const out: string[] = [];
    if ("type" in sch) {
      const types = Array.isArray(sch["type"]) ? (sch["type"] as unknown[]) : [sch["type"]];
      if (types.length === 0 || !types.every((t) => typeof t === "string" && t in TYPE_TEST)) throw new Unhandled();
      out.push(`(${types.map((t) => TYPE_TEST[t as string]!(x)).join(" || ")})`);
    }
    if ("enum" in sch) {
      const values = sch["enum"];
      if (!Array.isArray(values) || !values.every(isPrimitive)) throw new Unhandled();
      out.push(
        values.length <= 8
          ? `(${values.map((v) => `${x} === ${lit(v)}`).join(" || ") || "false"})`
          : `${konst(values)}.includes(${x})`,
      );
    }
    if ("const" in sch) {
      if (!isPrimitive(sch["const"])) throw new Unhandled();
      out.push(`${x} === ${lit(sch["const"])}`);
    }
    const ops = { minimum: ">=", maximum: "<=", exclusiveMinimum: ">", exclusiveMaximum: "<" } as const;
    for (const k of Object.keys(ops) as (keyof typeof ops)[]) {
      if (!(k in sch)) continue;
      if (typeof sch[k] !== "number" || !Number.isFinite(sch[k])) throw new Unhandled();
      out.push(`(typeof ${x} !== "number" || ${x} ${ops[k]} ${lit(sch[k])})`);
    }
    if ("minLength" in sch || "maxLength" in sch) {
      const min = "minLength" in sch ? sch["minLength"] : 0;
      const max = "maxLength" in sch ? sch["maxLength"] : Infinity;
      if (typeof min !== "number" || typeof max !== "number") throw new Unhandled();
      // at least one code point without a maximum is "not empty": no call (labels, ports, clocks)
      if (min === 1 && max === Infinity) out.push(`(typeof ${x} !== "string" || ${x}.length !== 0)`);
      else if (!(min <= 0 && max === Infinity))
        out.push(`(typeof ${x} !== "string" || L(${x}, ${lit(min)}, ${max === Infinity ? "Infinity" : lit(max)}))`);
    }
    if ("pattern" in sch) {
      if (typeof sch["pattern"] !== "string") throw new Unhandled();
      out.push(`(typeof ${x} !== "string" || ${konst(new RegExp(sch["pattern"], "u"))}.test(${x}))`);
    }
    return out;
  };

  const isLeaf = (sch: Schema): sch is Record<string, unknown> => {
    if (typeof sch !== "object" || sch === null || !("type" in sch)) return false;
    const types = Array.isArray(sch["type"]) ? (sch["type"] as unknown[]) : [sch["type"]];
    if (types.includes("object") || types.includes("array")) return false;
    return ![
      "properties",
      "additionalProperties",
      "propertyNames",
      "items",
      "prefixItems",
      "$ref",
      "anyOf",
      "allOf",
      "oneOf",
    ].some((k) => k in sch);
  };

  /** A boolean expression: `x` (at depth `d`) is valid under `sch`. */
  const check = (sch: Schema, x: string, d: string): string => {
    if (sch === true) return `A(${x}, ${d})`;
    if (sch === false || typeof sch !== "object" || sch === null || Array.isArray(sch)) return "false";
    if (!keywordsOk(sch)) return "false";
    if (isLeaf(sch)) {
      let conds: string[];
      try {
        conds = scalarConds(sch, x);
      } catch (e) {
        if (e instanceof Unhandled) return "false";
        throw e;
      }
      // the type test comes first, so `x` is a primitive when the guard's part runs
      const guard = leafGuard(sch, x);
      if (guard !== null) conds.push(guard);
      return `(${conds.join(" && ")})`;
    }
    // a $ref alone calls the definition's function directly
    if (Object.keys(sch).every((k) => k === "$ref" || ANNOTATIONS.has(k)) && typeof sch["$ref"] === "string")
      return `${ref(sch["$ref"])}(${x}, ${d})`;
    return `${fn(sch)}(${x}, ${d})`;
  };

  const ref = (target: string): string => {
    if (!target.startsWith("#/$defs/")) return "N";
    const name = target.slice(8);
    if (!Object.prototype.hasOwnProperty.call(defs, name)) return "N";
    const known = defName.get(name);
    if (known) return known;
    const def = defs[name]!;
    if (typeof def !== "object" || def === null) {
      const f = `f${fns.length}`;
      fns.push(`function ${f}(v, d) { return ${check(def, "v", "d")}; }`);
      defName.set(name, f);
      return f;
    }
    const f = fn(def);
    defName.set(name, f);
    return f;
  };

  /** The name of a generated function `(v, d) => boolean` for an object / array / composite subschema. */
  const fn = (sch: Record<string, unknown>): string => {
    const known = nameOf.get(sch);
    if (known) return known;
    const f = `f${fns.length}`;
    nameOf.set(sch, f);
    fns.push(""); // reserve the slot (recursive schemas refer to `f` while it is generated)
    let body: string;
    try {
      body = fnBody(sch);
    } catch (e) {
      if (!(e instanceof Unhandled)) throw e;
      body = "return false;";
    }
    fns[Number(f.slice(1))] = `function ${f}(v, d) {\n${body}\n}`;
    return f;
  };

  /** The checks of `allOf`, `anyOf`, `oneOf` (with a discriminator) and `$ref` on `v`, as statements. */
  const compositeLines = (sch: Record<string, unknown>): string[] => {
    const composite: string[] = [];
    if ("$ref" in sch) {
      if (typeof sch["$ref"] !== "string") throw new Unhandled();
      composite.push(`if (!${ref(sch["$ref"])}(v, d)) return false;`);
    }
    if ("allOf" in sch) {
      if (!Array.isArray(sch["allOf"])) throw new Unhandled();
      for (const b of sch["allOf"] as Schema[]) composite.push(`if (!${check(b, "v", "d")}) return false;`);
    }
    if ("anyOf" in sch) {
      if (!Array.isArray(sch["anyOf"])) throw new Unhandled();
      const branches = (sch["anyOf"] as Schema[]).map((b) => check(b, "v", "d"));
      composite.push(`if (!(${branches.join(" || ") || "false"})) return false;`);
    }
    if ("oneOf" in sch) {
      const disc = sch["discriminator"] as { propertyName?: unknown } | undefined;
      const branches = sch["oneOf"];
      if (!disc || typeof disc.propertyName !== "string" || !Array.isArray(branches)) throw new Unhandled();
      const cases: string[] = [];
      const seen = new Set<string>();
      for (const b of branches as Schema[]) {
        const tag = constTag(b, disc.propertyName, defs);
        if (tag === null || seen.has(tag)) throw new Unhandled();
        seen.add(tag);
        cases.push(`case ${lit(tag)}: if (!${check(b, "v", "d")}) return false; break;`);
      }
      composite.push(
        `{ if (typeof v !== "object" || v === null || Array.isArray(v)) return false;`,
        `const t = v[${lit(disc.propertyName)}]; if (typeof t !== "string") return false;`,
        `switch (t) { ${cases.join("\n")} default: return false; } }`,
      );
    }

    return composite;
  };

  /**
   * A subschema of composite keywords only (`anyOf` / `oneOf` / `allOf` / `$ref`): every branch is a
   * leaf check (with the guard's check of its type), a generated function (which runs the guard's
   * checks on `v` itself) or `true` (anyValue: the guard's checks) — so `v` is valid only if the guard
   * accepts it, and the body needs no guard checks of its own (a discriminated value is one schedule
   * operation: this saves two of its three plain-object checks).
   */
  const compositeBody = (sch: Record<string, unknown>): string => [...compositeLines(sch), "return true;"].join("\n");

  const fnBody = (sch: Record<string, unknown>): string => {
    if (!keywordsOk(sch)) throw new Unhandled();
    if (isCompositeOnly(sch)) return compositeBody(sch);
    const lines: string[] = [];
    // the guard's checks on this value itself
    lines.push(
      `if (typeof v === "string") { if (R(v)) return false; }`,
      `else if (typeof v === "number") { if (!Number.isFinite(v)) return false; }`,
      `else if (typeof v === "object" && v !== null) { if (d >= ${MAX_DEPTH}) return false; }`,
      `else if (typeof v !== "boolean" && v !== null) return false;`,
    );
    for (const c of scalarConds(sch, "v")) lines.push(`if (!${c}) return false;`);

    const composite = compositeLines(sch);
    const objectKeywords = "properties" in sch || "additionalProperties" in sch || "propertyNames" in sch;
    const arrayKeywords = "items" in sch || "prefixItems" in sch;
    const num = (k: string, dflt: number): number => {
      if (!(k in sch)) return dflt;
      if (typeof sch[k] !== "number") throw new Unhandled();
      return sch[k] as number;
    };
    const minItems = num("minItems", 0);
    const maxItems = num("maxItems", Infinity);
    let required: string[] = [];
    if ("required" in sch) {
      const r = sch["required"];
      if (!Array.isArray(r) || !r.every((x) => typeof x === "string")) throw new Unhandled();
      required = r as string[];
    }

    const arr: string[] = [];
    if (minItems > 0) arr.push(`if (v.length < ${minItems}) return false;`);
    if (maxItems !== Infinity) arr.push(`if (v.length > ${maxItems}) return false;`);
    if (arrayKeywords) {
      const prefix = "prefixItems" in sch ? sch["prefixItems"] : [];
      if (!Array.isArray(prefix)) throw new Unhandled();
      const rest = "items" in sch ? (sch["items"] as Schema) : true;
      arr.push(`for (let i = 0; i < v.length; i++) { const x = v[i]; if (x === undefined) return false;`);
      (prefix as Schema[]).forEach((p, i) =>
        arr.push(`if (i === ${i}) { if (!${check(p, "x", "d + 1")}) return false; continue; }`),
      );
      arr.push(`if (!${check(rest, "x", "d + 1")}) return false; }`);
    } else if (composite.length === 0) arr.push(`if (!A(v, d)) return false;`);

    // a plain object (the guard's isPlainObject, inline: `O` is Object.prototype)
    const obj: string[] = [`{ const p = Object.getPrototypeOf(v); if (p !== O && p !== null) return false; }`];
    for (const r of required) obj.push(`if (v[${lit(r)}] === undefined) return false;`);
    if (objectKeywords) {
      const props = (sch["properties"] ?? {}) as Record<string, Schema>;
      if (typeof props !== "object" || props === null) throw new Unhandled();
      const extra = "additionalProperties" in sch ? (sch["additionalProperties"] as Schema) : true;
      const names = "propertyNames" in sch ? check(sch["propertyNames"] as Schema, "k", "d") : null;
      const cases = Object.entries(props)
        .filter(([k]) => !isReserved(k)) // a reserved key goes to the guard and ajv
        .map(([k, sub]) => `case ${lit(k)}: if (!${check(sub, "c", "d + 1")}) return false; break;`);
      obj.push(
        `for (const k in v) { const c = v[k]; if (c === undefined) return false;`,
        ...(names ? [`if (!${names}) return false;`] : []),
        `switch (k) { ${cases.join("\n")}`,
        `default: if (R(k)) return false; ${extra === false ? "return false;" : `if (!${check(extra, "c", "d + 1")}) return false;`} } }`,
      );
    } else if (composite.length === 0) obj.push(`if (!A(v, d)) return false;`);

    lines.push(
      `if (typeof v === "object" && v !== null) {`,
      `if (Array.isArray(v)) { ${arr.join("\n")} }`,
      `else { ${obj.join("\n")} } }`,
      ...composite,
      "return true;",
    );
    return lines.join("\n");
  };

  const top = check(root, "v", "0");
  const source = `"use strict";\n${fns.join("\n")}\nreturn function (v) { return ${top}; };`;
  // code generated from the schema above (property names as JSON string literals, patterns as RegExp constants)
  const make = new Function("R", "K", "A", "O", "L", "N", source) as (...args: unknown[]) => (v: unknown) => boolean;
  const checkTop = make(isReserved, consts, anyValue, Object.prototype, lengthIn, NEVER);
  return (value) => {
    try {
      return checkTop(value);
    } catch {
      return false; // e.g. a stack overflow: the guard and ajv decide
    }
  };
}
