/**
 * JSON Schema validators compiled to code at build time (scripts/build-validators.mjs writes
 * dist/validators/*.cjs after `tsc`). Compiling the large schemas with ajv takes a few hundred
 * milliseconds, which every CLI call would pay; the precompiled code loads in a few. From the
 * TypeScript sources (tests, ts-node) the schema may be newer than any build, so there the
 * validators are always compiled at run time.
 */
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

/** Ajv options shared by run-time compilation and the build script (they must agree). */
export const SCHEDULE_AJV_OPTIONS = { allErrors: true, strict: false, discriminator: true, verbose: true } as const;
/**
 * The first-error validator that accepts valid schedules: without allErrors/verbose its recursive
 * functions keep smaller frames, so deeply nested loops (64 levels) validate within Node's default
 * stack. The full validator above then only runs to report a document's errors.
 */
export const SCHEDULE_FAST_AJV_OPTIONS = {
  allErrors: false,
  strict: false,
  discriminator: true,
  inlineRefs: false,
} as const;
export const HARDWARE_AJV_OPTIONS = { allErrors: true, discriminator: true, strict: false } as const;

/** Built trees: dist/ (npm run build), dist-bench/ (npm run bench) and private bench builds dist-bench-<name>/. */
const BUILT = /\/dist(-bench[-\w]*)?\/src\//;

export function precompiledValidator(name: "schedule" | "schedule-fast" | "hardware"): ValidateFunction | null {
  if (!BUILT.test(import.meta.url)) return null;
  try {
    const mod = require(`../../validators/${name}.cjs`) as ValidateFunction & { default?: ValidateFunction };
    return mod.default ?? mod;
  } catch {
    return null;
  }
}

/** The JSON Schema a validator was compiled from (dist/validators/<name>.schema.json), or null from the sources. */
export function precompiledSchema(name: "schedule"): Record<string, unknown> | null {
  if (!BUILT.test(import.meta.url)) return null;
  try {
    return require(`../../validators/${name}.schema.json`) as Record<string, unknown>;
  } catch {
    return null;
  }
}
