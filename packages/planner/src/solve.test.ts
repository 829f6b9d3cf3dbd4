import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidProblemError, type JobSpec, type Plan, type PlanProblem, type VehicleSpec } from './model.js';
import { createRandom } from './random.js';
import { solve } from './solve.js';

/** Points on a plane; travel time = distance = rounded Euclidean distance. */
function grid(points: readonly (readonly [number, number])[]): Float64Array {
  const n = points.length;
  const m = new Float64Array(n * n);
  points.forEach(([x1, y1], i) => points.forEach(([x2, y2], j) => { m[i * n + j] = Math.round(Math.hypot(x1 - x2, y1 - y2)); }));
  return m;
}

const deterministic = { maxIterations: 2_000, timeLimitMs: 60_000, seed: 7 };

/** Re-walks every route of a plan on the problem's own data and returns what breaks a rule. */
function violations(problem: PlanProblem, plan: Plan): string[] {
  const errors: string[] = [];
  const n = problem.locations;
  for (const route of plan.routes) {
    const v = problem.vehicles[route.vehicle] as VehicleSpec;
    const dur = problem.profiles[v.profile ?? 0]?.durations as ArrayLike<number>;
    let time = v.availableAt ?? 0;
    let at = v.start;
    let load = route.stops.filter((s) => s.kind === 'delivery' && !problem.jobs[s.job]?.pickup).reduce((q, s) => q + (problem.jobs[s.job]?.demand ?? 0), 0);
    const picked = new Set<number>();
    for (const s of route.stops) {
      const job = problem.jobs[s.job] as JobSpec;
      const stop = s.kind === 'pickup' ? job.pickup : job.delivery;
      if (!stop) { errors.push(`job ${job.id} has no ${s.kind}`); continue; }
      time = Math.max(time + (dur[at * n + stop.location] as number), stop.earliest ?? -Infinity);
      if (time > (stop.latest ?? Infinity)) errors.push(`job ${job.id} ${s.kind} starts at ${time} after ${stop.latest}`);
      time += stop.serviceTime ?? 0;
      at = stop.location;
      if (s.kind === 'pickup') { picked.add(s.job); load += job.demand ?? 0; }
      else {
        if (job.pickup && !picked.has(s.job)) errors.push(`job ${job.id} delivered before its pickup on vehicle ${v.id}`);
        load -= job.demand ?? 0;
      }
      if (load > v.capacity) errors.push(`vehicle ${v.id} carries ${load} > ${v.capacity} after job ${job.id} ${s.kind}`);
    }
    for (const j of picked) if (!route.stops.some((s) => s.job === j && s.kind === 'delivery')) errors.push(`job ${j} picked up by ${v.id} but not delivered by it`);
  }
  return errors;
}

describe('solve: VRPTW', () => {
  const points = [[0, 0], [10, 0], [10, 10], [0, 10], [-10, 5], [-5, -8], [6, -9]] as const;
  const windows = [[0, 100], [0, 40], [10, 80], [0, 200], [30, 120], [0, 200]] as const;
  const problem: PlanProblem = {
    locations: points.length,
    profiles: [{ durations: grid(points) }],
    vehicles: [0, 1].map((i) => ({ id: `v${i}`, start: 0, end: 0, capacity: 5, latestEnd: 300 })),
    jobs: windows.map(([earliest, latest], k) => ({ id: `c${k + 1}`, demand: 1 + (k % 2), delivery: { location: k + 1, serviceTime: 2, earliest, latest } })),
  };

  it('finds the proven optimum of a small instance (checked by enumerating every plan)', () => {
    const plan = solve(problem, deterministic);
    assert.deepEqual(plan.unassigned, []);
    assert.deepEqual(violations(problem, plan), []);
    assert.equal(plan.distance, bruteForceOptimum(problem));
  });

  it('gives the same plan for the same seed', () => {
    const a = solve(problem, { ...deterministic, maxIterations: 300 });
    const b = solve(problem, { ...deterministic, maxIterations: 300 });
    assert.deepEqual(a.routes, b.routes);
    assert.equal(a.iterations, 300);
  });
});

