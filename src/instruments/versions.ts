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
