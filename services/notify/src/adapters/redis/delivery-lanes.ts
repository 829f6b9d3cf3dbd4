import type { Redis } from 'ioredis';
import type { Delivery } from '../../domain/delivery.js';

/**
 * Ordered delivery lanes: one Redis list per (subscription, job), oldest
 * event first. Only the head of a lane is ever handed to the queue; settling
 * the head (delivered or finally failed) pops it and yields the next one.
 * Both steps are Lua scripts, so they are atomic and safe to repeat.
 */

/** Long enough to absorb Kafka redeliveries after rebalances and restarts. */
const SEEN_TTL_SECONDS = 7 * 24 * 3600;

// KEYS: seen marker, lane, lane index. ARGV: entry JSON, seen TTL.
// Returns { 1 if new, current head or '' }.
const APPEND = `
local fresh = 0
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], KEYS[2])
  fresh = 1
end
return { fresh, redis.call('LINDEX', KEYS[2], 0) or '' }
`;

// KEYS: lane, lane index. ARGV: delivery id.
// Pops the head only if it is this delivery (compare-and-pop), returns the head after that or ''.
const SETTLE = `
local head = redis.call('LINDEX', KEYS[1], 0)
if head and cjson.decode(head).deliveryId == ARGV[1] then
  redis.call('LPOP', KEYS[1])
  head = redis.call('LINDEX', KEYS[1], 0)
end
if not head then
  redis.call('SREM', KEYS[2], KEYS[1])
  return ''
end
return head
`;

interface LaneScripts {
  notifyLaneAppend(seenKey: string, laneKey: string, lanesKey: string, entry: string, ttl: number): Promise<[number, string]>;
  notifyLaneSettle(laneKey: string, lanesKey: string, deliveryId: string): Promise<string>;
}

export interface DeliveryLanes {
  /** Appends unless seen before; returns whether it was new and the lane's head. */
  append(delivery: Delivery): Promise<{ fresh: boolean; head: Delivery | undefined }>;
  /** Releases the lane if `delivery` is its head; returns the head after that. */
  settle(delivery: Delivery): Promise<Delivery | undefined>;
  isHead(delivery: Delivery): Promise<boolean>;
  /** Heads of every non-empty lane (for repair after a crash). */
  heads(): AsyncIterable<Delivery>;
}

const parse = (entry: string): Delivery | undefined => (entry ? (JSON.parse(entry) as Delivery) : undefined);

export function createDeliveryLanes(redis: Redis, prefix: string): DeliveryLanes {
  const lanesKey = `${prefix}:lanes`;
  const laneKey = (d: Delivery) => `${prefix}:lane:${d.subscriptionId}:${encodeURIComponent(d.jobId)}`;
  const seenKey = (d: Delivery) => `${prefix}:seen:${d.deliveryId}`;

  redis.defineCommand('notifyLaneAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('notifyLaneSettle', { numberOfKeys: 2, lua: SETTLE });
  const scripts = redis as unknown as LaneScripts;

  const headOf = async (key: string) => parse((await redis.lindex(key, 0)) ?? '');

  return {
    async append(delivery) {
      const [fresh, head] = await scripts.notifyLaneAppend(
        seenKey(delivery),
        laneKey(delivery),
        lanesKey,
        JSON.stringify(delivery),
        SEEN_TTL_SECONDS,
      );
      return { fresh: fresh === 1, head: parse(head) };
    },

    async settle(delivery) {
      return parse(await scripts.notifyLaneSettle(laneKey(delivery), lanesKey, delivery.deliveryId));
    },

    async isHead(delivery) {
      return (await headOf(laneKey(delivery)))?.deliveryId === delivery.deliveryId;
    },

    async *heads() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.sscan(lanesKey, cursor, 'COUNT', 200);
        cursor = next;
        for (const key of keys) {
          // An empty lane left the index when its last delivery settled.
          const head = await headOf(key);
          if (head) yield head;
        }
      } while (cursor !== '0');
    },
  };
}
