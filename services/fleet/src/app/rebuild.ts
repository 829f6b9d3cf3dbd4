import type { Logger } from 'pino';
import type { EtaRecord } from '../domain/eta.js';
import type { Job, Order, Vehicle } from '../domain/types.js';
import type { EtaChanged } from './ports.js';

/**
 * One of fleet's own events, decoded: what each carries is the whole document
 * after the change; an ETA-only job event (ETA_CHANGED) also what the ETA was and why it moved.
 */
export type ReplayedEvent =
  | { kind: 'job'; job: Job; etaChanged?: EtaChanged | undefined }
  | { kind: 'vehicle'; vehicle: Omit<Vehicle, 'version'> }
  | { kind: 'order'; order: Order };

/** Fleet's topics from the oldest retained event to their end when called. */
export interface FleetEventReplay {
  replay(onEvent: (event: ReplayedEvent) => void): Promise<{ events: number; undecodable: number }>;
}

/** Writes rebuilt documents (and their indexes) without overwriting anything newer. */
export interface FleetStateRestore {
  restoreJob(job: Job): Promise<boolean>;
  restoreVehicle(vehicle: Vehicle): Promise<boolean>;
  restoreOrder(order: Order): Promise<boolean>;
  /** A job's ETA history, oldest first; only when the job has none (a live fleet's is newer). */
  restoreEtaHistory(jobId: string, records: EtaRecord[]): Promise<boolean>;
}

export interface RebuildSummary {
  events: number;
  undecodable: number;
  jobs: number;
  vehicles: number;
  orders: number;
  /** Jobs whose ETA history was written again (from their ETA_CHANGED events). */
  etaHistories: number;
  /** Documents found already present and at least as new: left alone. */
  kept: number;
}

/**
 * A job's ETA history from its events, as fleet wrote it live: the ETA before
 * the first change (stamped with the time of the job's version before it),
 * then each ETA_CHANGED in version order.
 */
function etaHistoryOf(changes: ReadonlyMap<number, { job: Job; etaChanged: EtaChanged }>, updatedAtByVersion: ReadonlyMap<number, Date> | undefined): EtaRecord[] {
  const ordered = [...changes.values()].sort((a, b) => a.job.version - b.job.version);
  const first = ordered[0];
  if (!first) return [];
  const baseline: EtaRecord = { eta: first.etaChanged.previousEta, computedAt: updatedAtByVersion?.get(first.job.version - 1) ?? first.job.updatedAt, trafficVersion: 0 };
  return [baseline, ...ordered.flatMap(({ job, etaChanged }) => (job.eta ? [{ eta: job.eta, computedAt: job.updatedAt, cause: etaChanged.cause, trafficVersion: etaChanged.trafficVersion }] : []))];
}

/**
 * The latest state per job, vehicle and order. Jobs: the highest version
 * (replays may repeat an event), and the ETA history from their ETA_CHANGED
 * events. Vehicles: the last event, topic order being write order per
 * vehicle. Orders: the highest orderUpdateId.
 */
export function foldEvents() {
  const jobs = new Map<string, Job>();
  const vehicles = new Map<string, Vehicle>();
  const orders = new Map<string, Order>();
  /** Per job: its ETA_CHANGED events by version (a repeated event counts once), and when each status step was written. */
  const etaChanges = new Map<string, Map<number, { job: Job; etaChanged: EtaChanged }>>();
  const stepTimes = new Map<string, Map<number, Date>>();
  return {
    add(event: ReplayedEvent): void {
      switch (event.kind) {
        case 'job': {
          const seen = jobs.get(event.job.id);
          if (!seen || seen.version < event.job.version) jobs.set(event.job.id, event.job);
          if (event.etaChanged) {
            const changes = etaChanges.get(event.job.id) ?? new Map<number, { job: Job; etaChanged: EtaChanged }>();
            changes.set(event.job.version, { job: event.job, etaChanged: event.etaChanged });
            etaChanges.set(event.job.id, changes);
          } else {
            stepTimes.set(event.job.id, (stepTimes.get(event.job.id) ?? new Map<number, Date>()).set(event.job.version, event.job.updatedAt));
          }
          return;
        }
        case 'vehicle': {
          const version = (vehicles.get(event.vehicle.id)?.version ?? 0) + 1;
          vehicles.set(event.vehicle.id, { ...event.vehicle, version });
          return;
        }
        case 'order': {
          const seen = orders.get(event.order.orderId);
          if (!seen || seen.orderUpdateId <= event.order.orderUpdateId) orders.set(event.order.orderId, event.order);
          return;
        }
        default: {
          const never: never = event;
          throw new Error(`unknown event ${String(never)}`);
        }
      }
    },
    result: () => ({
      jobs: [...jobs.values()],
      vehicles: [...vehicles.values()],
      orders: [...orders.values()],
      etaHistories: [...etaChanges].map(([jobId, changes]) => ({ jobId, records: etaHistoryOf(changes, stepTimes.get(jobId)) })),
    }),
  };
}

/** Reconstruct fleet's Redis state from its Kafka topics; safe to run again or on a live fleet. */
export async function rebuildFleetState(deps: { replay: FleetEventReplay; restore: FleetStateRestore; log: Logger }): Promise<RebuildSummary> {
  const fold = foldEvents();
  const { events, undecodable } = await deps.replay.replay((event) => fold.add(event));
  const state = fold.result();
  const count = async <T>(items: T[], write: (item: T) => Promise<boolean>) => {
    let written = 0;
    for (const item of items) if (await write(item)) written++;
    return { written, kept: items.length - written };
  };
  const jobs = await count(state.jobs, deps.restore.restoreJob);
  const vehicles = await count(state.vehicles, deps.restore.restoreVehicle);
  const orders = await count(state.orders, deps.restore.restoreOrder);
  const etaHistories = await count(state.etaHistories, (h) => deps.restore.restoreEtaHistory(h.jobId, h.records));
  const summary = {
    events, undecodable, jobs: jobs.written, vehicles: vehicles.written, orders: orders.written, etaHistories: etaHistories.written,
    kept: jobs.kept + vehicles.kept + orders.kept + etaHistories.kept,
  };
  deps.log.info(summary, 'fleet state rebuilt from Kafka');
  return summary;
}
