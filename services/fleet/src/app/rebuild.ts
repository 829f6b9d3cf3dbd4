import type { Logger } from 'pino';
import type { Job, Order, Vehicle } from '../domain/types.js';

/** One of fleet's own events, decoded: what each carries is the whole document after the change. */
export type ReplayedEvent = { kind: 'job'; job: Job } | { kind: 'vehicle'; vehicle: Omit<Vehicle, 'version'> } | { kind: 'order'; order: Order };

/** Fleet's topics from the oldest retained event to their end when called. */
export interface FleetEventReplay {
  replay(onEvent: (event: ReplayedEvent) => void): Promise<{ events: number; undecodable: number }>;
}

/** Writes rebuilt documents (and their indexes) without overwriting anything newer. */
export interface FleetStateRestore {
  restoreJob(job: Job): Promise<boolean>;
  restoreVehicle(vehicle: Vehicle): Promise<boolean>;
  restoreOrder(order: Order): Promise<boolean>;
}

export interface RebuildSummary {
  events: number;
  undecodable: number;
  jobs: number;
  vehicles: number;
  orders: number;
  /** Documents found already present and at least as new: left alone. */
  kept: number;
}

/**
 * The latest state per job, vehicle and order. Jobs: the highest version
 * (replays may repeat an event). Vehicles: the last event, topic order being
 * write order per vehicle. Orders: the highest orderUpdateId.
 */
export function foldEvents() {
  const jobs = new Map<string, Job>();
  const vehicles = new Map<string, Vehicle>();
  const orders = new Map<string, Order>();
  return {
    add(event: ReplayedEvent): void {
      switch (event.kind) {
        case 'job': {
          const seen = jobs.get(event.job.id);
          if (!seen || seen.version < event.job.version) jobs.set(event.job.id, event.job);
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
    result: () => ({ jobs: [...jobs.values()], vehicles: [...vehicles.values()], orders: [...orders.values()] }),
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
  const summary = { events, undecodable, jobs: jobs.written, vehicles: vehicles.written, orders: orders.written, kept: jobs.kept + vehicles.kept + orders.kept };
  deps.log.info(summary, 'fleet state rebuilt from Kafka');
  return summary;
}
