/**
 * The search: SISR ruin-and-recreate under simulated annealing. Each iteration removes strings of
 * nearby stops, reinserts the removed jobs greedily (in one of several orders, with blinks), and accepts
 * the result if it beats the current cost minus T·ln(1/U). The temperature falls geometrically with the
 * progress through the budget: iterations when an iteration limit is set (so runs are reproducible),
 * otherwise wall-clock time.
 */
import type { Instance } from './instance.js';
import { applyInsertion, findBestInsertion, noInsertion } from './insertion.js';
import type { Random } from './random.js';
import { defaultRuin, ruin, type RuinParams } from './ruin.js';
import { Solution } from './solution.js';

export interface SearchParams {
  readonly ruin: RuinParams;
  readonly blinkRate: number;
  /** Start and final temperature as multiples of the initial plan's mean arc cost. */
  readonly startTemperature: number;
  readonly finalTemperature: number;
}

export const defaultSearch: SearchParams = { ruin: defaultRuin, blinkRate: 0.01, startTemperature: 1, finalTemperature: 0.01 };

export interface SearchBudget {
  readonly timeLimitMs: number;
  readonly maxIterations: number;
  readonly now: () => number;
  readonly onImprovement?: (cost: number, iteration: number) => void;
}

export interface SearchResult {
  readonly best: number[][];
  readonly cost: number;
  readonly iterations: number;
}

export function search(inst: Instance, jobs: readonly number[], rng: Random, budget: SearchBudget, params: SearchParams = defaultSearch, initial?: number[][]): SearchResult {
  const started = budget.now();
  const sol = new Solution(inst);
  // Jobs refused before the search count as unassigned but are never offered to it.
  const refused = sol.unassigned - jobs.length;
  if (initial) warmStart(sol, initial);
  const order = new JobOrder(inst, jobs);
  recreate(sol, order.sort(shuffle(unplanned(sol, jobs), rng), rng), rng, 0);
  sol.commit();
  let current = sol.cost();
  let best = sol.snapshot();
  let bestCost = current;
  const t0 = params.startTemperature * meanArcCost(sol);
  const tf = params.finalTemperature * meanArcCost(sol);
  let iteration = 0;
  const limited = Number.isFinite(budget.maxIterations);
  // Nothing movable: the first plan is the only plan, so spend none of the budget.
  const stop = jobs.length === 0 ? 0 : budget.maxIterations;
  while (iteration < stop) {
    const elapsed = budget.now() - started;
    if (elapsed >= budget.timeLimitMs) break;
    const progress = limited ? iteration / budget.maxIterations : elapsed / budget.timeLimitMs;
    const temperature = t0 * Math.pow(tf / t0, progress);
    const removed = ruin(sol, seedJob(sol, jobs, rng), rng, params.ruin);
    const pending = sol.unassigned - refused > removed.length ? unplanned(sol, jobs) : removed;
    recreate(sol, order.sort(pending, rng), rng, params.blinkRate);
    const cost = sol.cost();
    iteration++;
    if (cost < current - temperature * Math.log(rng.next())) {
      sol.commit();
      current = cost;
      if (cost < bestCost - 1e-9) {
        bestCost = cost;
        best = sol.snapshot();
        budget.onImprovement?.(cost, iteration);
      }
    } else {
      sol.rollback();
    }
  }
  return { best, cost: bestCost, iterations: iteration };
}

/** Starts from a previous plan; a route that no longer fits (traffic, new windows) is re-planned from scratch. */
function warmStart(sol: Solution, initial: number[][]): void {
  sol.restore(initial);
  const broken = sol.routes.filter((r) => !sol.feasible(r.vehicle)).map((r) => r.vehicle);
  if (broken.length === 0) return;
  sol.restore(initial.map((stops, v) => (broken.includes(v) ? Array.from(sol.inst.fixed[v] ?? []) : stops)));
}

function recreate(sol: Solution, jobs: readonly number[], rng: Random, blinkRate: number): void {
  const ins = noInsertion();
  for (const j of jobs) {
    if (sol.routeOf[2 * j + 1] as number >= 0) continue;
    findBestInsertion(sol, j, rng, blinkRate, ins);
    if (ins.vehicle >= 0) applyInsertion(sol, j, ins);
  }
}

/** A random planned, movable job (−1 if none): a few random draws, then a scan. */
function seedJob(sol: Solution, jobs: readonly number[], rng: Random): number {
  const movable = (j: number): boolean => (sol.routeOf[2 * j + 1] as number) >= 0 && !sol.inst.locked[2 * j + 1];
  for (let tries = 0; tries < 16; tries++) {
    const j = jobs[rng.below(jobs.length)];
    if (j !== undefined && movable(j)) return j;
  }
  const planned = jobs.filter(movable);
  return planned[rng.below(planned.length)] ?? -1;
}

function unplanned(sol: Solution, jobs: readonly number[]): number[] {
  return jobs.filter((j) => (sol.routeOf[2 * j + 1] as number) < 0);
}

function meanArcCost(sol: Solution): number {
  let cost = 0;
  let arcs = 0;
  for (const r of sol.routes) {
    if (r.size === 0) continue;
    cost += r.cost - (sol.inst.fixedCost[r.vehicle] as number);
    arcs += r.size + 1;
  }
  return arcs === 0 ? 1 : Math.max(1e-6, cost / arcs);
}

function shuffle<T>(items: T[], rng: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const k = rng.below(i + 1);
    const t = items[i] as T;
    items[i] = items[k] as T;
    items[k] = t;
  }
  return items;
}

/** SISR's rebuild orders: random, largest demand, farthest from the depot, closest, tightest window. */
class JobOrder {
  private readonly far: Float64Array;
  private readonly due: Float64Array;
  constructor(private readonly inst: Instance, jobs: readonly number[]) {
    this.far = new Float64Array(inst.jobs);
    this.due = new Float64Array(inst.jobs);
    const depot = inst.loc[2 * inst.jobs] ?? 0;
    const N = inst.locations + 1;
    const cost = inst.cost[0] as Float64Array;
    for (const j of jobs) {
      const first = inst.hasPickup[j] ? 2 * j : 2 * j + 1;
      this.far[j] = cost[depot * N + (inst.loc[first] as number)] as number;
      this.due[j] = inst.late[first] as number;
    }
  }

  sort(jobs: number[], rng: Random): number[] {
    const pick = rng.below(13);
    if (pick < 4) return shuffle(jobs, rng);
    const key = pick < 8 ? (j: number) => -(this.inst.demand[j] as number)
      : pick < 10 ? (j: number) => -(this.far[j] as number)
      : pick < 11 ? (j: number) => this.far[j] as number
      : (j: number) => this.due[j] as number;
    shuffle(jobs, rng);
    return jobs.sort((a, b) => key(a) - key(b));
  }
}
