import type { Logger } from 'pino';
import { isKeraError } from '@kera/platform';
import { buildRemainingOrder, isExecuting, progressOf, remainingStops, vehicleStatusOf } from '../domain/order.js';
import type { Job, LatLon, Order, StateReport, Vehicle } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import { releaseVehicle } from './jobs.js';
import type { CommandLedger } from './command-ledger.js';
import type { Clock, DispatchQueue, FleetEvent, Ids, JobStore, LinkMetrics, Outbox, RoutePlanner, VehicleStore } from './ports.js';
import { handBackJob, updateVehicle } from './vehicle-records.js';

const samePlace = (a: LatLon | undefined, b: LatLon | undefined): boolean => a?.lat === b?.lat && a?.lon === b?.lon;

/**
 * State reports → the stored vehicle, its published state, and its job's
 * progress. Every change of status, battery (whole percent), job or order is
 * published with the vehicle's full state; position alone at most every
 * `positionEventMs`, and always once the vehicle comes to rest, so the last
 * state on the topic is the real one. Also repairs a vehicle that lost the
 * order fleet believes it drives, and cancels one it should no longer drive.
 */
export function createVehicleProgress(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  outbox: Outbox;
  routes: RoutePlanner;
  clock: Clock;
  ids: Ids;
  log: Logger;
  metrics: LinkMetrics;
  ledger: () => CommandLedger;
  positionEventMs: number;
}) {
  const { jobs, vehicles, ids, log } = deps;
  /** What this replica last published per vehicle: when, and where the vehicle was. */
  const published = new Map<string, { atMs: number; position: LatLon | undefined }>();
  /**
   * Each vehicle as this replica last stored it from a report: the next report
   * of the same stream compare-and-sets against it in one round trip instead
   * of reading first (a write by anyone else in between fails it, and it reads).
   */
  const stored = new Map<string, Vehicle>();
  const staleCancels = new Set<string>();

  function absorb(v: Vehicle, report: StateReport): { vehicle: Vehicle; events: FleetEvent[]; quiet: boolean } {
    const status = vehicleStatusOf(report, Boolean(v.jobId));
    const updated: Vehicle = { ...v, position: report.position ?? v.position, headingDeg: report.headingDeg, batteryPct: report.batteryPct, status, lastSeen: report.at };
    const last = published.get(v.id);
    const stateChanged = status !== v.status || Math.round(report.batteryPct) !== Math.round(v.batteryPct);
    const moved = !samePlace(updated.position, last?.position);
    const atRest = samePlace(updated.position, v.position);
    const positionDue = moved && (atRest || report.at.getTime() - (last?.atMs ?? 0) >= deps.positionEventMs);
    if (!last || stateChanged || positionDue) {
      published.set(v.id, { atMs: report.at.getTime(), position: updated.position });
      return { vehicle: updated, events: [{ kind: 'vehicle', type: 'STATE', vehicle: updated }], quiet: false };
    }
    return { vehicle: updated, events: [], quiet: true };
  }

  async function applyProgress(vehicle: Vehicle, report: StateReport): Promise<void> {
    const jobId = vehicle.jobId;
    if (!jobId || report.orderId !== vehicle.orderId) return;
    const progress = progressOf(jobId, report);
    switch (progress.kind) {
      case 'none':
        return;
      case 'picked_up':
        await moveJob(deps, jobId, (j) => (j.status === 'DISPATCHED' ? { to: 'PICKED_UP' } : undefined));
        return;
      case 'delivered':
        await moveJob(deps, jobId, (j) => (j.status === 'DISPATCHED' ? { to: 'PICKED_UP' } : undefined));
        await moveJob(deps, jobId, (j) => (j.status === 'PICKED_UP' ? { to: 'DELIVERED', patch: { eta: report.at } } : undefined));
        await releaseVehicle(deps, vehicle.id, jobId);
        return;
      case 'failed':
        await moveJob(deps, jobId, (j) => (['ASSIGNED', 'DISPATCHED', 'PICKED_UP'].includes(j.status) ? { to: 'FAILED', patch: { reason: progress.reason } } : undefined));
        await releaseVehicle(deps, vehicle.id, jobId);
        return;
      default: {
        const never: never = progress;
        throw new Error(`unknown progress ${String(never)}`);
      }
    }
  }

  /**
   * A vehicle back after its lease ran out may still be driving an order whose
   * job went elsewhere: tell it to drop that order, once per order.
   */
  async function cancelStaleOrder(vehicle: Vehicle, report: StateReport): Promise<void> {
    if (!report.orderId || report.orderId === vehicle.orderId || !isExecuting(report) || staleCancels.has(report.orderId)) return;
    staleCancels.add(report.orderId);
    log.warn({ vehicleId: vehicle.id, orderId: report.orderId }, 'vehicle drives an order fleet no longer holds; cancelling it');
    await deps.ledger().issue(vehicle.id, { commandId: ids.commandId(), kind: 'instant', actionType: 'CANCEL_ORDER', cancels: { orderId: report.orderId, requeueJob: false } });
  }

  /**
   * The vehicle reports idle without the order of a job under way (it
   * restarted mid-delivery, say): send what remains from where it is, or end
   * the job with the reason when that cannot be planned.
   */
  async function repairMissingOrder(vehicle: Vehicle, report: StateReport): Promise<void> {
    if (!vehicle.jobId || !vehicle.orderId || report.orderId === vehicle.orderId || isExecuting(report)) return;
    const job = await jobs.get(vehicle.jobId);
    if (job?.status !== 'DISPATCHED' && job?.status !== 'PICKED_UP') return; // ASSIGNED: its order is still in the ledger
    if ((await deps.ledger().pending(vehicle.id)).some((e) => e.command.kind === 'order')) return;
    const previous = await vehicles.getOrder(vehicle.orderId);
    const remaining = previous && vehicle.position ? await planRemaining(vehicle, vehicle.position, job, previous) : previous ? 'its position is unknown' : 'the order is no longer stored';
    if (typeof remaining === 'string') {
      deps.metrics.orderRepaired('ended');
      await handBackJob(deps, vehicle.id, job.id, `vehicle ${vehicle.id} lost order ${vehicle.orderId} and what remains cannot be sent: ${remaining}`);
      return;
    }
    await vehicles.saveOrder(remaining);
    const commandId = ids.commandId();
    await deps.outbox.append([{ kind: 'order', type: 'SENT', order: remaining, commandId }]);
    await deps.ledger().issue(vehicle.id, { commandId, kind: 'order', order: remaining });
    deps.metrics.orderRepaired('resent');
    log.warn({ vehicleId: vehicle.id, jobId: job.id, orderId: remaining.orderId, orderUpdateId: remaining.orderUpdateId }, 'vehicle lost its order; sent what remains');
  }

  /** The rest of the job from where the vehicle is, or why it cannot be planned. */
  async function planRemaining(vehicle: Vehicle, from: LatLon, job: Job, previous: Order): Promise<Order | string> {
    try {
      return buildRemainingOrder(job, previous, await deps.routes.planRoute(vehicle.profile, [from, ...remainingStops(job)]));
    } catch (err) {
      if (!isKeraError(err)) throw err;
      return err.message;
    }
  }

  return {
    async onState(vehicleId: string, report: StateReport): Promise<void> {
      const vehicle = await updateVehicle(vehicles, vehicleId, (v) => absorb(v, report), stored.get(vehicleId));
      if (!vehicle) {
        stored.delete(vehicleId);
        return;
      }
      stored.set(vehicleId, vehicle);
      await applyProgress(vehicle, report);
      await cancelStaleOrder(vehicle, report);
      await repairMissingOrder(vehicle, report);
    },
    /** Publish the next report in full and read the vehicle afresh (a new session, on this replica or another, or none). */
    forget(vehicleId: string): void {
      published.delete(vehicleId);
      stored.delete(vehicleId);
    },
  };
}

export type VehicleProgress = ReturnType<typeof createVehicleProgress>;
