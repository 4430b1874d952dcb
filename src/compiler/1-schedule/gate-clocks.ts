/**
 * The device clocks used by gates lowered in pass 1-schedule/gates (gates.ts), added to the document's
 * resources: INCONSISTENT_CLOCK_FREQUENCY against the schedule's own definition, MISSING_DEVICE_PARAMETER
 * for a frequency the device does not define.
 */
import { DeviceConfigError, ScheduleError } from "../../core/errors.js";
import { toSI } from "../../core/units.js";
import type { BasicTransmonElement, GateSite } from "../../device/elements.js";
import type { ClockResourceSpec, ScheduleDocument } from "../../schedule/schema.js";

/** A clock a lowered gate uses, with the device parameter holding its frequency. */
export interface ClockUse {
  element: BasicTransmonElement;
  freq: number | null;
  param: string;
  site: GateSite;
}

/** Add the device clocks the gates use to the document's resources (the schedule's own definitions win). */
export function withClocks(doc: ScheduleDocument, clocks: Map<string, ClockUse>): ScheduleDocument {
  if (clocks.size === 0) return doc;
  const resources: Record<string, ClockResourceSpec> = { ...(doc.resources ?? {}) };
  for (const [clock, use] of clocks) {
    const own = doc.resources?.[clock];
    if (own !== undefined) {
      const ownHz = own.freq === null ? null : toSI(own.freq, "frequency", `/resources/${clock}/freq`);
      if (ownHz !== null && use.freq !== null && ownHz !== use.freq) {
        throw new ScheduleError(
          "INCONSISTENT_CLOCK_FREQUENCY",
          `clock "${clock}" is ${ownHz} Hz in the schedule's resources but ${use.freq} Hz in the device (${use.element.name}.${use.param})`,
          {
            path: `/resources/${clock}/freq`,
            hint: "remove the clock from the schedule's resources or make both frequencies equal",
          },
        );
      }
      if (ownHz !== null) continue;
    }
    if (use.freq === null) {
      throw new DeviceConfigError(
        "MISSING_DEVICE_PARAMETER",
        `gate "${use.site.gate}" needs ${use.element.name}.${use.param} (the frequency of clock "${clock}"), which the device does not define (null or NaN)`,
        {
          path: `/elements/${use.element.name}/${use.param.replace(".", "/")}`,
          hint: `set ${use.param} of element "${use.element.name}" in the device config (or define "${clock}" in the schedule's resources)`,
          details: {
            element: use.element.name,
            parameter: use.param,
            gate: use.site.gate,
            schedule_path: use.site.path,
          },
        },
      );
    }
    resources[clock] = { freq: use.freq };
  }
  return { ...doc, resources };
}
