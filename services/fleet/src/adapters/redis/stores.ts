import type { Redis } from 'ioredis';
import type { FleetEvent, JobStore, Outbox, VehicleStore } from '../../app/ports.js';
import type { JobChange } from '../../domain/job.js';
import type { Job, JobStatus, Order, Profile, Vehicle } from '../../domain/types.js';
import { createCasWriter, type CasArgs, type RedisOp } from './cas.js';
import { fromJson, toJson } from './codec.js';

export const ALL_STATUSES: JobStatus[] = ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED'];
export const ORDER_TTL_S = 7 * 24 * 3600;
const PROFILES: Profile[] = ['sidewalk', 'road'];
/** Redis GEO accepts latitudes up to ±85.05°; a vehicle beyond stays out of the idle index. */
const GEO_MAX_LAT = 85.05112878;
/** Straight-line search radius for idle vehicles: the whole planet. */
const ANYWHERE_KM = 40_000;

/**
 * Fleet's Redis keys, all under one prefix. Jobs, vehicles, orders and their
 * indexes are a projection of fleet's Kafka topics: `npm run fleet:rebuild`
 * writes them again from `fleet.job-events.v1`, `fleet.vehicle-events.v1` and
 * `fleet.orders.v1` (see docs/deploy.md).
 */
export const fleetKeys = (prefix: string) => ({
  job: (id: string) => `${prefix}:job:${id}`,
  jobRequest: (requestId: string) => `${prefix}:job-request:${requestId}`,
  jobsByStatus: (s: JobStatus) => `${prefix}:jobs:status:${s}`,
  /** Why a queued job waits, by job id; cleared on every status change. */
  jobWaits: `${prefix}:job-waits`,
  vehicle: (id: string) => `${prefix}:vehicle:${id}`,
  vehicles: `${prefix}:vehicles`,
  /** lastSeen (ms) of every vehicle not OFFLINE, a sorted set: the lease watchdog reads only the silent ones. */
  vehiclesBySeen: `${prefix}:vehicles:last-seen`,
  /** GEO set of idle, free vehicles of a profile: dispatch searches the nearest here. */
  idleVehicles: (p: Profile) => `${prefix}:vehicles:idle:${p}`,
  /** Capacity of every registered vehicle of a profile (a sorted set), for the size check at submit. */
  vehicleCapacity: (p: Profile) => `${prefix}:vehicles:capacity:${p}`,
  order: (id: string) => `${prefix}:order:${id}`,
  outbox: `${prefix}:outbox`,
  outboxLock: `${prefix}:outbox:lock`,
  /** Outbox entries Kafka refused for good, with the reason: kept for an operator, not retried. */
  outboxParked: `${prefix}:outbox:parked`,
  jobEventsChannel: `${prefix}:job-events`,
  /** A job's ETA records, oldest first (a capped list that lives as long as orders do). */
  etaHistory: (jobId: string) => `${prefix}:eta:history:${jobId}`,
  /** Traffic changes not yet swept for ETAs: field `<profile>:<traffic version>:<area cell>`, value the change. */
  etaTrafficInbox: `${prefix}:eta:traffic-inbox`,
});

export type FleetKeys = ReturnType<typeof fleetKeys>;

/** Idle index and capacity index follow every vehicle write, in the same atomic step. */
export function vehicleIndexOps(keys: FleetKeys, v: Vehicle): RedisOp[] {
  const ops: RedisOp[] = [['SADD', keys.vehicles, v.id]];
  for (const p of PROFILES.filter((p) => p !== v.profile)) ops.push(['ZREM', keys.idleVehicles(p), v.id], ['ZREM', keys.vehicleCapacity(p), v.id]);
  const idle = v.status === 'IDLE' && !v.jobId && v.position && Math.abs(v.position.lat) <= GEO_MAX_LAT;
  ops.push(idle ? ['GEOADD', keys.idleVehicles(v.profile), v.position!.lon, v.position!.lat, v.id] : ['ZREM', keys.idleVehicles(v.profile), v.id]);
  ops.push(['ZADD', keys.vehicleCapacity(v.profile), v.capacity, v.id]);
  ops.push(v.status === 'OFFLINE' ? ['ZREM', keys.vehiclesBySeen, v.id] : ['ZADD', keys.vehiclesBySeen, v.lastSeen.getTime(), v.id]);
  return ops;
}

/** Events become outbox entries (serialized Kafka records) in the same atomic write. */
export type EncodeEvents = (events: FleetEvent[]) => string[];

/**
 * `appended` is called after every write that put events in the outbox, so
 * the relay can move them to Kafka promptly.
 */
