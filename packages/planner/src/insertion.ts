/**
 * Cheapest feasible insertion of one job into a plan, checked in O(1) per position for a single stop
 * and O(route) per pickup position for a pickup-and-delivery pair. "Blinks" skip a position at random,
 * which SISR uses to diversify the greedy rebuild.
 */
import type { Instance } from './instance.js';
import type { Random } from './random.js';
import type { RouteState, Solution } from './solution.js';

export interface Insertion {
  cost: number;
  vehicle: number;
  /** Insert the pickup after this position (−1: the job has no pickup to insert). */
  pickupAfter: number;
  /** Insert the delivery after this position (positions of the route before the insertion). */
  deliveryAfter: number;
}

export const noInsertion = (): Insertion => ({ cost: Infinity, vehicle: -1, pickupAfter: -1, deliveryAfter: -1 });

let classSeen = new Int32Array(0);
let emptyStamp = 0;

export function findBestInsertion(sol: Solution, job: number, rng: Random, blinkRate: number, out: Insertion): Insertion {
  const inst = sol.inst;
  out.cost = Infinity;
  out.vehicle = -1;
  const allowed = inst.allowed[job];
  const withPickup = inst.hasPickup[job] === 1 && (sol.routeOf[2 * job] as number) < 0;
  const pinned = inst.locked[2 * job] ? (sol.routeOf[2 * job] as number) : -1;
  // Interchangeable empty vehicles are tried once: the first of each class stands for all.
  let stamp = ++emptyStamp;
  if (classSeen.length < 2 * inst.vehicles || stamp > 2e9) {
    classSeen = new Int32Array(2 * inst.vehicles);
    stamp = emptyStamp = 1;
  }
  for (let v = 0; v < inst.vehicles; v++) {
    if (allowed && !allowed[v]) continue;
    if (pinned >= 0 && v !== pinned) continue;
    const r = sol.routes[v] as RouteState;
    if (r.size === 0) {
      const cls = inst.vehicleClass[v] as number;
      if (classSeen[cls] === stamp) continue;
      classSeen[cls] = stamp;
    }
    if (withPickup) insertPair(inst, r, job, rng, blinkRate, out);
    else insertSingle(inst, r, 2 * job + 1, rng, blinkRate, out);
  }
  return out;
}

function insertSingle(inst: Instance, r: RouteState, u: number, rng: Random, blinkRate: number, out: Insertion): void {
  const v = r.vehicle;
  const profile = inst.profileOf[v] as number;
  const dur = inst.dur[profile] as Float64Array;
  const cost = inst.cost[profile] as Float64Array;
  const { loc, service } = inst;
  const N = inst.locations + 1;
  const s0 = inst.startLoad[u] as number;
  const lu = inst.loc[u] as number;
  const luN = lu * N;
  const late = inst.late[u] as number;
  const early = inst.early[u] as number;
  const serviceU = inst.service[u] as number;
  const { node, es, ls } = r;
  const opening = r.size === 0 ? (inst.fixedCost[v] as number) : 0;
  // Cheapest checks first: the cost bound rejects most positions before any window or load check.
  for (let p = r.fixedCount; p <= r.size; p++) {
    const a = node[p] as number;
    const ready = (es[p] as number) + (service[a] as number);
    if (ready > late) break;
    const la = (loc[a] as number) * N;
    const lb = loc[node[p + 1] as number] as number;
    const delta = (cost[la + lu] as number) + (cost[luN + lb] as number) - (cost[la + lb] as number) + opening;
    if (delta >= out.cost) continue;
    const arrive = ready + (dur[la + lu] as number);
    if (arrive > late) continue;
    const leave = Math.max(arrive, early) + serviceU;
    if (leave + (dur[luN + lb] as number) > (ls[p + 1] as number)) continue;
    if (!fitsSingle(inst, r, u, p, s0, la, lu, lb)) continue;
    // A blink skips a position that would have won; drawing only here keeps the same odds for less work.
    if (blinkRate > 0 && rng.next() < blinkRate) continue;
    out.cost = delta;
    out.vehicle = v;
    out.pickupAfter = -1;
    out.deliveryAfter = p;
  }
}

/** Load along the route and range with stop u after position p. */
function fitsSingle(inst: Instance, r: RouteState, u: number, p: number, s0: number, la: number, lu: number, lb: number): boolean {
  const v = r.vehicle;
  const Q = inst.capacity[v] as number;
  const dl = inst.delta[u] as number;
  if ((r.maxF[p] as number) + s0 > Q || (r.cum[p] as number) + s0 + dl > Q || (r.maxB[p + 1] as number) + s0 + dl > Q) return false;
  const maxDist = inst.maxDistance[v] as number;
  if (maxDist === Infinity) return true;
  const dist = inst.dist[inst.profileOf[v] as number] as Float64Array;
  const N = inst.locations + 1;
  return r.distance + (dist[la + lu] as number) + (dist[lu * N + lb] as number) - (dist[la + lb] as number) <= maxDist;
}

