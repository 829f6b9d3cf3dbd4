/**
 * A mutable plan with, per route, the forward and backward data that make every insertion check O(1):
 * earliest service start (`es`), latest service start that keeps the rest feasible (`ls`), load after
 * each stop and its running maxima both ways, and distance so far. Position 0 is the vehicle's start
 * stop, position m+1 its end stop; positions 1..fixedCount are released stops that never move.
 */
import type { Instance } from './instance.js';

export class RouteState {
  stops: number[] = [];
  size = 0;
  node = new Int32Array(8);
  es = new Float64Array(8);
  ls = new Float64Array(8);
  cum = new Float64Array(8);
  maxF = new Float64Array(8);
  maxB = new Float64Array(8);
  fdist = new Float64Array(8);
  cost = 0;
  distance = 0;
  constructor(readonly vehicle: number, readonly fixedCount: number) {}

  ensure(n: number): void {
    if (this.node.length >= n) return;
    let cap = this.node.length;
    while (cap < n) cap *= 2;
    this.node = new Int32Array(cap);
    this.es = new Float64Array(cap);
    this.ls = new Float64Array(cap);
    this.cum = new Float64Array(cap);
    this.maxF = new Float64Array(cap);
    this.maxB = new Float64Array(cap);
    this.fdist = new Float64Array(cap);
  }
}

export class Solution {
  readonly routes: RouteState[];
  /** Route index of each stop, −1 when not planned. */
  readonly routeOf: Int32Array;
  readonly posOf: Int32Array;
  unassigned = 0;
  /** Stop lists of the routes changed since the last `commit`, to undo a rejected move. */
  private readonly saved = new Map<number, number[]>();
  private savedUnassigned = 0;

  constructor(readonly inst: Instance) {
    this.routes = inst.fixed.map((f, v) => new RouteState(v, f.length));
    this.routeOf = new Int32Array(inst.stops).fill(-1);
    this.posOf = new Int32Array(inst.stops).fill(-1);
    this.unassigned = inst.jobs - countLockedJobs(inst);
    this.routes.forEach((r, v) => {
      r.stops = Array.from(inst.fixed[v] ?? []);
      this.rebuild(v);
    });
  }

  cost(): number {
    let total = this.unassigned * this.inst.unassignedCost;
    for (const r of this.routes) total += r.cost;
    return total;
  }

  /** Recomputes a route's data after its stop list changed. */
  rebuild(v: number): void {
    const inst = this.inst;
    const r = this.routes[v] as RouteState;
    const m = r.stops.length;
    r.ensure(m + 2);
    const node = r.node;
    const start = 2 * inst.jobs + 2 * v;
    node[0] = start;
    let load = 0;
    for (let p = 0; p < m; p++) {
      const s = r.stops[p] as number;
      node[p + 1] = s;
      load += inst.startLoad[s] as number;
      this.routeOf[s] = v;
      this.posOf[s] = p + 1;
    }
    node[m + 1] = start + 1;
    r.size = m;
    this.forward(r, load);
    this.backward(r);
  }

  private forward(r: RouteState, startLoad: number): void {
    const inst = this.inst;
    const profile = inst.profileOf[r.vehicle] as number;
    const dur = inst.dur[profile] as Float64Array;
    const dist = inst.dist[profile] as Float64Array;
    const cost = inst.cost[profile] as Float64Array;
    const N = inst.locations + 1;
    const { node, es, cum, maxF, fdist } = r;
    const first = node[0] as number;
    es[0] = inst.early[first] as number;
    cum[0] = startLoad;
    maxF[0] = startLoad;
    fdist[0] = 0;
    let c = 0;
    for (let p = 1; p <= r.size + 1; p++) {
      const a = node[p - 1] as number;
      const b = node[p] as number;
      const arc = (inst.loc[a] as number) * N + (inst.loc[b] as number);
      es[p] = Math.max(inst.early[b] as number, (es[p - 1] as number) + (inst.service[a] as number) + (dur[arc] as number));
      cum[p] = (cum[p - 1] as number) + (inst.delta[b] as number);
      maxF[p] = Math.max(maxF[p - 1] as number, cum[p] as number);
      fdist[p] = (fdist[p - 1] as number) + (dist[arc] as number);
      c += cost[arc] as number;
    }
    r.distance = fdist[r.size + 1] as number;
    r.cost = r.size > 0 ? c + (inst.fixedCost[r.vehicle] as number) : 0;
  }