/** Every order of the customers, cut into at most two routes; the cheapest feasible total distance. */
function bruteForceOptimum(problem: PlanProblem): number {
  const n = problem.locations;
  const dur = problem.profiles[0]?.durations as Float64Array;
  const v = problem.vehicles[0] as VehicleSpec;
  const routeCost = (route: number[]): number => {
    let t = 0, at = 0, d = 0, load = 0;
    for (const j of [...route, -1]) {
      const job = problem.jobs[j];
      const loc = job ? job.delivery.location : 0;
      d += dur[at * n + loc] as number;
      t = Math.max(t + (dur[at * n + loc] as number), job?.delivery.earliest ?? 0);
      if (t > (job ? (job.delivery.latest ?? Infinity) : (v.latestEnd ?? Infinity))) return Infinity;
      t += job?.delivery.serviceTime ?? 0;
      load += job?.demand ?? 0;
      at = loc;
    }
    return load > v.capacity ? Infinity : route.length === 0 ? 0 : d;
  };
  let best = Infinity;
  for (const perm of permutations(problem.jobs.map((_, j) => j))) {
    for (let cut = 0; cut <= perm.length; cut++) best = Math.min(best, routeCost(perm.slice(0, cut)) + routeCost(perm.slice(cut)));
  }
  return best;
}

function* permutations(items: number[]): Generator<number[]> {
  if (items.length <= 1) return yield items;
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i] as number, ...rest];
  }
}

