/**
 * An independent feasibility check of a VRPTW solution against the instance file's data (not the
 * solver's compiled model): every customer exactly once, capacity, time windows, depot horizon, fleet size.
 */
import { dimacsDistance, SCALE } from './convert.js';
import type { VrplibInstance } from './parse.js';

export interface VrptwCheck {
  readonly feasible: boolean;
  readonly errors: readonly string[];
  /** Total DIMACS distance, one decimal. */
  readonly distance: number;
}

export function checkVrptwSolution(inst: VrplibInstance, routes: readonly (readonly number[])[]): VrptwCheck {
  const errors: string[] = [];
  const seen = new Uint8Array(inst.dimension);
  let tenths = 0;
  if (routes.length > inst.vehicles) errors.push(`${routes.length} routes but only ${inst.vehicles} vehicles`);
  routes.forEach((route, r) => {
    if (route.length === 0) errors.push(`route ${r + 1} is empty`);
    for (const c of route) {
      if (!Number.isInteger(c) || c < 1 || c >= inst.dimension) errors.push(`route ${r + 1}: ${c} is not a customer`);
      else if (seen[c]) errors.push(`customer ${c} is visited twice`);
      else seen[c] = 1;
    }
    tenths += checkRoute(inst, route, r, errors);
  });
  for (let c = 1; c < inst.dimension; c++) if (!seen[c]) errors.push(`customer ${c} is not visited`);
  return { feasible: errors.length === 0, errors, distance: tenths / SCALE };
}

/** Walks one route in tenths (exact integers); returns its distance in tenths. */
function checkRoute(inst: VrplibInstance, route: readonly number[], r: number, errors: string[]): number {
  const t = (x: number | undefined): number => Math.round((x ?? 0) * SCALE);
  let time = t(inst.early[0]);
  let load = 0;
  let distance = 0;
  let at = 0;
  for (const c of [...route, 0]) {
    if (!Number.isInteger(c) || c < 0 || c >= inst.dimension) return distance;
    const d = dimacsDistance(inst, at, c);
    distance += d;
    time = Math.max(time + d, t(inst.early[c]));
    if (time > t(inst.late[c])) errors.push(`route ${r + 1}: ${c === 0 ? 'back at the depot' : `customer ${c} starts`} at ${time / SCALE}, after ${inst.late[c]}`);
    time += c === 0 ? 0 : t(inst.service[c]);
    load += c === 0 ? 0 : (inst.demand[c] as number);
    at = c;
  }
  if (load > inst.capacity) errors.push(`route ${r + 1}: load ${load} exceeds capacity ${inst.capacity}`);
  return distance;
}
