/**
 * Unit-bearing quantities at the input boundary. A value may be a plain number (SI units: s, Hz, V,
 * degrees) or a string with a unit ("120 ns", "7.4 GHz", "-3 dB" is not supported). mathjs is used here
 * and nowhere else, so the hot paths never touch it.
 */
import { createRequire } from "node:module";
import type { Unit } from "mathjs";
import { InputParseError } from "./errors.js";

// mathjs takes a large part of a second to import, so it is loaded on first need only: plain
// numbers and the common "<number> <prefix><unit>" strings are read without it (fastUnit below).
const require = createRequire(import.meta.url);
let mathUnitFn: ((text: string) => Unit) | null = null;
function mathUnit(text: string): Unit {
  mathUnitFn ??= (require("mathjs") as { unit: (text: string) => Unit }).unit;
  return mathUnitFn(text);
}

const PREFIX: Record<string, number> = {
  "": 1,
  y: 1e-24,
  z: 1e-21,
  a: 1e-18,
  f: 1e-15,
  p: 1e-12,
  n: 1e-9,
  u: 1e-6,
  µ: 1e-6,
  μ: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};
const BASE: Record<Exclude<Dimension, "dimensionless">, Record<string, number>> = {
  time: { s: 1 },
  frequency: { Hz: 1 },
  voltage: { V: 1 },
  angle: { deg: 1, rad: 180 / Math.PI },
};
const FAST = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµμ]+)$/;

/** "<number> <prefix><unit>" for the dimension's own unit, or undefined (then mathjs decides). */
function fastUnit(text: string, dim: Exclude<Dimension, "dimensionless">): number | undefined {
  const m = FAST.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const word = m[2]!;
  for (const [unitName, factor] of Object.entries(BASE[dim])) {
    if (!word.endsWith(unitName)) continue;
    const prefix = PREFIX[word.slice(0, word.length - unitName.length)];
    if (prefix !== undefined) return value * prefix * factor;
  }
  return undefined;
}

export type Dimension = "time" | "frequency" | "voltage" | "angle" | "dimensionless";

const SI_UNIT: Record<Exclude<Dimension, "dimensionless">, string> = {
  time: "s",
  frequency: "Hz",
  voltage: "V",
  angle: "deg",
};

/** A number, or a string such as "20 ns" / "6.1 GHz" / "0.5" (dimensionless strings are allowed). */
export type Quantity = number | string;

const cache = new Map<string, number>();

/** Convert a quantity to a number in the SI unit of `dim`. Throws InputParseError naming `path`. */
export function toSI(value: Quantity, dim: Dimension, path: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new InputParseError(`value ${value} is not a finite number`, {
        path,
        hint: "use a finite number in SI units",
      });
    return value;
  }
  const key = `${dim}|${value}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const text = value.trim();
  let result: number;
  const plain = Number(text);
  if (text !== "" && Number.isFinite(plain)) {
    result = plain;
  } else {
    if (dim === "dimensionless") {
      throw new InputParseError(`"${value}" is not a number`, {
        path,
        hint: "give a plain number (this quantity has no unit)",
      });
    }
    const fast = fastUnit(text, dim);
    if (fast !== undefined) {
      cache.set(key, fast);
      return fast;
    }
    let u: Unit;
    try {
      u = mathUnit(text);
    } catch (e) {
      throw new InputParseError(`cannot parse quantity "${value}": ${(e as Error).message}`, {
        path,
        hint: `write a number with a ${SI_UNIT[dim]}-compatible unit, e.g. ${example(dim)}`,
      });
    }
    try {
      result = u.toNumber(SI_UNIT[dim]);
    } catch {
      throw new InputParseError(`quantity "${value}" is not a ${dim}`, {
        path,
        hint: `use a ${dim} unit, e.g. ${example(dim)}`,
      });
    }
  }
  if (!Number.isFinite(result))
    throw new InputParseError(`quantity "${value}" is not finite`, { path, hint: "give a finite number" });
  cache.set(key, result);
  return result;
}

function example(dim: Dimension): string {
  switch (dim) {
    case "time":
      return '"120 ns" or 1.2e-7';
    case "frequency":
      return '"7.4 GHz" or 7.4e9';
    case "voltage":
      return '"50 mV" or 0.05';
    case "angle":
      return '"90 deg" or 90';
    default:
      return "0.5";
  }
}

/** Seconds → integer nanoseconds on the 1 ns grid, with quantify's 0.0011 ns tolerance. Returns NaN if off-grid. */
export function secondsToGridNs(seconds: number): number {
  const ns = seconds * 1e9;
  const r = Math.round(ns);
  return Math.abs(ns - r) > 0.0011 ? Number.NaN : r;
}
