/** Turns the search's stop lists into the plan callers read: times, loads, distances, reasons. */
import type { Instance } from './instance.js';
import type { Plan, PlannedRoute, PlannedStop, UnassignedJob } from './model.js';
import { Solution } from './solution.js';

export function describePlan(inst: Instance, lists: readonly (readonly number[])[], refused: readonly UnassignedJob[], stats: { iterations: number; elapsedMs: number }): Plan {
  const sol = new Solution(inst);
  sol.restore(lists);
  const routes: PlannedRoute[] = [];
  let distance = 0;
  for (const r of sol.routes) {
    if (r.size === 0) continue;
    routes.push(describeRoute(inst, sol, r.vehicle));
    distance += r.distance;
  }
  const refusedJobs = new Set(refused.map((u) => u.job));
  const unassigned = [...refused];
  for (let j = 0; j < inst.jobs; j++) {
    if ((sol.routeOf[2 * j + 1] as number) >= 0 || refusedJobs.has(j)) continue;
    unassigned.push({ job: j, reason: 'no-room', detail: `job ${j}: no vehicle had room for it in the best plan found` });
  }
  unassigned.sort((a, b) => a.job - b.job);
  return { routes, unassigned, cost: sol.cost(), distance, ...stats };
}

function describeRoute(inst: Instance, sol: Solution, v: number): PlannedRoute {
  const r = sol.routes[v];
  if (!r) throw new Error(`no route for vehicle ${v}`);
  const dur = inst.dur[inst.profileOf[v] as number] as Float64Array;
  const N = inst.locations + 1;
  const stops: PlannedStop[] = [];
  let leave = r.es[0] as number;
  let at = inst.loc[r.node[0] as number] as number;
  for (let p = 1; p <= r.size; p++) {
    const s = r.node[p] as number;
    const arrival = leave + (dur[at * N + (inst.loc[s] as number)] as number);
    const start = Math.max(arrival, inst.early[s] as number);
    leave = start + (inst.service[s] as number);
    at = inst.loc[s] as number;
    stops.push({ job: s >> 1, kind: s & 1 ? 'delivery' : 'pickup', location: at, arrival, start, departure: leave, load: r.cum[p] as number });
  }
  const end = inst.loc[r.node[r.size + 1] as number] === inst.locations ? leave : leave + (dur[at * N + (inst.loc[r.node[r.size + 1] as number] as number)] as number);
  return { vehicle: v, stops, distance: r.distance, duration: end - (r.es[0] as number), end };
}
