import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { currentTraceparent, traceContextOf, untraced, type EventProducer } from '@kera/platform';
import type { FleetEvent } from '../../app/ports.js';
import { toKafkaRecord, type KafkaRecord, type TopicNames } from '../proto-mapping.js';
import { luaScript } from '../redis/lua.js';
import type { FleetKeys } from '../redis/stores.js';

interface OutboxEntry {
  t: string;
  k: string;
  v: string;
  /** W3C traceparent of the write: the relay's send continues that trace (absent outside one). */
  tp?: string;
}

/** A decoded entry: the Kafka record and the trace it continues. */
type RelayedRecord = KafkaRecord & { traceparent?: string | undefined };

/** Fleet events → outbox entries, written atomically with the state they describe. */
export const encodeOutboxEntries = (topics: TopicNames, now: () => Date) => (events: FleetEvent[]): string[] =>
  events.map((event) => {
    const record = toKafkaRecord(event, topics, now());
    const tp = currentTraceparent();
    return JSON.stringify({ t: record.topic, k: record.key, v: record.value.toString('base64'), ...(tp ? { tp } : {}) } satisfies OutboxEntry);
  });

const RELEASE_LOCK = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`);
const LOCK_TTL_MS = 15_000;
/**
 * Trim what was sent only while still holding the lock, and extend it: a relay
 * whose lock ran out (a slow send) must not trim entries another relay now
 * reads, or those would be dropped unsent. Its own sends were duplicates at worst.
 */
const TRIM_IF_HELD = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('LTRIM', KEYS[2], tonumber(ARGV[2]), -1)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 1
end
return 0`);

/** An outbox entry Kafka will never take, as kept in the parked list. */
export interface ParkedEntry {
  entry: string;
  reason: string;
  at: string;
}

/**
 * Kafka refused the records for good (too large, corrupt, invalid topic), as
 * opposed to being unreachable: parking is right for the first only, or an
 * outage would empty the outbox into the parked list.
 */
export function isUnsendable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const k = e as { name?: string; retriable?: boolean; cause?: unknown; originalError?: unknown };
    if (k.name === 'KafkaJSProtocolError' && k.retriable === false) return true;
    e = k.cause ?? k.originalError;
  }
  return false;
}

const decode = (text: string, topics: TopicNames): RelayedRecord | string => {
  try {
    const e = JSON.parse(text) as Partial<OutboxEntry>;
    if (typeof e.t !== 'string' || typeof e.k !== 'string' || typeof e.v !== 'string') return 'not an outbox entry';
    if (!Object.values(topics).includes(e.t)) return `unknown topic ${e.t}`;
    return { topic: e.t, key: e.k, value: Buffer.from(e.v, 'base64'), traceparent: typeof e.tp === 'string' ? e.tp : undefined };
  } catch {
    return 'not JSON';
  }
};

/**
 * Moves outbox entries to Kafka in order and only then removes them:
 * at-least-once (consumers dedupe by envelope id). Job events are also
 * published on a Redis channel for WatchJobs streams. An entry Kafka refuses
 * for good, or that cannot be decoded, is parked (list, metric, log) instead
 * of blocking every entry behind it.
 */
