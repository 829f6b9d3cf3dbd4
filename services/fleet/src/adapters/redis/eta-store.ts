import type { Redis } from 'ioredis';
import type { EtaHistoryStore, TrafficChangeInbox, TrafficChangeNotice } from '../../app/eta-ports.js';
import type { EtaCause, EtaRecord } from '../../domain/eta.js';
import { casWrite } from './cas.js';
import { toJson } from './codec.js';
import { ORDER_TTL_S, type EncodeEvents, type FleetKeys } from './stores.js';

interface StoredRecord {
  eta: string;
  at: string;
  cause?: EtaCause;
  tv: number;
}

/** An ETA record as stored in a job's history list. */
export const encodeEtaRecord = (r: EtaRecord): string =>
  JSON.stringify({ eta: r.eta.toISOString(), at: r.computedAt.toISOString(), cause: r.cause, tv: r.trafficVersion } satisfies StoredRecord);

const decodeRecord = (text: string): EtaRecord => {
  const r = JSON.parse(text) as StoredRecord;
  return { eta: new Date(r.eta), computedAt: new Date(r.at), cause: r.cause, trafficVersion: r.tv };
};

/**
 * ETA history and the traffic-change inbox on Redis. A revision writes the
 * job document (compare-and-set on its version, as every job write), its
 * outbox entries and the history records in one script.
 */
export function createRedisEtaStores(
  redis: Redis,
  deps: { keys: FleetKeys; encode: EncodeEvents; appended: () => void; historyMax: number },
): { etas: EtaHistoryStore; inbox: TrafficChangeInbox } {
  const { keys } = deps;

  const etas: EtaHistoryStore = {
    async revise(change, events, records) {
      const { job } = change;
      const history = keys.etaHistory(job.id);
      const outboxEntries = deps.encode(events);
      const result = await casWrite(redis, {
        doc: keys.job(job.id),
        outbox: keys.outbox,
        expectedVersion: job.version - 1,
        json: toJson(job),
        ops: [['RPUSH', history, ...records.map(encodeEtaRecord)], ['LTRIM', history, -deps.historyMax, -1], ['EXPIRE', history, ORDER_TTL_S]],
        outboxEntries,
      });
      if (result === 'ok' && outboxEntries.length > 0) deps.appended();
      return result === 'ok';
    },
    async history(jobId) {
      return (await redis.lrange(keys.etaHistory(jobId), 0, -1)).map(decodeRecord);
    },
  };

  const inbox: TrafficChangeInbox = {
    async add(change) {
      const field = `${change.profile}:${change.trafficVersion}:${change.areaCell}`;
      await redis.hset(keys.etaTrafficInbox, field, JSON.stringify(change));
    },
    async pending(limit) {
      const all = await redis.hgetall(keys.etaTrafficInbox);
      return Object.entries(all)
        .slice(0, limit)
        .map(([key, text]) => ({ key, ...(JSON.parse(text) as TrafficChangeNotice) }));
    },
    async done(fields) {
      if (fields.length > 0) await redis.hdel(keys.etaTrafficInbox, ...fields);
    },
  };

  return { etas, inbox };
}