  private backward(r: RouteState): void {
    const inst = this.inst;
    const dur = inst.dur[inst.profileOf[r.vehicle] as number] as Float64Array;
    const N = inst.locations + 1;
    const { node, ls, cum, maxB } = r;
    const last = r.size + 1;
    ls[last] = inst.late[node[last] as number] as number;
    maxB[last] = cum[last] as number;
    for (let p = last - 1; p >= 0; p--) {
      const a = node[p] as number;
      const b = node[p + 1] as number;
      const arc = (inst.loc[a] as number) * N + (inst.loc[b] as number);
      ls[p] = Math.min(inst.late[a] as number, (ls[p + 1] as number) - (dur[arc] as number) - (inst.service[a] as number));
      maxB[p] = Math.max(cum[p] as number, maxB[p + 1] as number);
    }
  }

  /** Call before changing route v's stop list; remembers it for `rollback`. */
  touch(v: number): void {
    if (this.saved.size === 0) this.savedUnassigned = this.unassigned;
    if (!this.saved.has(v)) this.saved.set(v, (this.routes[v] as RouteState).stops.slice());
  }

  commit(): void {
    this.saved.clear();
  }

  rollback(): void {
    if (this.saved.size === 0) return;
    for (const v of this.saved.keys()) for (const s of (this.routes[v] as RouteState).stops) this.routeOf[s] = -1;
    for (const [v, stops] of this.saved) {
      (this.routes[v] as RouteState).stops = stops;
      this.rebuild(v);
    }
    this.unassigned = this.savedUnassigned;
    this.saved.clear();
  }

  /** Takes a job's unreleased stops out of its route (the caller rebuilds the route). */
  detach(job: number): number {
    const v = this.routeOf[2 * job + 1] as number;
    if (v < 0 || this.inst.locked[2 * job + 1]) return -1;
    const r = this.routes[v] as RouteState;
    this.touch(v);
    this.unplan(r, 2 * job);
    this.unplan(r, 2 * job + 1);
    this.unassigned++;
    return v;
  }

  private unplan(r: RouteState, s: number): void {
    if (this.routeOf[s] !== r.vehicle || this.inst.locked[s]) return;
    r.stops.splice(r.stops.indexOf(s), 1);
    this.routeOf[s] = -1;
    this.posOf[s] = -1;
  }

  /** Whether route v keeps every window, its capacity and its range (after `rebuild`). */
  feasible(v: number): boolean {
    const inst = this.inst;
    const r = this.routes[v] as RouteState;
    for (let p = 1; p <= r.size + 1; p++) if ((r.es[p] as number) > (inst.late[r.node[p] as number] as number)) return false;
    return (r.maxF[r.size + 1] as number) <= (inst.capacity[v] as number) && r.distance <= (inst.maxDistance[v] as number);
  }

  /** Stop lists only: enough to restore a plan later with `restore`. */
  snapshot(): number[][] {
    return this.routes.map((r) => r.stops.slice());
  }

  restore(lists: readonly (readonly number[])[]): void {
    this.routeOf.fill(-1);
    this.posOf.fill(-1);
    let planned = 0;
    lists.forEach((stops, v) => {
      const r = this.routes[v] as RouteState;
      r.stops = stops.slice();
      for (const s of stops) if (s & 1 && !this.inst.locked[s]) planned++;
      this.rebuild(v);
    });
    const lockedJobs = countLockedJobs(this.inst);
    this.unassigned = this.inst.jobs - planned - lockedJobs;
  }
}

/** Jobs whose delivery is released: they are planned by construction. */
function countLockedJobs(inst: Instance): number {
  let n = 0;
  for (let j = 0; j < inst.jobs; j++) if (inst.locked[2 * j + 1]) n++;
  return n;
}
