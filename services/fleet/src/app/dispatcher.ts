import type { Logger } from 'pino';
import { isKeraError } from '@kera/platform';
import { chooseVehicle, isEligible, type Candidate, type DispatchRules } from '../domain/dispatch.js';
import { whyNoVehicle, windowNotOpen, windowProblem } from '../domain/feasibility.js';
import { buildOrder } from '../domain/order.js';
import type { Job, Profile, Vehicle } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import { releaseVehicle } from './jobs.js';
import type { Clock, DispatchQueue, Ids, JobStore, RoutePlanner, VehicleCommands, VehicleStore } from './ports.js';
import { updateVehicle } from './vehicle-records.js';

export type DispatchOutcome =
  | { kind: 'dispatched'; vehicleId: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'retry'; reason: string; notBefore?: Date | undefined };

export interface DispatchOptions extends DispatchRules {
  /** How many straight-line-nearest eligible vehicles per profile get a routed duration (PlanMatrix). */
  candidates: number;
}

/** Reservation attempts per dispatch: a vehicle taken by a concurrent dispatch makes way for the next best. */
const RESERVE_ATTEMPTS = 5;
/** Vehicles this close (seconds to the pickup) to the nearest count as equally near. */
const TIE_WITHIN_S = 20;

/**
 * Takes one queued job: prefilters the nearest idle vehicles of its profiles
 * from the idle index (no scan of the whole fleet), asks routing for their
 * durations to the pickup only, reserves the best, plans the order and sends
 * it over the link. Safe to run many at once: reservations are compare-and-set.
 */
