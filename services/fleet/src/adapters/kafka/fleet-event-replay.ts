import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EVENTS, unwrap, type IncomingMessage, type KafkaPort } from '@kera/platform';
import type { FleetEventReplay, ReplayedEvent } from '../../app/rebuild.js';
import type { TopicNames } from '../proto-mapping.js';
import { etaChangedFromPb, jobFromPb, orderFromEvent, vehicleFromPb } from './event-decoding.js';

/**
 * Reads fleet's three topics from the beginning up to their end offsets at
 * the start (a fresh consumer group, so nothing else's offsets move), in
 * order per partition, and hands over each event decoded.
 */
export function createFleetEventReplay(deps: { kafka: KafkaPort; topics: TopicNames; log: Logger; idleMs?: number }): FleetEventReplay {
  const log = deps.log.child({ component: 'fleet-event-replay' });

  const decode = (m: IncomingMessage): ReplayedEvent | undefined => {
    if (!m.value) return undefined;
    if (m.topic === deps.topics.jobEvents) {
      const event = unwrap(EVENTS.jobEvent, m.value).payload;
      return event.job ? { kind: 'job', job: jobFromPb(event.job), etaChanged: etaChangedFromPb(event) } : undefined;
    }
    if (m.topic === deps.topics.vehicleEvents) {
      const vehicle = unwrap(EVENTS.vehicleEvent, m.value).payload.vehicle;
      return vehicle ? { kind: 'vehicle', vehicle: vehicleFromPb(vehicle, 0) } : undefined;
    }
    const event = unwrap(EVENTS.orderEvent, m.value).payload;
    return event.order ? { kind: 'order', order: orderFromEvent(event) } : undefined;
  };

  return {
    async replay(onEvent) {
      const topics = [deps.topics.jobEvents, deps.topics.vehicleEvents, deps.topics.orders];
      // What is left to read, per topic-partition: the end offset at the start.
      const remaining = new Map<string, bigint>();
      for (const topic of topics) {
        for (const { partition, offset } of await deps.kafka.endOffsets(topic)) if (BigInt(offset) > 0n) remaining.set(`${topic}/${partition}`, BigInt(offset));
      }
      let events = 0;
      let undecodable = 0;
      const warned = new Set<string>();
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      if (remaining.size === 0) finish();
      // A partition whose records retention deleted has an end offset but nothing to read (the
      // port has no low-water mark): a reader idle that long after joining has read everything.
      let idle: NodeJS.Timeout | undefined;
      const armIdle = (ms = deps.idleMs ?? 10_000) => {
        clearTimeout(idle);
        idle = setTimeout(finish, ms);
      };
      const groupId = `fleet-rebuild-${randomUUID()}`;
      const consumer = deps.kafka.consumer({
        groupId,
        topics,
        fromBeginning: true,
        handle: async (m) => {
          armIdle();
          const key = `${m.topic}/${m.partition}`;
          const end = remaining.get(key);
          if (end === undefined || BigInt(m.offset) >= end) return; // written after the rebuild started
          try {
            const event = decode(m);
            if (event) onEvent(event);
            events++;
          } catch (err) {
            undecodable++;
            // The first per topic says why; the rest are counted in the summary.
            if (!warned.has(m.topic)) log.warn({ err, topic: m.topic, partition: m.partition, offset: m.offset }, 'skipping events fleet cannot rebuild from');
            warned.add(m.topic);
          }
          if (BigInt(m.offset) + 1n >= end) remaining.delete(key);
          if (remaining.size === 0) finish();
        },
      });
      await consumer.start();
      armIdle(3 * (deps.idleMs ?? 10_000)); // the first fetch after joining may take a while
      try {
        await done;
      } finally {
        clearTimeout(idle);
        await consumer.stop();
        // A one-off reader: leave no group behind on the broker.
        await deps.kafka.deleteGroup(groupId).catch((err: unknown) => log.warn({ err, groupId }, 'could not delete the rebuild consumer group'));
      }
      return { events, undecodable };
    },
  };
}
