/**
 * What session.simulate() runs: the compiled schedule (compiled here when a schedule is given), checked
 * against the session's Cluster, with the session's idle values (or a controllerConfig's) applied as
 * the job's output offsets.
 */
import type { CompiledSchedule } from "../contract/compiled-schedule.js";
import { InstrumentError } from "../core/errors.js";
import type { ClusterDriver } from "../instruments/cluster-driver.js";
import { parseSessionConfig, resolveOutputs, withJobOffsets, type OutputState } from "./jobs/idle-values.js";
import { planSegments } from "./jobs/segments.js";
import { checkCompiled, isCompiled, toCompiled } from "./session-compiled.js";
import type { SessionOptions } from "./session-options.js";
import { isRF } from "./session-outputs.js";

export function simulationInput(
  compiledOrSchedule: unknown,
  controllerConfig: unknown,
  session: {
    readonly hardwareConfig: unknown;
    readonly clusterName: string;
    readonly address: string;
    readonly driver: ClusterDriver;
  },
  compile: SessionOptions["compile"],
  idle: OutputState,
): CompiledSchedule {
  if (!isCompiled(compiledOrSchedule) && planSegments(compiledOrSchedule))
    throw new InstrumentError("UNSUPPORTED", "simulate() runs schedules without pause / input-stream points", {
      path: "simulate",
      hint: "simulate the segments between the points one by one",
    });
  const compiled = toCompiled(compiledOrSchedule, compile, session.hardwareConfig);
  checkCompiled(compiled, session.clusterName, session.address, session.driver);
  const outputs = controllerConfig
    ? resolveOutputs(
        parseSessionConfig(controllerConfig, "controllerConfig"),
        session.driver.modules.values(),
        "controllerConfig",
        idle,
      )
    : idle;
  const patched = withJobOffsets(compiled, session.clusterName, outputs, (s) => isRF(session.driver, s));
  return patched;
}
