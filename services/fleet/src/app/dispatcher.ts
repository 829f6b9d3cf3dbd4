import type { Logger } from 'pino';
import { isKeraError } from '@kera/platform';
import { chooseVehicle, isEligible, type Candidate, type DispatchRules } from '../domain/dispatch.js';
import { buildOrder } from '../domain/order.js';
import type { Job, Profile, Vehicle } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import { releaseVehicle } from './jobs.js';
import type { Clock, Ids, JobStore, RoutePlanner, VehicleCommands, VehicleStore } from './ports.js';

export type DispatchOutcome = { kind: 'dispatched'; vehicleId: string } | { kind: 'skipped'; reason: string } | { kind: 'retry'; reason: string };

/**
 * Takes one queued job: picks the best feasible vehicle (durations from the
 * routing matrix), reserves it, plans the order and sends it over the link.
 */
export function createDispatcher(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  routes: RoutePlanner;
  commands: VehicleCommands;
  clock: Clock;
  ids: Ids;
  rules: DispatchRules;
  log: Logger;
}) {
  const { jobs, vehicles, routes, commands, clock, ids, rules, log } = deps;

  async function candidatesFor(job: Job): Promise<Candidate[]> {
    const idle = (await vehicles.list()).filter((v) => isEligible(v, job, rules) && commands.isConnected(v.id));
    const byProfile = new Map<Profile, Vehicle[]>();
    for (const v of idle) byProfile.set(v.profile, [...(byProfile.get(v.profile) ?? []), v]);
    const candidates: Candidate[] = [];
    for (const [profile, group] of byProfile) {
      const matrix = await routes.planMatrix(profile, group.map((v) => v.position!), [job.pickup]);
      group.forEach((vehicle, i) => candidates.push({ vehicle, toPickupS: matrix[i]?.[0] }));
    }
    return candidates;
  }

  async function tripDurations(job: Job): Promise<Map<Profile, number>> {
    const out = new Map<Profile, number>();
    for (const profile of job.profiles) {
      const row = await routes.planMatrix(profile, [job.pickup], [job.dropoff]);
      const s = row[0]?.[0];
      if (s !== undefined) out.set(profile, s);
    }
    return out;
  }

  async function reserve(vehicle: Vehicle, job: Job, orderId: string): Promise<boolean> {
    const current = await vehicles.get(vehicle.id);
    if (!current || !isEligible(current, job, rules)) return false;
    return vehicles.save({ ...current, jobId: job.id, orderId, version: current.version + 1 }, current.version, []);
  }

  return async function dispatch(jobId: string): Promise<DispatchOutcome> {
    const job = await jobs.get(jobId);
    if (!job || job.status !== 'QUEUED') return { kind: 'skipped', reason: `job is ${job?.status ?? 'gone'}` };
    const now = clock.now();
    if (job.latestDelivery && job.latestDelivery <= now) {
      await moveJob(deps, jobId, (j) => (j.status === 'QUEUED' ? { to: 'FAILED', patch: { reason: 'latest_delivery passed before a vehicle was free' } } : undefined));
      return { kind: 'skipped', reason: 'expired' };
    }

    const [candidates, trips] = await Promise.all([candidatesFor(job), tripDurations(job)]);
    const choice = chooseVehicle(job, candidates, (v) => trips.get(v.profile), now);
    if (!choice.ok) return { kind: 'retry', reason: choice.reason };

    const orderId = ids.orderId();
    if (!(await reserve(choice.vehicle, job, orderId))) return { kind: 'retry', reason: `vehicle ${choice.vehicle.id} was taken` };

    try {
      const assigned = await moveJob(deps, jobId, (j) => (j.status === 'QUEUED' ? { to: 'ASSIGNED', patch: { vehicleId: choice.vehicle.id, orderId } } : undefined));
      if (!assigned) {
        await releaseVehicle(deps, choice.vehicle.id, jobId);
        return { kind: 'skipped', reason: 'job changed while assigning' };
      }
      const plan = await routes.planRoute(choice.vehicle.profile, [choice.vehicle.position!, job.pickup, job.dropoff]);
      const order = buildOrder(assigned.job, choice.vehicle, orderId, plan);
      await vehicles.saveOrder(order);
      await commands.sendOrder(order);
      log.info({ jobId, vehicleId: choice.vehicle.id, orderId, durationS: Math.round(plan.durationS) }, 'order sent');
      return { kind: 'dispatched', vehicleId: choice.vehicle.id };
    } catch (err) {
      // Give the vehicle back and the job back to the queue; the reason stays on the job.
      await releaseVehicle(deps, choice.vehicle.id, jobId);
      const reason = isKeraError(err) ? err.message : 'dispatch failed';
      await moveJob(deps, jobId, (j) => (j.status === 'ASSIGNED' ? { to: 'QUEUED', patch: { reason } } : undefined));
      if (isKeraError(err)) return { kind: 'retry', reason };
      throw err;
    }
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
