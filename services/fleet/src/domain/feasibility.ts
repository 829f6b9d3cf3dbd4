import type { DispatchRules } from './dispatch.js';
import type { Job, Profile, Vehicle } from './types.js';

/**
 * Whether a job can ever be served, decided at submit, and why a queued job
 * waits. Pure: the caller passes what it read from the stores and the clock.
 */

/** Why no registered vehicle can carry `size`, or undefined when one can (or none is registered yet). */
export function capacityProblem(size: number, profiles: readonly Profile[], largest: ReadonlyMap<Profile, number>): string | undefined {
  const known = profiles.filter((p) => largest.has(p));
  // An empty fleet is not a refusal: vehicles register when they first connect.
  if (known.length === 0) return undefined;
  const best = Math.max(...known.map((p) => largest.get(p)!));
  if (size <= best) return undefined;
  return `size ${size} exceeds the largest capacity of any registered ${known.join('/')} vehicle (${best})`;
}

/** The earliest a delivery can end: leave now (or at earliest pickup) and drive the fastest routable trip. */
export function earliestDelivery(now: Date, earliestPickup: Date | undefined, tripS: ReadonlyMap<Profile, number>): Date | undefined {
  if (tripS.size === 0) return undefined;
  const start = Math.max(now.getTime(), earliestPickup?.getTime() ?? 0);
  return new Date(start + Math.min(...tripS.values()) * 1000);
}

/** Why a job with a latest delivery cannot be served at all, or undefined when it still can. */
export function windowProblem(job: Pick<Job, 'latestDelivery' | 'earliestPickup'>, now: Date, tripS: ReadonlyMap<Profile, number>): string | undefined {
  if (!job.latestDelivery) return undefined;
  const best = earliestDelivery(now, job.earliestPickup, tripS);
  if (!best || best <= job.latestDelivery) return undefined;
  return `latest_delivery ${job.latestDelivery.toISOString()} cannot be met: the earliest possible delivery is ${best.toISOString()}`;
}

/** The dispatch window has not opened yet: the job waits, delayed, until its earliest pickup. */
export const windowNotOpen = (job: Pick<Job, 'earliestPickup'>, now: Date): string | undefined =>
  job.earliestPickup && job.earliestPickup > now ? `window not open yet: earliest pickup at ${job.earliestPickup.toISOString()}` : undefined;

/**
 * Why none of these idle vehicles may take the job, most fundamental first:
 * no idle vehicle of its profile, then battery, then capacity.
 */
export function whyNoVehicle(job: Pick<Job, 'profiles' | 'size'>, idle: readonly Vehicle[], rules: DispatchRules): string {
  const profiles = job.profiles.join('/');
  const ofProfile = idle.filter((v) => job.profiles.includes(v.profile));
  if (ofProfile.length === 0) return `no idle ${profiles} vehicle connected`;
  const charged = ofProfile.filter((v) => v.batteryPct >= rules.minBatteryPct);
  if (charged.length === 0) return `battery: all ${ofProfile.length} idle ${profiles} vehicles are below ${rules.minBatteryPct}%`;
  const bigEnough = charged.filter((v) => v.capacity >= job.size);
  if (bigEnough.length === 0) {
    const largest = Math.max(...charged.map((v) => v.capacity));
    return `capacity: no idle ${profiles} vehicle carries size ${job.size} (largest idle: ${largest})`;
  }
  return `no idle ${profiles} vehicle is free to take it`;
}
