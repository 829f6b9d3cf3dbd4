/**
 * SISR's ruin step (Christiaens & Vanden Berghe 2020): remove a few strings of consecutive stops from
 * routes that are close to a random seed stop, so the rebuild can re-thread neighbouring routes together.
 */
import type { Random } from './random.js';
import type { RouteState, Solution } from './solution.js';

export interface RuinParams {
  /** Average number of jobs removed. */
  readonly averageRemoved: number;
  /** Longest string removed from one route. */
  readonly maxStringLength: number;
  /** Probability of the split-string variant (keeps a substring inside the removed window). */
  readonly splitRate: number;
  /** Probability to stop growing the kept substring at each step. */
  readonly splitDepth: number;
  /** Probability to empty one whole route instead: lets long-route plans lose a vehicle. */
  readonly routeRate: number;
}

export const defaultRuin: RuinParams = { averageRemoved: 20, maxStringLength: 15, splitRate: 0.5, splitDepth: 0.5, routeRate: 0.05 };

/** Detaches the chosen jobs from their routes and returns them (routes are rebuilt). */
export function ruin(sol: Solution, seedJob: number, rng: Random, params: RuinParams): number[] {
  const inst = sol.inst;
  if (seedJob < 0) return [];
  if (rng.next() < params.routeRate) return emptyRoute(sol, sol.routeOf[2 * seedJob + 1] as number);
  const lsMax = Math.min(params.maxStringLength, averageRouteLength(sol));
  const ksMax = (4 * params.averageRemoved) / (1 + lsMax) - 1;
  const ks = Math.floor(rng.next() * ksMax) + 1;
  const ruined = new Set<number>();
  const jobs = new Set<number>();
  const seed = seedStop(sol, seedJob, rng);
  const K = inst.neighbourCount;
  for (let k = -1; k < K && ruined.size < ks; k++) {
    const c = k < 0 ? seed : (inst.neighbours[seed * K + k] as number);
    if (c < 0) break;
    const v = sol.routeOf[c] as number;
    if (v < 0 || inst.locked[c] || ruined.has(v)) continue;
    const r = sol.routes[v] as RouteState;
    const free = r.size - r.fixedCount;
    const length = Math.floor(rng.next() * Math.min(free, lsMax)) + 1;
    const positions = length < free && rng.next() < params.splitRate
      ? splitString(r, sol.posOf[c] as number, length, rng, params.splitDepth)
      : string(r, sol.posOf[c] as number, length, rng);
    for (const p of positions) jobs.add((r.node[p] as number) >> 1);
    ruined.add(v);
  }
  const touched = new Set<number>();
  for (const j of jobs) touched.add(sol.detach(j));
  for (const v of touched) if (v >= 0) sol.rebuild(v);
  return [...jobs];
}

function emptyRoute(sol: Solution, v: number): number[] {
  const r = sol.routes[v] as RouteState;
  const jobs = new Set<number>();
  for (let p = r.fixedCount; p < r.size; p++) jobs.add((r.stops[p] as number) >> 1);
  for (const j of jobs) sol.detach(j);
  sol.rebuild(v);
  return [...jobs];
}

function seedStop(sol: Solution, job: number, rng: Random): number {
  const d = 2 * job + 1;
  const p = 2 * job;
  const pickupMovable = sol.inst.hasPickup[job] && !sol.inst.locked[p];
  return pickupMovable && rng.next() < 0.5 ? p : d;
}

function averageRouteLength(sol: Solution): number {
  let stops = 0;
  let used = 0;
  for (const r of sol.routes) {
    const free = r.size - r.fixedCount;
    if (free > 0) {
      stops += free;
      used++;
    }
  }
  return used === 0 ? 1 : Math.max(1, stops / used);
}

/** Positions of `length` consecutive movable stops that include position `at`. */
function string(r: RouteState, at: number, length: number, rng: Random): number[] {
  const lo = Math.max(r.fixedCount + 1, at - length + 1);
  const hi = Math.min(at, r.size - length + 1);
  const first = lo + rng.below(hi - lo + 1);
  return Array.from({ length }, (_, i) => first + i);
}

/** A window of length + kept stops around `at`, minus `kept` consecutive stops inside it. */
function splitString(r: RouteState, at: number, length: number, rng: Random, depth: number): number[] {
  const free = r.size - r.fixedCount;
  let kept = 1;
  while (length + kept < free && rng.next() > depth) kept++;
  const window = string(r, at, length + kept, rng);
  const keepFrom = 1 + rng.below(length - 1 + 1);
  return window.filter((_, i) => i < keepFrom || i >= keepFrom + kept);
}
