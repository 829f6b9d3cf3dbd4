/**
 * In-memory implementations of fleet's ports, for unit tests of the use
 * cases: the same contracts as the Redis adapters (compare-and-set on
 * version, clear-once ledger), no I/O.
 */
import { createLogger, ValidationError } from '@kera/platform';
import type { JobChange } from '../src/domain/job.js';
import type { RoutePlan } from '../src/domain/order.js';
import type { Job, LatLon, Order, Vehicle } from '../src/domain/types.js';
import type {
  Clock,
  CommandLedgerStore,
  DispatchQueue,
  FleetEvent,
  Ids,
  JobStore,
  LedgerEntry,
  LinkMetrics,
  Outbox,
  ReplicaHeartbeats,
  RoutePlanner,
  SessionDirectory,
  VehicleStore,
} from '../src/app/ports.js';

export const silentLog = createLogger({ name: 'unit', level: 'silent' });

export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-12-01T08:00:00Z')) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function counterIds(): Ids {
  let n = 0;
  return { jobId: () => `job-${++n}`, orderId: () => `ord-${++n}`, commandId: () => `cmd-${++n}` };
}

/** Every event any store or the outbox was given, in order. */
export class EventLog {
  readonly events: FleetEvent[] = [];
  vehicleEvents = (id: string) => this.events.flatMap((e) => (e.kind === 'vehicle' && e.vehicle.id === id ? [e] : []));
  jobStatuses = (id: string) => this.events.flatMap((e) => (e.kind === 'job' && e.change.job.id === id ? [e.change.job.status] : []));
}

export function inMemoryStores(log = new EventLog()) {
  const jobDocs = new Map<string, Job>();
  const vehicleDocs = new Map<string, Vehicle>();
  const orders = new Map<string, Order>();
  const waitReasons = new Map<string, string>();
  const idleOf = (profile: Vehicle['profile']) => [...vehicleDocs.values()].filter((v) => v.profile === profile && v.status === 'IDLE' && !v.jobId);
  const clone = <T>(v: T): T => structuredClone(v);
  const jobs: JobStore = {
    get: async (id) => (jobDocs.has(id) ? clone(jobDocs.get(id)) : undefined),
    byRequestId: async (requestId) => [...jobDocs.values()].find((j) => j.requestId === requestId)?.id,
    async create(change: JobChange, events) {
      if (jobDocs.has(change.job.id)) return false;
      jobDocs.set(change.job.id, clone(change.job));
      log.events.push(...events);
      return true;
    },
    async save(change, events) {
      if ((jobDocs.get(change.job.id)?.version ?? 0) !== change.job.version - 1) return false;
      jobDocs.set(change.job.id, clone(change.job));
      log.events.push(...events);
      return true;
    },
    list: async ({ statuses }) => [...jobDocs.values()].filter((j) => statuses.length === 0 || statuses.includes(j.status)),
    async countByStatus() {
      const counts = new Map<Job['status'], number>();
      for (const j of jobDocs.values()) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
      return counts;
    },
    inStatus: async (status, limit) => [...jobDocs.values()].filter((j) => j.status === status).slice(0, limit).map(clone),
    setWaitReason: async (jobId, reason) => void waitReasons.set(jobId, reason),
    waitReasons: async (ids) => ids.map((id) => waitReasons.get(id)),
  };
  const vehicles: VehicleStore = {
    get: async (id) => (vehicleDocs.has(id) ? clone(vehicleDocs.get(id)) : undefined),
    list: async () => [...vehicleDocs.values()].map(clone),
    seenBefore: async (at) => [...vehicleDocs.values()].filter((v) => v.status !== 'OFFLINE' && v.lastSeen < at).map(clone),
    idleNear: async (profile, _position, count) => idleOf(profile).slice(0, count).map(clone),
    idle: async (profile) => idleOf(profile).map(clone),
    async largestCapacity() {
      const largest = new Map<Vehicle['profile'], number>();
      for (const v of vehicleDocs.values()) largest.set(v.profile, Math.max(largest.get(v.profile) ?? 0, v.capacity));
      return largest;
    },
    async save(vehicle, expectedVersion, events) {
      if ((vehicleDocs.get(vehicle.id)?.version ?? 0) !== expectedVersion) return false;
      vehicleDocs.set(vehicle.id, clone(vehicle));
      log.events.push(...events);
      return true;
    },
    saveOrder: async (order) => void orders.set(order.orderId, clone(order)),
    getOrder: async (id) => (orders.has(id) ? clone(orders.get(id)) : undefined),
  };
  const outbox: Outbox = { append: async (events) => void log.events.push(...events) };
  const enqueued: string[] = [];
  const queue: DispatchQueue = {
    enqueue: async (job) => void enqueued.push(job.id),
    ensureEntry: async (job) => !enqueued.includes(job.id) && enqueued.push(job.id) > 0,
  };
  return { jobs, vehicles, outbox, queue, enqueued, log, put: { job: (j: Job) => jobDocs.set(j.id, clone(j)), vehicle: (v: Vehicle) => vehicleDocs.set(v.id, clone(v)) } };
}

