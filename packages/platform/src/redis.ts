import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection. `blocking` connections (BullMQ workers, QueueEvents)
 * must retry forever; request/response connections fail fast when Redis is down.
 */
export function createRedis(options: { url: string; log: Logger; blocking?: boolean; name?: string }): Redis {
  const log = options.log.child({ component: 'redis', connection: options.name ?? 'main' });
  const redisOptions: RedisOptions = options.blocking
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 3, enableOfflineQueue: true };
  const redis = new Redis(options.url, { ...redisOptions, lazyConnect: false });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  return redis;
}

/** Close gracefully, or disconnect when Redis no longer answers. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
