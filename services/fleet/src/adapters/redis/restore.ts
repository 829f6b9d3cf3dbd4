import type { Redis } from 'ioredis';
import type { FleetStateRestore } from '../../app/rebuild.js';
import { casWrite, type RedisOp } from './cas.js';
import { encodeEtaRecord } from './eta-store.js';
import { toJson } from './codec.js';
import { ALL_STATUSES, ORDER_TTL_S, vehicleIndexOps, type FleetKeys } from './stores.js';

/** Write a document only when absent or older (by version): a live fleet's newer state wins. */
const WRITE_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cjson.decode(cur)['version']) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
for _, op in ipairs(cjson.decode(ARGV[3])) do redis.call(unpack(op)) end
return 1
`;

/** A list written only when absent (a live fleet already wrote a newer one), capped and with a TTL. */
const LIST_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** fleet:rebuild's writes: documents with every index the stores keep, never over newer state. */
export function createRedisRestore(redis: Redis, keys: FleetKeys, etaHistoryMax = 20): FleetStateRestore {
  const writeIfNewer = async (doc: string, version: number, json: string, ops: RedisOp[]) =>
    (await redis.eval(WRITE_IF_NEWER, 1, doc, version, json, JSON.stringify(ops))) === 1;

  return {
    restoreJob: (job) =>
      writeIfNewer(keys.job(job.id), job.version, toJson(job), [
        ...ALL_STATUSES.filter((s) => s !== job.status).map((s): RedisOp => ['ZREM', keys.jobsByStatus(s), job.id]),
        ['ZADD', keys.jobsByStatus(job.status), job.createdAt.getTime(), job.id],
        ['SET', keys.jobRequest(job.requestId), job.id],
      ]),
    // Any vehicle already present was written by a live fleet since the wipe: it is newer.
    restoreVehicle: async (vehicle) =>
      (await casWrite(redis, { doc: keys.vehicle(vehicle.id), outbox: keys.outbox, expectedVersion: 0, json: toJson(vehicle), ops: vehicleIndexOps(keys, vehicle) })) === 'ok',
    restoreOrder: async (order) => (await redis.set(keys.order(order.orderId), toJson(order), 'EX', ORDER_TTL_S, 'NX')) === 'OK',
    restoreEtaHistory: async (jobId, records) =>
      records.length > 0 && (await redis.eval(LIST_IF_ABSENT, 1, keys.etaHistory(jobId), etaHistoryMax, ORDER_TTL_S, ...records.map(encodeEtaRecord))) === 1,
  };
}