describe('solve: pickup and delivery', () => {
  // 0 depot; shipments 1→2, 3→4, 5→6 laid out along a street.
  const points = [[0, 0], [5, 0], [40, 0], [10, 0], [45, 0], [15, 0], [50, 0], [100, 100]] as const;
  const durations = grid(points);
  const shuttle: VehicleSpec = { id: 'shuttle', start: 0, end: 0, capacity: 2 };
  const shipment = (k: number, extra: Partial<JobSpec> = {}): JobSpec => ({
    id: `s${k}`, demand: 1, pickup: { location: 2 * k - 1, serviceTime: 1 }, delivery: { location: 2 * k, serviceTime: 1 }, ...extra,
  });

  it('serves three shipments in one tour: each pickup before its drop-off, never over capacity', () => {
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations }], vehicles: [shuttle], jobs: [1, 2, 3].map((k) => shipment(k)) };
    const plan = solve(problem, deterministic);
    assert.equal(plan.routes.length, 1);
    assert.equal(plan.routes[0]?.stops.length, 6);
    assert.deepEqual(violations(problem, plan), []);
    assert.ok(Math.max(...(plan.routes[0]?.stops ?? []).map((s) => s.load)) <= 2);
  });

  it('keeps pickup and drop-off of a job on the same vehicle and respects the windows', () => {
    const vehicles: VehicleSpec[] = [{ ...shuttle, id: 'a', capacity: 1 }, { ...shuttle, id: 'b', capacity: 1 }];
    const jobs = [shipment(1, { delivery: { location: 2, earliest: 60, latest: 70 } }), shipment(2), shipment(3, { pickup: { location: 5, latest: 20 } })];
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations }], vehicles, jobs };
    const plan = solve(problem, deterministic);
    assert.deepEqual(plan.unassigned, []);
    assert.deepEqual(violations(problem, plan), []);
    for (const route of plan.routes) {
      for (const s of route.stops) assert.equal(route.stops.filter((t) => t.job === s.job).length, 2, `job ${s.job} split across vehicles`);
    }
    const drop = plan.routes.flatMap((r) => r.stops).find((s) => s.job === 0 && s.kind === 'delivery');
    assert.ok(drop && drop.start >= 60 && drop.start <= 70);
  });

  it('refuses a job no vehicle can serve, with the reason, and plans the rest', () => {
    const jobs = [
      shipment(1),
      shipment(2, { delivery: { location: 4, latest: 5 } }),
      shipment(3, { demand: 3 }),
      { ...shipment(1), id: 'robot-only', vehicles: [] },
    ];
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations }], vehicles: [shuttle, { ...shuttle, id: 'short', maxDistance: 10 }], jobs };
    const plan = solve(problem, deterministic);
    assert.deepEqual(plan.unassigned.map((u) => [u.job, u.reason]), [[1, 'time-window'], [2, 'capacity'], [3, 'no-vehicle-allowed']]);
    assert.match(plan.unassigned[1]?.detail ?? '', /demand 3 exceeds the largest allowed capacity 2/);
    assert.equal(plan.routes.flatMap((r) => r.stops).length, 2);
  });

  it('reports a job beyond every vehicle\'s range as out of range', () => {
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations }], vehicles: [{ ...shuttle, maxDistance: 90 }], jobs: [shipment(1), shipment(3)] };
    const plan = solve(problem, deterministic);
    assert.deepEqual(plan.unassigned.map((u) => [u.job, u.reason]), [[1, 'range']]);
  });

  it('keeps released stops as a fixed prefix and delivers an on-board job on its vehicle', () => {
    const vehicles: VehicleSpec[] = [
      { ...shuttle, id: 'a', fixed: [{ job: 2, kind: 'pickup' }] },
      { ...shuttle, id: 'b', start: 5, fixed: [{ job: 1, kind: 'pickup' }, { job: 1, kind: 'delivery' }] },
    ];
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations }], vehicles, jobs: [shipment(1), shipment(2), shipment(3)] };
    const plan = solve(problem, deterministic);
    const a = plan.routes.find((r) => r.vehicle === 0);
    const b = plan.routes.find((r) => r.vehicle === 1);
    assert.deepEqual(a?.stops.slice(0, 1).map((s) => [s.job, s.kind]), [[2, 'pickup']]);
    assert.ok(a?.stops.some((s) => s.job === 2 && s.kind === 'delivery'), 'the on-board job is delivered by the vehicle holding it');
    assert.deepEqual(b?.stops.slice(0, 2).map((s) => [s.job, s.kind]), [[1, 'pickup'], [1, 'delivery']]);
    assert.deepEqual(plan.unassigned, []);
    assert.deepEqual(violations(problem, plan), []);
  });

  it('plans each vehicle on its own profile', () => {
    const slow = Float64Array.from(durations, (d) => 3 * d);
    const problem: PlanProblem = {
      locations: points.length, profiles: [{ durations }, { durations: slow }],
      vehicles: [{ ...shuttle, id: 'robot', profile: 1, fixedCost: 0 }, { ...shuttle, id: 'van', fixedCost: 50 }],
      jobs: [shipment(2, { delivery: { location: 4, latest: 60 } })],
    };
    const plan = solve(problem, deterministic);
    assert.deepEqual(plan.routes.map((r) => r.vehicle), [1], 'only the fast profile reaches the drop-off by 60');
  });

  it('starts from a previous plan and drops the part that no longer fits', () => {
    const jobs = [1, 2, 3].map((k) => shipment(k));
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations }], vehicles: [shuttle, { ...shuttle, id: 'b' }], jobs };
    const first = solve(problem, deterministic);
    const previous = problem.vehicles.map((_, v) => first.routes.find((r) => r.vehicle === v)?.stops.map(({ job, kind }) => ({ job, kind })) ?? []);
    const again = solve(problem, { ...deterministic, maxIterations: 0, initial: previous });
    assert.equal(again.cost, first.cost, 'the previous plan is kept as it was');
    const tighter: PlanProblem = { ...problem, jobs: [...jobs.slice(0, 2), shipment(3, { delivery: { location: 6, latest: 55 } })] };
    const replanned = solve(tighter, { ...deterministic, initial: previous });
    assert.deepEqual(replanned.unassigned, []);
    assert.deepEqual(violations(tighter, replanned), []);
  });

  it('never drives an arc the matrix marks as having no route (−1)', () => {
    const blocked = Float64Array.from(durations);
    blocked[0 * points.length + 1] = -1;
    const vehicles: VehicleSpec[] = [shuttle, { ...shuttle, id: 'far', start: 7, end: 7 }];
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations: blocked }], vehicles, jobs: [shipment(1)] };
    const plan = solve(problem, deterministic);
    assert.deepEqual(plan.routes.map((r) => r.vehicle), [1], 'the depot vehicle has no way to the pickup');
    assert.ok(Number.isFinite(plan.distance));
    assert.ok(Number.isFinite(plan.cost), 'an unreachable arc does not poison the objective');
  });
});