function insertPair(inst: Instance, r: RouteState, job: number, rng: Random, blinkRate: number, out: Insertion): void {
  const v = r.vehicle;
  const profile = inst.profileOf[v] as number;
  const dur = inst.dur[profile] as Float64Array;
  const cost = inst.cost[profile] as Float64Array;
  const N = inst.locations + 1;
  const Q = inst.capacity[v] as number;
  const P = 2 * job;
  const q = inst.delta[P] as number;
  const lp = inst.loc[P] as number;
  const { node, es, cum } = r;
  const opening = r.size === 0 ? (inst.fixedCost[v] as number) : 0;
  for (let i = r.fixedCount; i <= r.size; i++) {
    const a = node[i] as number;
    const ready = (es[i] as number) + (inst.service[a] as number);
    if (ready > (inst.late[P] as number)) break;
    if ((cum[i] as number) + q > Q) continue;
    const la = (inst.loc[a] as number) * N;
    const b = node[i + 1] as number;
    const pickupCost = (cost[la + lp] as number) + (cost[lp * N + (inst.loc[b] as number)] as number) - (cost[la + (inst.loc[b] as number)] as number) + opening;
    if (pickupCost >= out.cost) continue;
    if (blinkRate > 0 && rng.next() < blinkRate) continue;
    const arrive = ready + (dur[la + lp] as number);
    if (arrive > (inst.late[P] as number)) continue;
    const leave = Math.max(arrive, inst.early[P] as number) + (inst.service[P] as number);
    placeDelivery(inst, r, job, i, leave, pickupCost, out);
  }
}

/** Walks forward from the pickup, carrying its load and the shifted times, trying each delivery slot. */
function placeDelivery(inst: Instance, r: RouteState, job: number, i: number, leaveP: number, pickupCost: number, out: Insertion): void {
  const v = r.vehicle;
  const profile = inst.profileOf[v] as number;
  const dur = inst.dur[profile] as Float64Array;
  const dist = inst.dist[profile] as Float64Array;
  const cost = inst.cost[profile] as Float64Array;
  const N = inst.locations + 1;
  const Q = inst.capacity[v] as number;
  const maxDist = inst.maxDistance[v] as number;
  const D = 2 * job + 1;
  const q = inst.delta[D - 1] as number;
  const ld = inst.loc[D] as number;
  const lateD = inst.late[D] as number;
  const { node, ls, cum } = r;
  // Past the pickup the removed arc starts at the pickup itself (k = i) or at the route's stop k.
  let base = inst.loc[D - 1] as number;
  let leave = leaveP;
  const extraDist = maxDist === Infinity ? 0 : detour(inst, dist, node, i, base, N);
  for (let k = i; k <= r.size; k++) {
    if (k > i) {
      const s = node[k] as number;
      const locS = inst.loc[s] as number;
      const arrive = leave + (dur[base * N + locS] as number);
      if (arrive > (inst.late[s] as number) || (cum[k] as number) + q > Q) return;
      leave = Math.max(arrive, inst.early[s] as number) + (inst.service[s] as number);
      base = locS;
    }
    const ln = inst.loc[node[k + 1] as number] as number;
    const arriveD = leave + (dur[base * N + ld] as number);
    if (arriveD > lateD) return;
    const delta = pickupCost + (cost[base * N + ld] as number) + (cost[ld * N + ln] as number) - (cost[base * N + ln] as number);
    if (delta >= out.cost) continue;
    const leaveD = Math.max(arriveD, inst.early[D] as number) + (inst.service[D] as number);
    if (leaveD + (dur[ld * N + ln] as number) > (ls[k + 1] as number)) continue;
    if (maxDist !== Infinity && r.distance + extraDist + (dist[base * N + ld] as number) + (dist[ld * N + ln] as number) - (dist[base * N + ln] as number) > maxDist) continue;
    out.cost = delta;
    out.vehicle = v;
    out.pickupAfter = i;
    out.deliveryAfter = k;
  }
}

/** Extra length (in the given matrix) of putting location `lu` between positions i and i+1. */
function detour(inst: Instance, m: Float64Array, node: Int32Array, i: number, lu: number, N: number): number {
  const la = inst.loc[node[i] as number] as number;
  const lb = inst.loc[node[i + 1] as number] as number;
  return (m[la * N + lu] as number) + (m[lu * N + lb] as number) - (m[la * N + lb] as number);
}

/** Applies an insertion found by `findBestInsertion`. */
export function applyInsertion(sol: Solution, job: number, ins: Insertion): void {
  const r = sol.routes[ins.vehicle] as RouteState;
  const D = 2 * job + 1;
  sol.touch(ins.vehicle);
  if (ins.pickupAfter >= 0) {
    r.stops.splice(ins.deliveryAfter, 0, D);
    r.stops.splice(ins.pickupAfter, 0, D - 1);
  } else {
    r.stops.splice(ins.deliveryAfter, 0, D);
  }
  sol.unassigned--;
  sol.rebuild(ins.vehicle);
}
