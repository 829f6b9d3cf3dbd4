/**
 * The problem compiled to typed arrays for the search's hot loops. Every place a vehicle can be is a
 * "stop": job j has pickup stop 2j (unused when the job has none) and delivery stop 2j+1; vehicle v has
 * start stop 2J+2v and end stop 2J+2v+1, so route ends need no special cases. An open route ends at
 * an extra location ("nowhere") that is zero away from everything.
 */
import type { PlanProblem } from './model.js';
import { validateProblem } from './validate.js';

export interface Instance {
  readonly jobs: number;
  readonly vehicles: number;
  readonly locations: number;
  readonly stops: number;
  readonly loc: Int32Array;
  readonly early: Float64Array;
  readonly late: Float64Array;
  readonly service: Float64Array;
  /** Load change at the stop (+demand at a pickup, −demand at a delivery). */
  readonly delta: Float64Array;
  /** Load a delivery-only job puts on the vehicle from the route start. */
  readonly startLoad: Float64Array;
  readonly hasPickup: Uint8Array;
  readonly demand: Float64Array;
  readonly allowed: readonly (Uint8Array | null)[];
  readonly locked: Uint8Array;
  readonly profileOf: Int32Array;
  readonly capacity: Float64Array;
  readonly maxDistance: Float64Array;
  readonly fixedCost: Float64Array;
  /** Vehicles with equal class are interchangeable while empty. */
  readonly vehicleClass: Int32Array;
  readonly fixed: readonly Int32Array[];
  readonly dur: readonly Float64Array[];
  readonly dist: readonly Float64Array[];
  readonly cost: readonly Float64Array[];
  readonly unassignedCost: number;
  /** Job stops ordered by closeness, `neighbourCount` per stop. */
  readonly neighbours: Int32Array;
  readonly neighbourCount: number;
}

export const pickupOf = (job: number): number => 2 * job;
export const deliveryOf = (job: number): number => 2 * job + 1;
export const jobOf = (stop: number): number => stop >> 1;

const MAX_NEIGHBOURS = 100;

export function compileProblem(problem: PlanProblem): Instance {
  validateProblem(problem);
  const J = problem.jobs.length;
  const V = problem.vehicles.length;
  const L = problem.locations;
  const S = 2 * J + 2 * V;
  const a = {
    loc: new Int32Array(S), early: new Float64Array(S).fill(-Infinity), late: new Float64Array(S).fill(Infinity),
    service: new Float64Array(S), delta: new Float64Array(S), startLoad: new Float64Array(S),
  };
  const hasPickup = new Uint8Array(J);
  const demand = new Float64Array(J);
  problem.jobs.forEach((job, j) => {
    const q = job.demand ?? 0;
    demand[j] = q;
    hasPickup[j] = job.pickup ? 1 : 0;
    setStop(a, 2 * j + 1, job.delivery);
    a.delta[2 * j + 1] = -q;
    if (job.pickup) {
      setStop(a, 2 * j, job.pickup);
      a.delta[2 * j] = q;
    } else {
      a.startLoad[2 * j + 1] = q;
    }
  });
  problem.vehicles.forEach((v, i) => {
    const start = 2 * J + 2 * i;
    const from = v.availableAt ?? 0;
    setStop(a, start, { location: v.start, earliest: from, latest: from });
    const byDuration = v.maxDuration === undefined ? Infinity : from + v.maxDuration;
    setStop(a, start + 1, { location: v.end ?? L, earliest: from, latest: Math.min(v.latestEnd ?? Infinity, byDuration) });
  });
  const matrices = compileProfiles(problem);
  return {
    jobs: J, vehicles: V, locations: L, stops: S, ...a, hasPickup, demand,
    allowed: compileAllowed(problem),
    locked: compileLocked(problem, S),
    profileOf: Int32Array.from(problem.vehicles, (v) => v.profile ?? 0),
    capacity: Float64Array.from(problem.vehicles, (v) => v.capacity),
    maxDistance: Float64Array.from(problem.vehicles, (v) => v.maxDistance ?? Infinity),
    fixedCost: Float64Array.from(problem.vehicles, (v) => v.fixedCost ?? 0),
    vehicleClass: compileClasses(problem),
    fixed: problem.vehicles.map((v) => Int32Array.from(v.fixed ?? [], (f) => (f.kind === 'pickup' ? 2 * f.job : 2 * f.job + 1))),
    ...matrices,
    unassignedCost: problem.objective?.unassigned ?? defaultUnassignedCost(matrices.cost, L),
    ...compileNeighbours(problem, a.loc, matrices.cost[0] ?? new Float64Array(0), L + 1),
  };
}

type StopArrays = { loc: Int32Array; early: Float64Array; late: Float64Array; service: Float64Array };