export function createDispatcher(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  routes: RoutePlanner;
  commands: VehicleCommands;
  queue: DispatchQueue;
  clock: Clock;
  ids: Ids;
  rules: DispatchOptions;
  log: Logger;
}) {
  const { jobs, vehicles, routes, commands, queue, clock, ids, rules, log } = deps;
  const eligible = (job: Job) => (v: Vehicle) => isEligible(v, job, rules) && commands.isConnected(v.id);

  async function nearestEligible(job: Job, profile: Profile): Promise<Vehicle[]> {
    const k = rules.candidates;
    const near = await vehicles.idleNear(profile, job.pickup, k * 4);
    const ok = near.filter(eligible(job));
    // Nearby vehicles may all be flat or small: then look through every idle one of the profile.
    if (ok.length >= k || near.length < k * 4) return ok.slice(0, k);
    const all = (await vehicles.idle(profile)).filter(eligible(job));
    return all.sort((a, b) => squaredDistance(a, job) - squaredDistance(b, job)).slice(0, k);
  }

  async function candidatesFor(job: Job): Promise<Candidate[]> {
    const perProfile = await Promise.all(
      job.profiles.map(async (profile) => {
        const group = await nearestEligible(job, profile);
        if (group.length === 0) return [];
        const matrix = await routes.planMatrix(profile, group.map((v) => v.position!), [job.pickup]);
        return group.map((vehicle, i) => ({ vehicle, toPickupS: matrix[i]?.[0] }));
      }),
    );
    return perProfile.flat();
  }

  /** Pickup → drop-off per profile; only a job with a latest delivery needs it. */
  async function tripDurations(job: Job): Promise<Map<Profile, number>> {
    const out = new Map<Profile, number>();
    if (!job.latestDelivery) return out;
    await Promise.all(
      job.profiles.map(async (profile) => {
        const s = (await routes.planMatrix(profile, [job.pickup], [job.dropoff]))[0]?.[0];
        if (s !== undefined) out.set(profile, s);
      }),
    );
    return out;
  }

  /**
   * Reserve the vehicle while it is still eligible; false when it no longer is (another dispatch
   * was first). Starts from the candidate as just read: its own state reports only make it read again.
   */
  async function reserve(candidate: Vehicle, job: Job, orderId: string): Promise<boolean> {
    const after = await updateVehicle(
      vehicles,
      candidate.id,
      (current) => (isEligible(current, job, rules) ? { vehicle: { ...current, jobId: job.id, orderId }, events: [{ kind: 'vehicle', type: 'STATE', vehicle: current }] } : undefined),
      candidate,
    );
    // The order id is new: only this reservation can have stored it.
    return after?.orderId === orderId;
  }

  async function fail(jobId: string, reason: string): Promise<DispatchOutcome> {
    await moveJob(deps, jobId, (j) => (j.status === 'QUEUED' ? { to: 'FAILED', patch: { reason } } : undefined));
    return { kind: 'skipped', reason };
  }

  /** Say why the job waits (GetJob/ListJobs show it) and try again later. */
  async function wait(job: Job, candidates: Candidate[], reason: string): Promise<DispatchOutcome> {
    const idleConnected = async () => (await Promise.all(job.profiles.map((p) => vehicles.idle(p)))).flat().filter((v) => commands.isConnected(v.id));
    const why = candidates.length > 0 ? reason : whyNoVehicle(job, await idleConnected(), rules);
    await jobs.setWaitReason(job.id, why);
    return { kind: 'retry', reason: why };
  }

  async function sendOrder(job: Job, vehicle: Vehicle, orderId: string): Promise<DispatchOutcome> {
    try {
      const assigned = await moveJob(deps, job.id, (j) => (j.status === 'QUEUED' ? { to: 'ASSIGNED', patch: { vehicleId: vehicle.id, orderId } } : undefined), undefined, job);
      if (!assigned) {
        await releaseVehicle(deps, vehicle.id, job.id);
        return { kind: 'skipped', reason: 'job changed while assigning' };
      }
      const plan = await routes.planRoute(vehicle.profile, [vehicle.position!, job.pickup, job.dropoff]);
      const order = buildOrder(assigned.job, vehicle, orderId, plan);
      await vehicles.saveOrder(order);
      await commands.sendOrder(order);
      log.info({ jobId: job.id, vehicleId: vehicle.id, orderId, durationS: Math.round(plan.durationS) }, 'order sent');
      return { kind: 'dispatched', vehicleId: vehicle.id };
    } catch (err) {
      // Give the vehicle back and the job back to the queue; the reason stays on the job.
      await releaseVehicle(deps, vehicle.id, job.id);
      const reason = isKeraError(err) ? err.message : 'dispatch failed';
      const back = await moveJob(deps, job.id, (j) => (j.status === 'ASSIGNED' ? { to: 'QUEUED', patch: { reason } } : undefined));
      // Queued again is a new version of the job with an entry of its own (after the retry
      // delay); this entry ends here, so the job never has two entries dispatching it at once.
      if (back) await queue.enqueue(back.job, { afterFailedAttempt: true });
      if (!isKeraError(err)) {
        if (!back) throw err;
        log.error({ err, jobId: job.id, vehicleId: vehicle.id }, 'sending the order failed; job queued again');
      }
      return { kind: 'skipped', reason: back ? `queued again: ${reason}` : reason };
    }
  }

  return async function dispatch(jobId: string): Promise<DispatchOutcome> {
    const job = await jobs.get(jobId);
    if (!job || job.status !== 'QUEUED') return { kind: 'skipped', reason: `job is ${job?.status ?? 'gone'}` };
    const now = clock.now();
    const notOpen = windowNotOpen(job, now);
    if (notOpen) return { kind: 'retry', reason: notOpen, notBefore: job.earliestPickup };
    if (job.latestDelivery && job.latestDelivery <= now) return fail(jobId, 'latest_delivery passed before a vehicle was free');

    const [candidates, trips] = await Promise.all([candidatesFor(job), tripDurations(job)]);
    const impossible = windowProblem(job, now, trips);
    if (impossible) return fail(jobId, impossible);

    const taken = new Set<string>();
    let remaining = candidates;
    for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
      const choice = chooseVehicle(job, remaining, (v) => trips.get(v.profile), now, { withinS: TIE_WITHIN_S, round: attempt });
      if (!choice.ok) return wait(job, remaining, choice.reason);
      const orderId = ids.orderId();
      if (await reserve(choice.vehicle, job, orderId)) return sendOrder(job, choice.vehicle, orderId);
      // A concurrent dispatch reserved it: ask the idle index again, which no longer holds it.
      taken.add(choice.vehicle.id);
      remaining = (await candidatesFor(job)).filter((c) => !taken.has(c.vehicle.id));
    }
    return { kind: 'retry', reason: 'the nearest vehicles were taken by other jobs' };
  };
}

const squaredDistance = (v: Vehicle, job: Job): number => {
  const p = v.position!;
  const dLon = (p.lon - job.pickup.lon) * Math.cos((job.pickup.lat * Math.PI) / 180);
  return (p.lat - job.pickup.lat) ** 2 + dLon ** 2;
};

export type Dispatcher = ReturnType<typeof createDispatcher>;
