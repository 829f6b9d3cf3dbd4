import type { createRedis } from '@kera/platform';
import type { DedupeStore } from '../../app/ports.js';

type Redis = ReturnType<typeof createRedis>;

/**
 * Seen readings as Redis keys `<prefix>seen:<reading key>` with a TTL, so
 * dedupe survives restarts and forgets on its own. The TTL must outlive the
 * maximum event age: an older redelivery is rejected as stale anyway.
 */
export function createRedisDedupeStore(options: { redis: Redis; prefix: string; ttlSeconds: number }): DedupeStore {
  const { redis, prefix, ttlSeconds } = options;
  const keyOf = (readingKey: string) => `${prefix}seen:${readingKey}`;
  return {
    async unseen(keys) {
      if (keys.length === 0) return [];
      const values = await redis.mget(...keys.map(keyOf));
      return values.map((v) => v === null);
    },
    async markSeen(keys) {
      if (keys.length === 0) return;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.set(keyOf(key), '1', 'EX', ttlSeconds);
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([err]) => err !== null);
      if (failure?.[0]) throw failure[0];
    },
  };
}
