import type { Redis } from 'ioredis';
import type { SubscriptionStore } from '../../app/ports.js';
import type { Subscription } from '../../domain/subscription.js';

/**
 * Subscriptions in Redis: one hash per subscription and one set of ids per
 * operator. Keys live under `prefix` so tests and tenants stay apart.
 */
export function createRedisSubscriptionStore(redis: Redis, prefix: string): SubscriptionStore {
  const subscriptionKey = (id: string) => `${prefix}:subscription:${id}`;
  const operatorKey = (operatorId: string) => `${prefix}:operator:${encodeURIComponent(operatorId)}:subscriptions`;

  const fromHash = (hash: Record<string, string>): Subscription | undefined => {
    if (!hash.id || !hash.operatorId || !hash.url || hash.secret === undefined) return undefined;
    return {
      id: hash.id,
      operatorId: hash.operatorId,
      url: hash.url,
      eventTypes: JSON.parse(hash.eventTypes ?? '[]') as string[],
      secret: hash.secret,
      createdAt: new Date(Number(hash.createdAt ?? 0)),
    };
  };

  return {
    async save(subscription) {
      await redis
        .multi()
        .hset(subscriptionKey(subscription.id), {
          id: subscription.id,
          operatorId: subscription.operatorId,
          url: subscription.url,
          eventTypes: JSON.stringify(subscription.eventTypes),
          secret: subscription.secret,
          createdAt: String(subscription.createdAt.getTime()),
        })
        .sadd(operatorKey(subscription.operatorId), subscription.id)
        .exec();
    },

    async delete(id) {
      const operatorId = await redis.hget(subscriptionKey(id), 'operatorId');
      if (operatorId === null) return false;
      const results = await redis.multi().del(subscriptionKey(id)).srem(operatorKey(operatorId), id).exec();
      // A concurrent delete may have won between the read and the transaction.
      return results?.[0]?.[1] === 1;
    },

    async get(id) {
      return fromHash(await redis.hgetall(subscriptionKey(id)));
    },

    async listByOperator(operatorId) {
      const ids = await redis.smembers(operatorKey(operatorId));
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(subscriptionKey(id));
      const results = (await pipeline.exec()) ?? [];
      return results
        .map(([err, hash]) => {
          if (err) throw err;
          return fromHash(hash as Record<string, string>);
        })
        .filter((s): s is Subscription => s !== undefined)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    },
  };
}