export function createRedisStores(
  redis: Redis,
  keys: FleetKeys,
  encode: EncodeEvents,
  appended: () => void,
  /** Told of every job change once it is stored (metrics). */
  jobSaved: (change: JobChange) => void = () => undefined,
): { jobs: JobStore; vehicles: VehicleStore; outbox: Outbox } {
  const casWrite = createCasWriter(redis);
  const write = async (args: CasArgs) => {
    const result = await casWrite(args);
    if (result === 'ok' && (args.outboxEntries?.length ?? 0) > 0) appended();
    return result;
  };

  const statusOps = (job: Job, previous: JobStatus | undefined): RedisOp[] => {
    const ops: RedisOp[] = [];
    if (previous && previous !== job.status) ops.push(['ZREM', keys.jobsByStatus(previous), job.id]);
    ops.push(['ZADD', keys.jobsByStatus(job.status), job.createdAt.getTime(), job.id]);
    ops.push(['HDEL', keys.jobWaits, job.id]);
    return ops;
  };

  const vehicleOps = (v: Vehicle): RedisOp[] => vehicleIndexOps(keys, v);

  const readVehicles = async (ids: string[]): Promise<Vehicle[]> => {
    if (ids.length === 0) return [];
    const docs = await redis.mget(ids.map((id) => keys.vehicle(id)));
    return docs.flatMap((text) => (text ? [fromJson<Vehicle>(text)] : []));
  };

  const jobs: JobStore = {
    async get(id) {
      const text = await redis.get(keys.job(id));
      return text ? fromJson<Job>(text) : undefined;
    },
    async byRequestId(requestId) {
      return (await redis.get(keys.jobRequest(requestId))) ?? undefined;
    },
    async create(change, events) {
      const { job } = change;
      const result = await write({
        doc: keys.job(job.id),
        outbox: keys.outbox,
        expectedVersion: 0,
        json: toJson(job),
        ops: statusOps(job, undefined),
        guard: { key: keys.jobRequest(job.requestId), value: job.id },
        outboxEntries: encode(events),
      });
      return result === 'ok';
    },
    async save(change, events) {
      const { job, previousStatus } = change;
      const result = await write({
        doc: keys.job(job.id),
        outbox: keys.outbox,
        expectedVersion: job.version - 1,
        json: toJson(job),
        ops: statusOps(job, previousStatus),
        outboxEntries: encode(events),
      });
      if (result === 'ok') jobSaved(change);
      return result === 'ok';
    },
    async countByStatus() {
      const counts = await Promise.all(ALL_STATUSES.map((s) => redis.zcard(keys.jobsByStatus(s))));
      return new Map(ALL_STATUSES.map((s, i) => [s, counts[i]!]));
    },
    async inStatus(status, limit) {
      const ids = await redis.zrange(keys.jobsByStatus(status), 0, limit - 1);
      if (ids.length === 0) return [];
      const docs = await redis.mget(ids.map((id) => keys.job(id)));
      return docs.flatMap((text) => (text ? [fromJson<Job>(text)] : []));
    },
    async setWaitReason(jobId, reason) {
      await redis.hset(keys.jobWaits, jobId, reason);
    },
    async waitReasons(ids) {
      if (ids.length === 0) return [];
      return (await redis.hmget(keys.jobWaits, ...ids)).map((r) => r ?? undefined);
    },
    async list({ statuses, operatorId, limit }) {
      const wanted = statuses.length > 0 ? statuses : ALL_STATUSES;
      const ids = (await Promise.all(wanted.map((s) => redis.zrevrange(keys.jobsByStatus(s), 0, limit * 4 - 1)))).flat();
      if (ids.length === 0) return [];
      const docs = await redis.mget(ids.map((id) => keys.job(id)));
      return docs
        .flatMap((text) => (text ? [fromJson<Job>(text)] : []))
        .filter((job) => !operatorId || job.operatorId === operatorId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(0, limit);
    },
  };

  const vehicles: VehicleStore = {
    async get(id) {
      const text = await redis.get(keys.vehicle(id));
      return text ? fromJson<Vehicle>(text) : undefined;
    },
    async list() {
      return readVehicles((await redis.smembers(keys.vehicles)).sort());
    },
    async seenBefore(at) {
      return readVehicles(await redis.zrangebyscore(keys.vehiclesBySeen, '-inf', `(${at.getTime()}`));
    },
    async idleNear(profile, position, count) {
      const ids = (await redis.geosearch(keys.idleVehicles(profile), 'FROMLONLAT', position.lon, position.lat, 'BYRADIUS', ANYWHERE_KM, 'km', 'ASC', 'COUNT', count)) as string[];
      return readVehicles(ids);
    },
    async idle(profile) {
      return readVehicles(await redis.zrange(keys.idleVehicles(profile), 0, -1));
    },
    async largestCapacity() {
      const out = new Map<Profile, number>();
      for (const p of PROFILES) {
        const [, score] = await redis.zrevrange(keys.vehicleCapacity(p), 0, 0, 'WITHSCORES');
        if (score !== undefined) out.set(p, Number(score));
      }
      return out;
    },
    async save(vehicle, expectedVersion, events) {
      const result = await write({
        doc: keys.vehicle(vehicle.id),
        outbox: keys.outbox,
        expectedVersion,
        json: toJson(vehicle),
        ops: vehicleOps(vehicle),
        outboxEntries: encode(events),
      });
      return result === 'ok';
    },
    async saveOrder(order: Order) {
      await redis.set(keys.order(order.orderId), toJson(order), 'EX', ORDER_TTL_S);
    },
    async getOrder(orderId) {
      const text = await redis.get(keys.order(orderId));
      return text ? fromJson<Order>(text) : undefined;
    },
  };

  const outbox: Outbox = {
    async append(events) {
      const entries = encode(events);
      if (entries.length === 0) return;
      await redis.rpush(keys.outbox, ...entries);
      appended();
    },
  };

  return { jobs, vehicles, outbox };
}
