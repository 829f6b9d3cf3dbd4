import type { Redis } from 'ioredis';
import type { ActiveIncident, EndpointSlots, Latches, RouteWatch, VehicleStatuses } from '../../app/ports.js';
import type { VehicleStatusName } from '../../domain/alerts.js';
import type { GeoPoint } from '../../domain/webhook-event.js';

/** Routes of orders whose job never finished in notify's view still expire. */
const ROUTE_TTL_SECONDS = 2 * 24 * 3600;

export function createRedisLatches(redis: Redis, prefix: string): Latches {
  const key = (name: string) => `${prefix}:latch:${name}`;
  return {
    isSet: async (name) => (await redis.exists(key(name))) === 1,
    async set(name, ttlSeconds) {
      await redis.set(key(name), '1', 'EX', ttlSeconds);
    },
  };
}

export function createRedisVehicleStatuses(redis: Redis, prefix: string): VehicleStatuses {
  const key = `${prefix}:vehicle-status`;
  return {
    get: async (vehicleId) => ((await redis.hget(key, vehicleId)) ?? undefined) as VehicleStatusName | undefined,
    async set(vehicleId, status) {
      await redis.hset(key, vehicleId, status);
    },
  };
}

/** Routes in one hash per job id plus an index set; closures in one hash by incident id. */
export function createRedisRouteWatch(redis: Redis, prefix: string): RouteWatch {
  const routeKey = (jobId: string) => `${prefix}:route:${encodeURIComponent(jobId)}`;
  const routesKey = `${prefix}:routes`;
  const incidentsKey = `${prefix}:incidents`;
  const parseRoute = (raw: string | null) => (raw ? (JSON.parse(raw) as GeoPoint[]) : undefined);

  return {
    async setRoute(jobId, route) {
      await redis.multi().set(routeKey(jobId), JSON.stringify(route), 'EX', ROUTE_TTL_SECONDS).sadd(routesKey, jobId).exec();
    },
    async removeRoute(jobId) {
      await redis.multi().del(routeKey(jobId)).srem(routesKey, jobId).exec();
    },
    route: async (jobId) => parseRoute(await redis.get(routeKey(jobId))),
    async *routes() {
      let cursor = '0';
      do {
        const [next, jobIds] = await redis.sscan(routesKey, cursor, 'COUNT', 500);
        cursor = next;
        const values = jobIds.length > 0 ? await redis.mget(jobIds.map(routeKey)) : [];
        for (const [i, jobId] of jobIds.entries()) {
          const route = parseRoute(values[i] ?? null);
          if (route) yield { jobId, route };
          else await redis.srem(routesKey, jobId);
        }
      } while (cursor !== '0');
    },
    async putIncident(incident) {
      await redis.hset(incidentsKey, incident.id, JSON.stringify(incident));
    },
    async removeIncident(incidentId) {
      await redis.hdel(incidentsKey, incidentId);
    },
    incidents: async () => Object.values(await redis.hgetall(incidentsKey)).map((raw) => JSON.parse(raw) as ActiveIncident),
  };
}

// KEYS: slots zset. ARGV: now ms, expiry ms, limit, holder. A slot is a member whose score is its expiry.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2] - ARGV[1])
  return 1
end
return 0
`;

export function createRedisEndpointSlots(redis: Redis, prefix: string, limit: number, clock: { now(): Date }): EndpointSlots {
  const key = (endpoint: string) => `${prefix}:slots:${encodeURIComponent(endpoint)}`;
  redis.defineCommand('notifySlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
  const scripts = redis as unknown as {
    notifySlotAcquire(key: string, now: number, expiry: number, limit: number, holder: string): Promise<number>;
  };
  return {
    async acquire(endpoint, holder, ttlMs) {
      const now = clock.now().getTime();
      return (await scripts.notifySlotAcquire(key(endpoint), now, now + ttlMs, limit, holder)) === 1;
    },
    async release(endpoint, holder) {
      await redis.zrem(key(endpoint), holder);
    },
  };
}