function setStop(a: StopArrays, s: number, stop: { location: number; serviceTime?: number; earliest?: number; latest?: number }): void {
  a.loc[s] = stop.location;
  a.service[s] = stop.serviceTime ?? 0;
  a.early[s] = stop.earliest ?? -Infinity;
  a.late[s] = stop.latest ?? Infinity;
}

/** Matrices grown by one row and column for "nowhere"; cost = weighted distance + duration. */
function compileProfiles(problem: PlanProblem): { dur: Float64Array[]; dist: Float64Array[]; cost: Float64Array[] } {
  const L = problem.locations;
  const N = L + 1;
  const wDist = problem.objective?.distance ?? 1;
  const wDur = problem.objective?.duration ?? 0;
  const dur: Float64Array[] = [];
  const dist: Float64Array[] = [];
  const cost: Float64Array[] = [];
  for (const profile of problem.profiles) {
    const d = new Float64Array(N * N);
    const m = new Float64Array(N * N);
    const distances = profile.distances ?? profile.durations;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        d[i * N + j] = profile.durations[i * L + j] ?? 0;
        m[i * N + j] = distances[i * L + j] ?? 0;
      }
    }
    const c = new Float64Array(N * N);
    for (let k = 0; k < N * N; k++) {
      // PlanMatrix marks "no route" with −1: such an arc can never be driven.
      const open = (d[k] as number) >= 0 && (m[k] as number) >= 0 && Number.isFinite(d[k]) && Number.isFinite(m[k]);
      if (!open) d[k] = m[k] = Infinity;
      c[k] = open ? wDist * (m[k] as number) + wDur * (d[k] as number) : Infinity;
    }
    dur.push(d);
    dist.push(m);
    cost.push(c);
  }
  return { dur, dist, cost };
}

function defaultUnassignedCost(cost: readonly Float64Array[], L: number): number {
  let max = 0;
  for (const c of cost) {
    for (let k = 0; k < c.length; k++) if (Number.isFinite(c[k])) max = Math.max(max, c[k] as number);
  }
  return 1e3 + 4 * (L + 1) * max;
}

function compileAllowed(problem: PlanProblem): (Uint8Array | null)[] {
  const V = problem.vehicles.length;
  const pinned = new Map<number, number>();
  problem.vehicles.forEach((v, i) => v.fixed?.forEach((f) => pinned.set(f.job, i)));
  return problem.jobs.map((job, j) => {
    const only = pinned.get(j);
    if (only === undefined && !job.vehicles) return null;
    const mask = new Uint8Array(V);
    if (only !== undefined) mask[only] = 1;
    else for (const v of job.vehicles ?? []) mask[v] = 1;
    return mask;
  });
}

function compileLocked(problem: PlanProblem, S: number): Uint8Array {
  const locked = new Uint8Array(S);
  for (const v of problem.vehicles) for (const f of v.fixed ?? []) locked[f.kind === 'pickup' ? 2 * f.job : 2 * f.job + 1] = 1;
  return locked;
}

function compileClasses(problem: PlanProblem): Int32Array {
  const keys = new Map<string, number>();
  // Class ids stay below 2 × vehicles: shared ids from 0, vehicles with released stops alone from V.
  return Int32Array.from(problem.vehicles, (v, i) => {
    if (v.fixed && v.fixed.length > 0) return problem.vehicles.length + i;
    const key = [v.start, v.end, v.profile ?? 0, v.capacity, v.availableAt, v.latestEnd, v.maxDuration, v.maxDistance, v.fixedCost].join('|');
    if (!keys.has(key)) keys.set(key, keys.size);
    return keys.get(key) ?? 0;
  });
}

function compileNeighbours(problem: PlanProblem, loc: Int32Array, cost: Float64Array, N: number): { neighbours: Int32Array; neighbourCount: number } {
  const J = problem.jobs.length;
  const live: number[] = [];
  problem.jobs.forEach((job, j) => {
    if (job.pickup) live.push(2 * j);
    live.push(2 * j + 1);
  });
  const K = Math.min(MAX_NEIGHBOURS, Math.max(0, live.length - 1));
  const neighbours = new Int32Array(2 * J * K).fill(-1);
  const gap = (s: number, t: number): number => (cost[(loc[s] ?? 0) * N + (loc[t] ?? 0)] ?? 0) + (cost[(loc[t] ?? 0) * N + (loc[s] ?? 0)] ?? 0);
  for (const s of live) {
    const others = live.filter((t) => t !== s).sort((x, y) => gap(s, x) - gap(s, y) || x - y);
    for (let k = 0; k < K; k++) neighbours[s * K + k] = others[k] ?? -1;
  }
  return { neighbours, neighbourCount: K };
}
