/**
 * The planner's entry point: compile, set aside jobs no vehicle could serve even alone (with the
 * reason), search the rest, and describe the best plan found.
 */
import { compileProblem, type Instance } from './instance.js';
import { findBestInsertion, noInsertion } from './insertion.js';
import type { Plan, PlanProblem, SolveOptions, UnassignedJob } from './model.js';
import { describePlan } from './plan.js';
import { createRandom } from './random.js';
import { defaultSearch, search, type SearchParams } from './search.js';
import { Solution } from './solution.js';

export function solve(problem: PlanProblem, options: SolveOptions = {}, params: SearchParams = defaultSearch): Plan {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const inst = compileProblem(problem);
  const { servable, refused } = triage(inst, problem);
  const initial = options.initial ? initialLists(inst, options.initial, servable) : undefined;
  const result = search(inst, servable, createRandom(options.seed ?? 1), {
    // The budget covers compiling and triage too: the caller's clock started when it called.
    timeLimitMs: (options.timeLimitMs ?? 1_000) - (now() - started),
    maxIterations: options.maxIterations ?? Infinity,
    now,
    ...(options.onImprovement ? { onImprovement: options.onImprovement } : {}),
  }, params, initial);
  return describePlan(inst, result.best, refused, { iterations: result.iterations, elapsedMs: now() - started });
}

/**
 * A previous plan as stop lists after each vehicle's released prefix, keeping only what is still
 * consistent: servable jobs, allowed vehicles, each job once, pickup and drop-off together in order.
 */
function initialLists(inst: Instance, initial: NonNullable<SolveOptions['initial']>, servable: readonly number[]): number[][] {
  const open = new Set(servable);
  return Array.from({ length: inst.vehicles }, (_, v) => {
    const stops = Array.from(inst.fixed[v] ?? []);
    const seen = new Set<number>(stops);
    for (const { job, kind } of initial[v] ?? []) {
      const s = kind === 'pickup' ? 2 * job : 2 * job + 1;
      const allowed = inst.allowed[job];
      if (!open.has(job) || seen.has(s) || (allowed && !allowed[v]) || (kind === 'pickup' && !inst.hasPickup[job])) continue;
      if (kind === 'delivery' && inst.hasPickup[job] && !seen.has(2 * job)) continue;
      stops.push(s);
      seen.add(s);
    }
    // A pickup whose drop-off did not survive goes back to the pool with it.
    return stops.filter((s) => s & 1 || inst.locked[s] || seen.has(s + 1));
  });
}

/** Jobs that fit no allowed vehicle on their own are refused up front, each with the constraint at fault. */
function triage(inst: Instance, problem: PlanProblem): { servable: number[]; refused: UnassignedJob[] } {
  const alone = new Solution(inst);
  const servable: number[] = [];
  const refused: UnassignedJob[] = [];
  for (let j = 0; j < inst.jobs; j++) {
    if (inst.locked[2 * j + 1]) continue;
    if (fits(alone, j)) servable.push(j);
    else refused.push(explainRefusal(inst, problem, j));
  }
  return { servable, refused };
}

const fits = (sol: Solution, job: number): boolean =>
  findBestInsertion(sol, job, createRandom(0), 0, noInsertion()).vehicle >= 0;

function explainRefusal(inst: Instance, problem: PlanProblem, job: number): UnassignedJob {
  const id = problem.jobs[job]?.id ?? String(job);
  const allowed = inst.allowed[job];
  const vehicles = Array.from({ length: inst.vehicles }, (_, v) => v).filter((v) => !allowed || allowed[v]);
  if (vehicles.length === 0) return { job, reason: 'no-vehicle-allowed', detail: `job ${id}: no vehicle may serve it` };
  const demand = inst.demand[job] as number;
  const largest = Math.max(...vehicles.map((v) => inst.capacity[v] as number));
  if (demand > largest) {
    return { job, reason: 'capacity', detail: `job ${id}: demand ${demand} exceeds the largest allowed capacity ${largest}` };
  }
  const unlimitedRange = { ...inst, maxDistance: new Float64Array(inst.vehicles).fill(Infinity) };
  if (fits(new Solution(unlimitedRange), job)) {
    return { job, reason: 'range', detail: `job ${id}: no allowed vehicle can reach it and return within its range` };
  }
  const unlimitedLoad = { ...unlimitedRange, capacity: new Float64Array(inst.vehicles).fill(Infinity) };
  if (fits(new Solution(unlimitedLoad), job)) {
    return { job, reason: 'capacity', detail: `job ${id}: the load already on board leaves no room for it` };
  }
  return { job, reason: 'time-window', detail: `job ${id}: no allowed vehicle can reach its stops within their time windows and its shift` };
}