describe('solve: a random dispatch day', () => {
  it('keeps every rule on 40 shipments, mixed vehicles, two profiles, released stops and ranges', () => {
    const rng = createRandom(42);
    const points = Array.from({ length: 90 }, () => [rng.below(1000), rng.below(1000)] as const);
    const road = grid(points);
    const sidewalk = Float64Array.from(road, (d) => 2 * d);
    const jobs: JobSpec[] = Array.from({ length: 40 }, (_, k) => {
      const open = rng.below(3000);
      return {
        id: `j${k}`, demand: 1 + rng.below(3),
        pickup: { location: 2 * k + 10, serviceTime: 30, earliest: open, latest: open + 1500 },
        delivery: { location: 2 * k + 11, serviceTime: 30, latest: open + 3000 + rng.below(2000) },
      };
    });
    const vehicles: VehicleSpec[] = Array.from({ length: 6 }, (_, v) => ({
      id: `v${v}`, start: v, end: v < 4 ? v : undefined, capacity: v < 2 ? 3 : 6, profile: v % 2,
      availableAt: 100 * v, latestEnd: 9000, maxDistance: 12000,
      ...(v === 0 ? { fixed: [{ job: 0, kind: 'pickup' as const }] } : {}),
    }));
    const problem: PlanProblem = { locations: points.length, profiles: [{ durations: road }, { durations: sidewalk }], vehicles, jobs };
    const plan = solve(problem, { ...deterministic, maxIterations: 1_500 });
    assert.deepEqual(violations(problem, plan), []);
    for (const route of plan.routes) {
      assert.ok(route.distance <= 12000, `vehicle ${route.vehicle} drives ${route.distance} beyond its range`);
      assert.ok(route.end <= 9000, `vehicle ${route.vehicle} ends at ${route.end}`);
    }
    assert.deepEqual(plan.routes.find((r) => r.vehicle === 0)?.stops[0], { ...plan.routes.find((r) => r.vehicle === 0)?.stops[0], job: 0, kind: 'pickup' });
    const served = plan.routes.flatMap((r) => r.stops.filter((s) => s.kind === 'delivery').map((s) => s.job));
    assert.equal(new Set(served).size, served.length, 'a job is served twice');
    assert.equal(served.length + plan.unassigned.length, jobs.length);
    assert.ok(served.length >= 30, `only ${served.length} of 40 served`);
  });
});

describe('solve: nothing to plan', () => {
  it('returns at once when every job is released already', () => {
    const problem: PlanProblem = {
      locations: 2, profiles: [{ durations: [0, 5, 5, 0] }],
      vehicles: [{ id: 'v', start: 0, capacity: 1, fixed: [{ job: 0, kind: 'delivery' }] }],
      jobs: [{ id: 'a', demand: 1, delivery: { location: 1 } }],
    };
    const plan = solve(problem, { timeLimitMs: 60_000 });
    assert.equal(plan.iterations, 0);
    assert.deepEqual(plan.routes[0]?.stops.map((s) => [s.job, s.kind, s.arrival]), [[0, 'delivery', 5]]);
  });
});

describe('solve: bad input', () => {
  it('rejects a malformed problem listing every problem, before any search', () => {
    const problem: PlanProblem = {
      locations: 3,
      profiles: [{ durations: new Float64Array(8) }],
      vehicles: [{ id: 'v', start: 5, capacity: 1, fixed: [{ job: 0, kind: 'delivery' }] }],
      jobs: [{ id: 'a', pickup: { location: 1 }, delivery: { location: 2, earliest: 10, latest: 5 } }],
    };
    assert.throws(() => solve(problem, deterministic), (err: unknown) =>
      err instanceof InvalidProblemError
      && /profiles\[0\]\.durations has 8 entries, expected 9/.test(err.message)
      && /jobs\[0\] \(a\)\.delivery window closes before it opens/.test(err.message)
      && /vehicles\[0\] \(v\)\.start is not a location index: 5/.test(err.message)
      && /delivery of job a is released before its pickup/.test(err.message));
  });
});
