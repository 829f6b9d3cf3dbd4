/**
 * VRPLIB CVRPTW → PlanProblem under the DIMACS convention: Euclidean distances truncated to one decimal,
 * travel time = distance. Everything is scaled by 10 so the search works on exact integers.
 */
import type { PlanProblem } from '../model.js';
import type { VrplibInstance } from './parse.js';

export const SCALE = 10;

/** DIMACS distance in tenths: ⌊10·euclid⌋. */
export function dimacsDistance(inst: VrplibInstance, i: number, j: number): number {
  const dx = (inst.x[i] as number) - (inst.x[j] as number);
  const dy = (inst.y[i] as number) - (inst.y[j] as number);
  return Math.floor(SCALE * Math.sqrt(dx * dx + dy * dy) + 1e-9);
}

export function vrptwProblem(inst: VrplibInstance): PlanProblem {
  const n = inst.dimension;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) matrix[i * n + j] = dimacsDistance(inst, i, j);
  const tenths = (x: number): number => Math.round(x * SCALE);
  return {
    locations: n,
    profiles: [{ durations: matrix }],
    vehicles: Array.from({ length: inst.vehicles }, (_, v) => ({
      id: `v${v + 1}`, start: 0, end: 0, capacity: inst.capacity,
      availableAt: tenths(inst.early[0] as number), latestEnd: tenths(inst.late[0] as number),
    })),
    jobs: Array.from({ length: n - 1 }, (_, k) => ({
      id: String(k + 1),
      demand: inst.demand[k + 1] as number,
      delivery: { location: k + 1, serviceTime: tenths(inst.service[k + 1] as number), earliest: tenths(inst.early[k + 1] as number), latest: tenths(inst.late[k + 1] as number) },
    })),
  };
}
