import type { Plan } from '../model.js';

/** A VRPTW plan as the .sol files write it: customers by node index (job k is node k + 1). */
export const routesOf = (plan: Plan): number[][] =>
  plan.routes.map((r) => r.stops.map((s) => s.job + 1));
