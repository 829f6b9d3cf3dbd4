import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection. `blocking` connections (BullMQ workers, QueueEvents)
 * must retry forever; request/response connections fail fast when Redis is down.
 * `autoPipelining` sends the commands issued in one event-loop turn in one
 * write (ioredis' enableAutoPipelining): for a busy request/response
 * connection, where one socket write per command costs more than the command.
 * Never on a connection that issues blocking commands.
 */
export function createRedis(options: { url: string; log: Logger; blocking?: boolean; name?: string; autoPipelining?: boolean }): Redis {
  const log = options.log.child({ component: 'redis', connection: options.name ?? 'main' });
  const redisOptions: RedisOptions = options.blocking
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 3, enableOfflineQueue: true };
  const redis = new Redis(options.url, { ...redisOptions, enableAutoPipelining: Boolean(options.autoPipelining && !options.blocking), lazyConnect: false });
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
