import type { Vehicle } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import { releaseVehicle } from './jobs.js';
import type { Clock, DispatchQueue, FleetEvent, JobStore, VehicleStore } from './ports.js';

export type VehicleChange = (v: Vehicle) => { vehicle: Vehicle; events: FleetEvent[]; quiet?: boolean } | undefined;

/**
 * Every stored change of a vehicle goes out on the vehicle-events topic with
 * its full state (the topic is compacted by vehicle, so it can rebuild the
 * fleet's view); only `quiet` saves, sampled position updates, may skip it.
 */
export function publishingEveryChange(store: VehicleStore): VehicleStore {
  return {
    ...store,
    save(vehicle, expectedVersion, events, options) {
      const published = options?.quiet || events.some((e) => e.kind === 'vehicle');
      return store.save(vehicle, expectedVersion, published ? events : [...events, { kind: 'vehicle', type: 'STATE', vehicle }], options);
    },
  };
}

/**
 * Apply a change to the stored vehicle with compare-and-set, retrying on
 * conflicts. `lastKnown`, the vehicle as this caller last stored it, saves
 * the read when nobody else wrote it since: a stale copy only fails the
 * compare-and-set, and the retry reads the stored one.
 */
export async function updateVehicle(vehicles: VehicleStore, id: string, change: VehicleChange, lastKnown?: Vehicle): Promise<Vehicle | undefined> {
  let known = lastKnown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const cached = known !== undefined;
    const current = known ?? (await vehicles.get(id));
    known = undefined;
    if (!current) return undefined;
    const next = change(current);
    // "Nothing to change" must be decided on the stored vehicle, not on a copy.
    if (!next && cached) continue;
    if (!next) return current;
    const saved = { ...next.vehicle, version: current.version + 1 };
    const events = next.events.map((e) => (e.kind === 'vehicle' ? { ...e, vehicle: saved } : e));
    if (await vehicles.save(saved, current.version, events, { quiet: next.quiet ?? false })) return saved;
  }
  throw new Error(`vehicle ${id} is changing too often`);
}

/** Put a job that was assigned or dispatched back in the queue with the reason. */
export async function requeueJob(deps: { jobs: JobStore; clock: Clock; queue: DispatchQueue }, jobId: string, reason: string, extra: () => FleetEvent[] = () => []): Promise<void> {
  const change = await moveJob(deps, jobId, (j) => (['ASSIGNED', 'DISPATCHED'].includes(j.status) ? { to: 'QUEUED', patch: { reason } } : undefined), extra);
  if (change) await deps.queue.enqueue(change.job);
}

/**
 * The vehicle cannot go on with its job: free it, and put the job back in the
 * queue, or fail it when the goods are already on board.
 */
export async function handBackJob(
  deps: { jobs: JobStore; vehicles: VehicleStore; clock: Clock; queue: DispatchQueue },
  vehicleId: string,
  jobId: string,
  reason: string,
  extra: () => FleetEvent[] = () => [],
): Promise<void> {
  await releaseVehicle(deps, vehicleId, jobId);
  const job = await deps.jobs.get(jobId);
  if (job?.status === 'PICKED_UP') {
    await moveJob(deps, jobId, (j) => (j.status === 'PICKED_UP' ? { to: 'FAILED', patch: { reason: `${reason} with the goods on board` } } : undefined), extra);
  } else if (job) {
    await requeueJob(deps, jobId, reason, extra);
  }
}
