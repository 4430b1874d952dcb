/**
 * Version handling at connect: the SCPI versions the Cluster reports (`*IDN?` build field
 * swSCPIVersion, `*DESCribe?` modules' sw_compat.scpi_version) must have the major version this
 * driver speaks; anything else is refused with a message naming the version and the firmware.
 */
import { InstrumentError } from "../core/errors.js";
import type { Idn } from "./reply-parse.js";

/** SCPI major version the driver's command set follows (reference 10). */
export const SCPI_MAJOR = 1;

function major(v: string): number {
  return Number(v.trim().split(".")[0]);
}

/** Refuse a Cluster whose `*IDN?` SCPI version is not SCPI_MAJOR.x (no version field: accepted). */
export function checkIdnVersion(idn: Idn, address: string): void {
  const v = idn.build["swSCPIVersion"];
  if (v !== undefined && major(v) !== SCPI_MAJOR)
    throw new InstrumentError(
      "UNSUPPORTED_FIRMWARE",
      `the Cluster at ${address} speaks SCPI version ${v} (firmware ${idn.build["fwVersion"] ?? "unknown"}); this driver speaks ${SCPI_MAJOR}.x`,
      { path: address, hint: "update the Cluster firmware, or use a q1forge release made for this firmware" },
    );
}

/** Refuse a module whose `*DESCribe?` sw_compat.scpi_version is not SCPI_MAJOR.x. */
export function checkModuleVersion(slot: number, version: string | undefined, address: string): void {
  if (version !== undefined && major(version) !== SCPI_MAJOR)
    throw new InstrumentError(
      "UNSUPPORTED_FIRMWARE",
      `the module in slot ${slot} of the Cluster at ${address} speaks SCPI version ${version}; this driver speaks ${SCPI_MAJOR}.x`,
      { path: `slot ${slot}`, hint: "update the module firmware so it matches the Cluster's" },
    );
}

/**
 * Oldest Cluster firmware (`*IDN?` fwVersion) with LINQ real-time feedback (thresholded bits and IQ
 * values routed between sequencers, fb_* instructions). q1forge's assumption: the references do not
 * name the release that introduced LINQ; 0.11.0 is the firmware the virtual Cluster emulates with it.
 */
export const LINQ_MIN_FIRMWARE = "0.11.0";

/** Whether the Cluster supports LINQ feedback, as learnt at connect, and from what. */
export interface LinqSupport {
  supported: boolean;
  /** `*IDN?` fwVersion, or null when the identity carries none */
  firmware: string | null;
  /** "firmware": fwVersion compared with LINQ_MIN_FIRMWARE; "unknown": no usable version (assumed supported) */
  source: "firmware" | "unknown";
}

/** Compare dotted versions numerically ("0.9.2" < "0.11.0"); null when either is not dotted numbers. */
export function compareVersions(a: string, b: string): number | null {
  const pa = a.trim().split("."),
    pb = b.trim().split(".");
  if (![...pa, ...pb].every((p) => /^\d+$/.test(p))) return null;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** LINQ support from the `*IDN?` read at connect (null identity or no fwVersion: unknown, assumed supported). */
export function linqSupport(idn: Idn | null): LinqSupport {
  const fw = idn?.build["fwVersion"] ?? null;
  const cmp = fw === null ? null : compareVersions(fw, LINQ_MIN_FIRMWARE);
  if (cmp === null) return { supported: true, firmware: fw, source: "unknown" };
  return { supported: cmp >= 0, firmware: fw, source: "firmware" };
}
