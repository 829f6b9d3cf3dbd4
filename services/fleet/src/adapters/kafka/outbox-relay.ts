import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventProducer } from '@kera/platform';
import type { FleetEvent } from '../../app/ports.js';
import { toKafkaRecord, type KafkaRecord, type TopicNames } from '../proto-mapping.js';
import type { FleetKeys } from '../redis/stores.js';

interface OutboxEntry {
  t: string;
  k: string;
  v: string;
}

/** Fleet events → outbox entries, written atomically with the state they describe. */
export const encodeOutboxEntries = (topics: TopicNames, now: () => Date) => (events: FleetEvent[]): string[] =>
  events.map((event) => {
    const record = toKafkaRecord(event, topics, now());
    return JSON.stringify({ t: record.topic, k: record.key, v: record.value.toString('base64') } satisfies OutboxEntry);
  });

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Moves outbox entries to Kafka in order and only then removes them:
 * at-least-once (consumers dedupe by envelope id). Job events are also
 * published on a Redis channel for WatchJobs streams.
 */
export function createOutboxRelay(deps: { redis: Redis; keys: FleetKeys; producer: EventProducer; topics: TopicNames; log: Logger; pollMs: number; instanceId: string }) {
  const { redis, keys, producer, log } = deps;
  let draining: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function drainOnce(): Promise<void> {
    const locked = await redis.set(keys.outboxLock, deps.instanceId, 'PX', 15_000, 'NX');
    if (!locked) return;
    try {
      for (;;) {
        const entries = await redis.lrange(keys.outbox, 0, 199);
        if (entries.length === 0) return;
        const records: KafkaRecord[] = entries.map((text) => {
          const e = JSON.parse(text) as OutboxEntry;
          return { topic: e.t, key: e.k, value: Buffer.from(e.v, 'base64') };
        });
        for (const batch of consecutiveByTopic(records)) {
          await producer.send(batch[0]!.topic, batch.map(({ key, value }) => ({ key, value })));
        }
        const jobEvents = records.filter((r) => r.topic === deps.topics.jobEvents);
        for (const r of jobEvents) await redis.publish(keys.jobEventsChannel, r.value.toString('base64'));
        await redis.ltrim(keys.outbox, entries.length, -1);
      }
    } finally {
      await redis.eval(RELEASE_LOCK, 1, keys.outboxLock, deps.instanceId);
    }
  }

  const drain = (): Promise<void> => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = drainOnce()
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
    /** Drain soon: called after every write that appended events. */
    kick: () => void drain(),
    start() {
      timer = setInterval(() => void drain(), deps.pollMs);
    },
    async stop() {
      clearInterval(timer);
      await draining;
      await drain();
    },
  };
}

function consecutiveByTopic(records: KafkaRecord[]): KafkaRecord[][] {
  const batches: KafkaRecord[][] = [];
  for (const r of records) {
    const last = batches.at(-1);
    if (last && last[0]!.topic === r.topic) last.push(r);
    else batches.push([r]);
  }
  return batches;
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
