import type { Redis } from 'ioredis';
import type { FleetEvent, JobStore, Outbox, VehicleStore } from '../../app/ports.js';
import type { Job, JobStatus, Order, Vehicle } from '../../domain/types.js';
import { casWrite, type RedisOp } from './cas.js';
import { fromJson, toJson } from './codec.js';

const ALL_STATUSES: JobStatus[] = ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED'];
const ORDER_TTL_S = 7 * 24 * 3600;

/** Fleet's Redis keys, all under one prefix (a projection that Kafka can rebuild). */
export const fleetKeys = (prefix: string) => ({
  job: (id: string) => `${prefix}:job:${id}`,
  jobRequest: (requestId: string) => `${prefix}:job-request:${requestId}`,
  jobsByStatus: (s: JobStatus) => `${prefix}:jobs:status:${s}`,
  vehicle: (id: string) => `${prefix}:vehicle:${id}`,
  vehicles: `${prefix}:vehicles`,
  order: (id: string) => `${prefix}:order:${id}`,
  outbox: `${prefix}:outbox`,
  outboxLock: `${prefix}:outbox:lock`,
  jobEventsChannel: `${prefix}:job-events`,
});

export type FleetKeys = ReturnType<typeof fleetKeys>;

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
): { jobs: JobStore; vehicles: VehicleStore; outbox: Outbox } {
  const write = async (args: Parameters<typeof casWrite>[1]) => {
    const result = await casWrite(redis, args);
    if (result === 'ok' && (args.outboxEntries?.length ?? 0) > 0) appended();
    return result;
  };

  const statusOps = (job: Job, previous: JobStatus | undefined): RedisOp[] => {
    const ops: RedisOp[] = [];
    if (previous && previous !== job.status) ops.push(['ZREM', keys.jobsByStatus(previous), job.id]);
    ops.push(['ZADD', keys.jobsByStatus(job.status), job.createdAt.getTime(), job.id]);
    return ops;
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
      return result === 'ok';
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
      const ids = (await redis.smembers(keys.vehicles)).sort();
      if (ids.length === 0) return [];
      const docs = await redis.mget(ids.map((id) => keys.vehicle(id)));
      return docs.flatMap((text) => (text ? [fromJson<Vehicle>(text)] : []));
    },
    async save(vehicle, expectedVersion, events) {
      const result = await write({
        doc: keys.vehicle(vehicle.id),
        outbox: keys.outbox,
        expectedVersion,
        json: toJson(vehicle),
        ops: [['SADD', keys.vehicles, vehicle.id]],
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
