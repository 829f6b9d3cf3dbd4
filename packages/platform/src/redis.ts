import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection. `blocking` connections (BullMQ workers, QueueEvents)
 * must retry forever; request/response connections fail fast when Redis is down.
 * `autoPipelining`: commands issued in the same event-loop turn go out in one
 * socket write (same order, same replies) — for a connection carrying many
 * small concurrent commands, where one write per command costs more CPU
 * than the commands themselves. Not for blocking connections.
 */
export function createRedis(options: { url: string; log: Logger; blocking?: boolean; autoPipelining?: boolean; name?: string }): Redis {
  const log = options.log.child({ component: 'redis', connection: options.name ?? 'main' });
  const redisOptions: RedisOptions = options.blocking
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 3, enableOfflineQueue: true, enableAutoPipelining: options.autoPipelining ?? false };
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
