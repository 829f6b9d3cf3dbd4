/** Rejects a malformed problem before any search, naming the offending job, vehicle or field. */
import { InvalidProblemError, type PlanProblem, type StopSpec, type VehicleSpec } from './model.js';

export function validateProblem(problem: PlanProblem): void {
  const problems: string[] = [];
  const L = problem.locations;
  if (!Number.isInteger(L) || L < 1) problems.push(`locations must be a positive integer, got ${L}`);
  if (problem.profiles.length === 0) problems.push('at least one travel profile is required');
  problem.profiles.forEach((p, i) => {
    if (p.durations.length !== L * L) problems.push(`profiles[${i}].durations has ${p.durations.length} entries, expected ${L * L}`);
    if (p.distances && p.distances.length !== L * L) problems.push(`profiles[${i}].distances has ${p.distances.length} entries, expected ${L * L}`);
  });
  const isLocation = (x: number): boolean => Number.isInteger(x) && x >= 0 && x < L;
  problem.jobs.forEach((job, j) => {
    const name = `jobs[${j}] (${job.id})`;
    checkStop(problems, `${name}.delivery`, job.delivery, isLocation);
    if (job.pickup) checkStop(problems, `${name}.pickup`, job.pickup, isLocation);
    if (!(job.demand === undefined || (Number.isFinite(job.demand) && job.demand >= 0))) problems.push(`${name}.demand must be a number ≥ 0`);
    for (const v of job.vehicles ?? []) {
      if (!Number.isInteger(v) || v < 0 || v >= problem.vehicles.length) problems.push(`${name}.vehicles names no vehicle: ${v}`);
    }
  });
  problem.vehicles.forEach((v, i) => checkVehicle(problems, problem, v, i, isLocation));
  checkFixedStops(problems, problem);
  if (problems.length > 0) throw new InvalidProblemError(`invalid plan problem: ${problems.join('; ')}`);
}

function checkStop(problems: string[], name: string, stop: StopSpec, isLocation: (x: number) => boolean): void {
  if (!isLocation(stop.location)) problems.push(`${name}.location is not a location index: ${stop.location}`);
  if ((stop.serviceTime ?? 0) < 0) problems.push(`${name}.serviceTime must be ≥ 0`);
  if ((stop.earliest ?? -Infinity) > (stop.latest ?? Infinity)) problems.push(`${name} window closes before it opens`);
}

function checkVehicle(problems: string[], problem: PlanProblem, v: VehicleSpec, i: number, isLocation: (x: number) => boolean): void {
  const name = `vehicles[${i}] (${v.id})`;
  if (!isLocation(v.start)) problems.push(`${name}.start is not a location index: ${v.start}`);
  if (v.end !== undefined && !isLocation(v.end)) problems.push(`${name}.end is not a location index: ${v.end}`);
  const profile = v.profile ?? 0;
  if (!Number.isInteger(profile) || profile < 0 || profile >= problem.profiles.length) problems.push(`${name}.profile names no profile: ${profile}`);
  if (!(v.capacity >= 0)) problems.push(`${name}.capacity must be ≥ 0`);
  if ((v.maxDuration ?? 0) < 0 || (v.maxDistance ?? 0) < 0) problems.push(`${name} limits must be ≥ 0`);
}

/** A released stop belongs to one vehicle, once, pickup before delivery, both on the same vehicle. */
function checkFixedStops(problems: string[], problem: PlanProblem): void {
  const owner = new Map<string, number>();
  problem.vehicles.forEach((v, i) => {
    (v.fixed ?? []).forEach((f, k) => {
      const job = problem.jobs[f.job];
      const name = `vehicles[${i}].fixed[${k}]`;
      if (!job) return void problems.push(`${name} names no job: ${f.job}`);
      if (f.kind === 'pickup' && !job.pickup) problems.push(`${name}: job ${job.id} has no pickup`);
      const key = `${f.job}:${f.kind}`;
      if (owner.has(key)) problems.push(`${name}: ${f.kind} of job ${job.id} is released twice`);
      owner.set(key, i);
      if (f.kind === 'delivery' && job.pickup && owner.get(`${f.job}:pickup`) !== i) {
        problems.push(`${name}: delivery of job ${job.id} is released before its pickup on this vehicle`);
      }
    });
  });
  for (const [key, vehicle] of owner) {
    const [j] = key.split(':');
    const job = problem.jobs[Number(j)];
    if (job?.vehicles && !job.vehicles.includes(vehicle)) problems.push(`job ${job.id} is released to vehicle ${vehicle} it may not use`);
  }
}