export function createOutboxRelay(deps: {
  redis: Redis;
  keys: FleetKeys;
  producer: EventProducer;
  topics: TopicNames;
  log: Logger;
  pollMs: number;
  instanceId: string;
  parked?: (count: number) => void;
}) {
  const { redis, keys, producer, log } = deps;
  let draining: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let parkedSinceAsked = 0;
  let stopped = false;

  const park = async (entries: Array<{ text: string; reason: string }>): Promise<void> => {
    if (entries.length === 0) return;
    const at = new Date().toISOString();
    await redis.rpush(keys.outboxParked, ...entries.map((e) => JSON.stringify({ entry: e.text, reason: e.reason, at } satisfies ParkedEntry)));
    for (const e of entries) log.error({ reason: e.reason, bytes: e.text.length, parkedList: keys.outboxParked }, 'outbox entry cannot be sent; parked it');
    parkedSinceAsked += entries.length;
    deps.parked?.(entries.length);
  };

  /** Under the outbox lock, so no relay trims around it. */
  async function withLock<T>(work: () => Promise<T>): Promise<T | undefined> {
    const locked = await redis.set(keys.outboxLock, deps.instanceId, 'PX', LOCK_TTL_MS, 'NX');
    if (!locked) return undefined;
    try {
      return await work();
    } finally {
      await RELEASE_LOCK(redis, [keys.outboxLock], [deps.instanceId]);
    }
  }

  /** Send one batch; when Kafka refuses it for good, send one by one and return those it refuses. */
  async function sendBatch(batch: Array<{ text: string; record: RelayedRecord }>): Promise<Array<{ text: string; reason: string }>> {
    const send = (items: typeof batch) =>
      producer.send(
        items[0]!.record.topic,
        items.map(({ record }) => ({ key: record.key, value: record.value, ...(record.traceparent ? { trace: traceContextOf(record.traceparent) } : {}) })),
      );
    try {
      await send(batch);
      return [];
    } catch (err) {
      if (!isUnsendable(err)) throw err;
    }
    const refused: Array<{ text: string; reason: string }> = [];
    for (const item of batch) {
      try {
        await send([item]);
      } catch (err) {
        if (!isUnsendable(err)) throw err;
        refused.push({ text: item.text, reason: `kafka refused it: ${(err as Error).message}` });
      }
    }
    return refused;
  }

  async function drainChunk(): Promise<boolean> {
    const entries = await redis.lrange(keys.outbox, 0, 199);
    if (entries.length === 0) return false;
    const decoded = entries.map((text) => ({ text, record: decode(text, deps.topics) }));
    const unreadable = decoded.flatMap((d) => (typeof d.record === 'string' ? [{ text: d.text, reason: d.record }] : []));
    const sendable = decoded.filter((d): d is { text: string; record: RelayedRecord } => typeof d.record !== 'string');
    const refused = [];
    for (const batch of consecutiveByTopic(sendable)) refused.push(...(await sendBatch(batch)));
    await park([...unreadable, ...refused]);
    const parked = new Set(refused.map((r) => r.text));
    // One pipeline, in order: a round trip per job event made the relay fall behind under load.
    const feed = redis.pipeline();
    for (const { text, record } of sendable) {
      if (record.topic === deps.topics.jobEvents && !parked.has(text)) feed.publish(keys.jobEventsChannel, record.value.toString('base64'));
    }
    const failed = feed.length > 0 ? (await feed.exec())?.find(([err]) => err) : undefined;
    if (failed) throw failed[0];
    const held = await TRIM_IF_HELD(redis, [keys.outboxLock, keys.outbox], [deps.instanceId, entries.length, LOCK_TTL_MS]);
    if (held !== 1) log.warn({ entries: entries.length }, 'outbox lock lost during a send; leaving the batch to the relay that holds it');
    return held === 1;
  }

  async function drainOnce(): Promise<void> {
    await withLock(async () => {
      while (await drainChunk());
    });
  }

  const drain = (): Promise<void> => {
    if (draining) {
      again = true;
      return draining;
    }
    // Each entry's send continues the trace it was written in; the relay's own polling belongs to none.
    draining = untraced(drainOnce)
      .catch((err: unknown) => log.warn({ err }, 'outbox relay failed; will retry'))
      .finally(() => {
        draining = undefined;
        if (again) {
          again = false;
          void drain();
        }
      });
    return draining;
  };

  return {
    /** Drain soon: called after every write that appended events (left for the poll of another replica or the next start once stopped). */
    kick: () => {
      if (!stopped) void drain();
    },
    /**
     * The reconciler's outbox repair: a drain parks what cannot be decoded or
     * is refused for good; returns how many this relay parked since last asked.
     */
    async parkUnsendable(): Promise<number> {
      await drain();
      const count = parkedSinceAsked;
      parkedSinceAsked = 0;
      return count;
    },
    parkedCount: () => redis.llen(keys.outboxParked),
    start() {
      timer = setInterval(() => void drain(), deps.pollMs);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await draining;
      await drain();
      // A kick that came during the last drain starts one more: wait for it too, so nothing runs on a closed connection.
      while (draining) await draining;
    },
  };
}

function consecutiveByTopic<T extends { record: KafkaRecord }>(items: T[]): T[][] {
  const batches: T[][] = [];
  for (const item of items) {
    const last = batches.at(-1);
    if (last && last[0]!.record.topic === item.record.topic) last.push(item);
    else batches.push([item]);
  }
  return batches;
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
