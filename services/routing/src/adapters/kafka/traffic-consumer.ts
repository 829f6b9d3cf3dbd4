import {
  EVENTS,
  isKeraError,
  unwrap,
  wrap,
  type EventProducer,
  type IncomingMessage,
  type KafkaPort,
  type Logger,
} from '@kera/platform';
import { FeedState } from '@kera/proto/ingest/v1/feed_status';
import type { TrafficUpdater } from '../../app/traffic-updater.js';
import type { FeedHealth } from '../../domain/traffic-feeds.js';
import type { ApplyOutcome } from '../../domain/traffic-state.js';
import type { RoutingMetrics } from '../../metrics.js';
import { createCatchUpTracker } from './catch-up.js';
import { toIncidentFact, toObservationFact } from './traffic-mapping.js';

export interface TrafficTopics {
  readonly observations: string;
  readonly incidents: string;
  readonly changes: string;
  /** ingest.feed-status.v1: which city feeds are stale (reported in route responses). */
  readonly feedStatus?: string;
  /** Undecodable traffic messages go here; logged only when unset. */
  readonly deadLetters?: string;
}

/** How long a freshly joined consumer may sit without messages before it counts as caught up. */
const CATCH_UP_IDLE_MS = 2_000;

export interface TrafficConsumer {
  /** Joins, replays both topics from the beginning, resolves once caught up. */
  start(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads every observation and incident (a per-replica group, from the beginning)
 * and hands them to the traffic updater. Bad messages are dead-lettered with a
 * precise reason and never block the partition.
 */
export function createTrafficConsumer(deps: {
  kafka: KafkaPort;
  producer: EventProducer;
  topics: TrafficTopics;
  groupId: string;
  updater: TrafficUpdater;
  /** Updated from the feed-status topic when it is configured. */
  feeds?: FeedHealth;
  metrics: RoutingMetrics;
  log: Logger;
}): TrafficConsumer {
  const { topics, updater, log } = deps;
  const inputTopics = [topics.observations, topics.incidents, ...(topics.feedStatus ? [topics.feedStatus] : [])];
  let tracker: ReturnType<typeof createCatchUpTracker> | undefined;

  const apply = (message: IncomingMessage): ApplyOutcome => {
    if (message.topic === topics.feedStatus) {
      if (!message.value) return 'no_effect';
      const { payload } = unwrap(EVENTS.feedStatus, message.value);
      const stale = payload.state === FeedState.STALE;
      deps.feeds?.apply(payload.feed, stale, payload.changedAt?.getTime() ?? 0);
      log.info({ feed: payload.feed, stale }, stale ? 'city feed is stale: routes report it' : 'city feed is fresh');
      return 'applied';
    }
    if (message.topic === topics.observations) {
      if (!message.value) return 'no_effect';
      const { meta, payload } = unwrap(EVENTS.observation, message.value);
      return updater.observe(toObservationFact(payload, meta.occurredAt));
    }
    if (!message.value) {
      // A tombstone on the compacted incidents topic withdraws the incident with that key.
      const incidentId = message.key?.toString() ?? '';
      if (!incidentId) return 'no_effect';
      return updater.incident({ incidentId, kind: 'unspecified', severity: 'unspecified', geometry: { kind: 'point', point: { lat: 0, lon: 0 } }, active: false });
    }
    const fact = toIncidentFact(unwrap(EVENTS.incident, message.value).payload);
    const outcome = updater.incident(fact);
    if (outcome === 'applied' || outcome === 'removed') {
      log.info({ incidentId: fact.incidentId, kind: fact.kind, severity: fact.severity }, outcome === 'applied' ? 'incident applied to the weights' : 'incident lifted');
    }
    return outcome;
  };

  const deadLetter = async (message: IncomingMessage, reason: string): Promise<void> => {
    log.warn({ topic: message.topic, partition: message.partition, offset: message.offset, reason }, 'rejected traffic message');
    if (!topics.deadLetters) return;
    const value = wrap(
      EVENTS.deadLetter,
      {
        sourceTopic: message.topic,
        sourcePartition: message.partition,
        sourceOffset: message.offset,
        originalKey: message.key ?? Buffer.alloc(0),
        originalValue: message.value ?? Buffer.alloc(0),
        originalHeaders: message.headers,
        errorCode: 'routing_rejected',
        reason,
        rejectedAt: new Date(),
      },
      { source: 'routing' },
    );
    await deps.producer.send(topics.deadLetters, [{ key: `${message.topic}:${message.partition}:${message.offset}`, value }]);
  };

  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    topics: inputTopics,
    fromBeginning: true,
    handle: async (message) => {
      const kind = message.topic === topics.observations ? 'observation' : message.topic === topics.feedStatus ? 'feed_status' : 'incident';
      try {
        const outcome = apply(message);
        deps.metrics.trafficMessages.add(1, { kind, outcome });
      } catch (err) {
        if (!isKeraError(err)) throw err;
        deps.metrics.trafficMessages.add(1, { kind, outcome: 'rejected' });
        await deadLetter(message, err.message);
      }
      tracker?.saw(message.topic, message.partition, message.offset);
    },
  });

  return {
    async start(timeoutMs) {
      const ends = await Promise.all(
        inputTopics.map(async (topic) =>
          (await deps.kafka.endOffsets(topic)).map((p) => ({ topic, ...p })),
        ),
      );
      tracker = createCatchUpTracker(ends.flat(), CATCH_UP_IDLE_MS);
      await consumer.start();
      tracker.joined();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`traffic topics not caught up within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([tracker.caughtUp(), timeout]);
      } finally {
        clearTimeout(timer);
      }
      log.info({ groupId: deps.groupId }, 'traffic state rebuilt from the topics');
    },
    async stop() {
      tracker?.close();
      await consumer.stop();
    },
  };
}
