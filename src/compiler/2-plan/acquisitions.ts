/**
 * Acquisition channels (reference 2.8, 3.12): per acq_channel its sequencer, Qblox acquisition index,
 * bin of every AVERAGE acquisition node and the bin count; resource limits checked per channel before
 * any coords list grows.
 */
import { ResourceLimitError, ScheduleError } from "../../core/errors.js";
import type { AcquisitionOp } from "../../schedule/model.js";
import type { AcqChannelPlan, SequencerPlan } from "../ir/plan.js";
import { forEachOp } from "../ir/walk.js";
import { familyOf, isAcquisition } from "../ops/index.js";
import { mayHold } from "./sequencers.js";

export function planAcquisitions(sequencers: readonly SequencerPlan[], repetitions: number): AcqChannelPlan[] {
  const plans = new Map<string, AcqChannelPlan>();
  sequencers.forEach((seq, seqIndex) => {
    if (!mayHold(seq, (type) => familyOf(type) === "acquisition")) return; // many sequencers only play
    let nextIndex = 0;
    let totalBins = 0;
    let integration: { ns: number; op: AcquisitionOp } | null = null;
    forEachOp(seq.nodes, (node, loops) => {
      const op = node.op;
      if (!isAcquisition(op)) return;
      if (integration === null) integration = { ns: op.durationNs, op };
      else if (integration.ns !== op.durationNs) {
        throw new ScheduleError(
          "INTEGRATION_LENGTH_MISMATCH",
          `acquisition "${op.name}" lasts ${op.durationNs} ns but "${integration.op.name}" on the same sequencer (${seq.route.portClock}) lasts ${integration.ns} ns`,
          {
            path: op.path,
            hint: "all acquisitions of one port-clock share one integration length; give them the same duration",
          },
        );
      }
      let plan = plans.get(op.acq_channel);
      if (!plan) {
        if (nextIndex >= seq.spec.acqIndices) {
          throw new ResourceLimitError(
            "OUT_OF_ACQ_INDICES",
            `acquisition "${op.name}" needs a new Qblox acquisition index on ${seq.key} (${seq.route.portClock}), but all ${seq.spec.acqIndices} are used`,
            { path: op.path, hint: "use fewer acq_channels per port-clock" },
          );
        }
        plan = {
          channel: op.acq_channel,
          protocol: op.type,
          binMode: op.bin_mode,
          sequencer: seqIndex,
          portClock: seq.route.portClock,
          qbloxIndex: nextIndex++,
          numAcqIndices: 0,
          binOfNode: {},
          numBins: 0,
          loopRepetitions: loops.map((l) => l.repetitions),
          coords: null,
          integrationLengthNs: op.durationNs,
        };
        plans.set(op.acq_channel, plan);
      } else {
        if (plan.sequencer !== seqIndex) {
          throw new ScheduleError(
            "ACQ_CHANNEL_ON_TWO_PORT_CLOCKS",
            `acq_channel ${op.acq_channel} is used on port-clocks ${plan.portClock} and ${seq.route.portClock}`,
            { path: op.path, hint: "use a distinct acq_channel per port-clock" },
          );
        }
        if (plan.protocol !== op.type) {
          throw new ScheduleError(
            "MIXED_PROTOCOLS",
            `acq_channel ${op.acq_channel} mixes protocols ${plan.protocol} and ${op.type} ("${op.name}")`,
            { path: op.path, hint: "use one protocol per acq_channel" },
          );
        }
        if (plan.binMode !== op.bin_mode) {
          throw new ScheduleError(
            "MIXED_BIN_MODES",
            `acq_channel ${op.acq_channel} mixes bin modes ${plan.binMode} and ${op.bin_mode} ("${op.name}")`,
            { path: op.path, hint: "use one bin mode per acq_channel" },
          );
        }
      }
      const before = plan.numBins;
      if (op.type === "Trace") {
        if (plan.numAcqIndices > 0)
          throw new ScheduleError(
            "SECOND_TRACE",
            `acq_channel ${op.acq_channel} has a second Trace acquisition "${op.name}"`,
            { path: op.path, hint: "a Trace channel holds one (averaged) trace; use one Trace per acq_channel" },
          );
        if (op.bin_mode !== "average")
          throw new ScheduleError("BAD_BIN_MODE", `Trace acquisition "${op.name}" supports only bin_mode "average"`, {
            path: op.path,
            hint: 'set "bin_mode": "average" (a scope trace is averaged over repetitions) or use SSBIntegrationComplex for bins',
          });
        plan.numAcqIndices = 1;
        plan.numBins = 1;
      } else if (op.bin_mode === "average") {
        plan.binOfNode[node.id] = plan.numAcqIndices;
        // inside register sweeps: one bin per point (3-emit/sweeps.ts advances a bin register)
        let points = 1;
        for (const l of loops) if (l.kind === "sweep") points *= l.repetitions;
        plan.numAcqIndices += points;
        plan.numBins = plan.numAcqIndices;
      } else {
        let multiplier = 1;
        for (const loop of loops) multiplier *= loop.repetitions;
        plan.numAcqIndices += multiplier;
        plan.numBins = plan.numAcqIndices * repetitions;
      }
      totalBins += plan.numBins - before;
      if (plan.numBins > seq.spec.binsPerIndex || totalBins > seq.spec.maxBins) {
        throw new ResourceLimitError(
          "OUT_OF_BINS",
          `acquisition "${op.name}" on ${seq.route.portClock} needs ${plan.numBins > seq.spec.binsPerIndex ? `${plan.numBins} bins for acq_channel ${op.acq_channel} (limit ${seq.spec.binsPerIndex} per acquisition index)` : `${totalBins} bins on ${seq.key} (limit ${seq.spec.maxBins})`}`,
          {
            path: op.path,
            hint: "reduce repetitions or APPEND acquisitions, or use bin_mode average",
          },
        );
      }
      // coords per acq index, grown only after the bin limit above has bounded numAcqIndices
      if (op.coords) {
        plan.coords ??= [];
        for (let k = plan.coords.length; k < plan.numAcqIndices; k++) plan.coords.push(op.coords);
      }
    });
  });
  return [...plans.values()];
}
