import type { Logger } from 'pino';
import { moveJob } from './job-lifecycle.js';
import type { CommandLedger, LocalChannels } from './command-ledger.js';
import type { Clock, CommandResult, DispatchQueue, FleetEvent, JobStore, LedgerEntry, LinkMetrics, Outbox, VehicleStore } from './ports.js';
import { handBackJob, updateVehicle } from './vehicle-records.js';

type OrderEntry = LedgerEntry & { command: { kind: 'order' } };

/**
 * What a vehicle's answer to a command means for its job: an accepted order
 * dispatches the job, a rejected one hands it back with the vehicle's reason,
 * a cancel acked on the vehicle requeues its job; a command never acked
 * (past the send limit) puts the vehicle in ERROR and hands its job back.
 */
export function createCommandOutcomes(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  metrics: LinkMetrics;
  ledger: () => CommandLedger;
  channels: LocalChannels;
}) {
  const { vehicles, clock, log, metrics } = deps;

  async function orderAnswered(entry: OrderEntry, result: CommandResult): Promise<void> {
    const { order, commandId } = entry.command;
    const accepted = result.accepted || result.errorType === 'SAME_ORDER_UPDATE_ID';
    const orderEvent: FleetEvent = { kind: 'order', type: accepted ? 'ACKED' : 'REJECTED', order, commandId, ack: result };
    if (accepted) {
      const eta = new Date(clock.now().getTime() + order.durationS * 1000);
      const change = await moveJob(deps, order.jobId, (j) => (j.status === 'ASSIGNED' && j.orderId === order.orderId ? { to: 'DISPATCHED', patch: { eta } } : undefined), () => [orderEvent]);
      if (!change) await deps.outbox.append([orderEvent]); // a resent or repaired order of a job already under way
      return;
    }
    metrics.commandRejected('order');
    log.warn({ vehicleId: entry.vehicleId, orderId: order.orderId, errorType: result.errorType }, 'order rejected');
    await deps.outbox.append([orderEvent]);
    const vehicle = await vehicles.get(entry.vehicleId);
    if (vehicle?.orderId !== order.orderId) return; // the job moved on already
    const reason = `vehicle ${entry.vehicleId} rejected the order: ${result.errorType} ${result.description}`.trim();
    await handBackJob(deps, entry.vehicleId, order.jobId, reason);
  }

  /** An operator cancelled the order on the vehicle itself: its job goes back to the queue. */
  async function orderCancelledOnVehicle(vehicleId: string, orderId: string): Promise<void> {
    const vehicle = await vehicles.get(vehicleId);
    if (!vehicle?.jobId || vehicle.orderId !== orderId) return;
    await handBackJob(deps, vehicleId, vehicle.jobId, `order cancelled on vehicle ${vehicleId}`);
  }

  return {
    async answered(vehicleId: string, commandId: string, result: CommandResult): Promise<void> {
      const entry = await deps.ledger().settle(vehicleId, commandId);
      if (!entry) return; // a late duplicate ack: harmless
      const { command } = entry;
      if (command.kind === 'order') return orderAnswered(entry as OrderEntry, result);
      if (!result.accepted) {
        metrics.commandRejected('instant');
        log.warn({ vehicleId, action: command.actionType, result }, 'instant action rejected');
      } else if (command.cancels?.requeueJob && command.cancels.orderId) {
        await orderCancelledOnVehicle(vehicleId, command.cancels.orderId);
      }
    },

    /** Sent `maxSends` times and never acked: the link to this vehicle does not work. */
    async exhausted(entry: LedgerEntry): Promise<void> {
      const { vehicleId, command } = entry;
      await deps.ledger().drop(vehicleId);
      const reason = `vehicle ${vehicleId} did not ack ${command.kind === 'order' ? `order ${command.order.orderId}` : `instant action ${command.actionType}`} after repeated sends`;
      const failed = await updateVehicle(vehicles, vehicleId, (v) => ({ vehicle: { ...v, status: 'ERROR' }, events: [{ kind: 'vehicle', type: 'STATE', vehicle: v, reason }] }));
      if (failed?.jobId) await handBackJob(deps, vehicleId, failed.jobId, reason);
      // A fresh stream starts over: the vehicle reconnects and resyncs from its state.
      deps.channels.get(vehicleId)?.close(reason);
    },
  };
}

export type CommandOutcomes = ReturnType<typeof createCommandOutcomes>;