export function inMemoryLedgerStore(): CommandLedgerStore & { entries: Map<string, LedgerEntry> } {
  const entries = new Map<string, LedgerEntry>();
  const key = (vehicleId: string, commandId: string) => `${vehicleId}/${commandId}`;
  const of = (vehicleId: string) => [...entries.values()].filter((e) => e.vehicleId === vehicleId);
  return {
    entries,
    record: async (entry) => void entries.set(key(entry.vehicleId, entry.command.commandId), structuredClone(entry)),
    pending: async (vehicleId) => of(vehicleId).sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime()).map((e) => structuredClone(e)),
    async countSend(vehicleId, commandId) {
      const e = entries.get(key(vehicleId, commandId));
      return e ? ++e.sends : -1;
    },
    async clear(vehicleId, commandId) {
      const e = entries.get(key(vehicleId, commandId));
      entries.delete(key(vehicleId, commandId));
      return e;
    },
    async clearAll(vehicleId) {
      const mine = of(vehicleId);
      for (const e of mine) entries.delete(key(vehicleId, e.command.commandId));
      return mine;
    },
    vehiclesWithPending: async () => [...new Set([...entries.values()].map((e) => e.vehicleId))],
  };
}

export function fakeDirectory(): SessionDirectory & { nudged: string[] } {
  const nudged: string[] = [];
  return {
    nudged,
    claim: async () => undefined,
    release: async () => undefined,
    nudge: async (vehicleId) => void nudged.push(vehicleId),
    connected: async () => new Set(),
  };
}

export function fakeHeartbeats(aliveSince: Date | undefined): ReplicaHeartbeats & { aliveSince(): Promise<Date | undefined>; set(d: Date): void } {
  let since = aliveSince;
  return { beat: async () => undefined, aliveSince: async () => since, set: (d) => (since = d) };
}

export function countingMetrics(): LinkMetrics & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const inc = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  return {
    counts,
    commandSent: (kind, resend) => inc(resend ? `resent:${kind}` : `sent:${kind}`),
    commandRejected: (kind) => inc(`rejected:${kind}`),
    commandAbandoned: (kind) => inc(`abandoned:${kind}`),
    leaseExpired: () => inc('leaseExpired'),
    orderRepaired: (outcome) => inc(`repaired:${outcome}`),
    stateHandled: () => inc('statesHandled'),
  };
}

/** Straight lines at 1.5 m/s (roughly); refuses waypoints north of 61°. */
export const straightRoutes: RoutePlanner = {
  async planRoute(_profile, waypoints: LatLon[]): Promise<RoutePlan> {
    if (waypoints.some((p) => p.lat > 61)) throw new ValidationError('waypoint is far from any street');
    const legs = waypoints.slice(1).map((to, i) => ({ distanceM: 100, durationS: 66, points: [waypoints[i]!, to] }));
    return { legs, durationS: legs.length * 66, trafficVersion: 1, edgeIds: [] };
  },
  async planMatrix(_p, sources, destinations) {
    if ([...sources, ...destinations].some((p) => p.lat > 61)) throw new ValidationError('source is far from any street');
    return sources.map(() => destinations.map(() => 60));
  },
};
