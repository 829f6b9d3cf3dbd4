import {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type Message,
  type Producer,
  type logCreator,
} from 'kafkajs';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TopicSpec } from './topics.js';
import type { KafkaSecurity } from './security.js';
import { createBatchConsumer } from './batch-consumer.js';
import { joinedSends, type TopicBatch } from './joined-sends.js';
import { GROUP_SETTINGS, groupConsumer, prepareGroupStart, toIncoming, type GroupStartOptions } from './consumer-group.js';
import { pinTraceHeaders } from './pinned-trace.js';
import { startSpanUnder } from '../tracing.js';

/**
 * The Kafka port. Services depend on these interfaces, never on kafkajs, so
 * the client can be swapped (see STACK.md).
 */
export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
  /**
   * The trace this message continues when it is not the active one (an outbox
   * entry written by an earlier request); its headers then carry that trace.
   */
  trace?: Context;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker/producer timestamp, ms since epoch. */
  timestamp: number;
}

export interface EventProducer {
  /** Resolves once every message is durable on the broker (acks=all). */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Several topics in one produce request per broker; resolves once all are durable (acks=all). */
  sendMany(batches: ReadonlyArray<{ topic: string; messages: OutgoingMessage[] }>): Promise<void>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  /**
   * Sends made while a produce request is in flight go out together in the
   * next request (up to JOINED_REQUEST_BYTES) instead of one request each;
   * every send still resolves only once its own messages are durable. For
   * a service that sends from several partitions' handlers at once.
   */
  joinConcurrentSends?: boolean;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /**
   * Where a group without committed offsets starts: at the beginning, or (the
   * default) at the end as it was just before the first join, which becomes the
   * group's commit so no later restart or rebalance skips anything (consumer-group.ts).
   */
  fromBeginning?: boolean;
  /**
   * Called once per message, in order per partition. The offset is committed
   * only after it resolves: at-least-once, so handlers must be idempotent.
   */
  handle: (message: IncomingMessage) => Promise<void>;
}

/**
 * A batch handler in two stages, so a partition's next chunk is prepared
 * while the current one is delivered. Both run in order per partition; the
 * next chunk's `prepare` starts once this chunk's `prepare` resolved (one
 * chunk ahead at most); `deliver` starts once the previous chunk's `deliver`
 * resolved. A chunk's offsets commit only after its `deliver` resolved:
 * at-least-once. A chunk prepared ahead of a failed delivery, a rebalance or a
 * stop is never delivered and is read again, so `prepare` must only do work
 * that a re-read repeats harmlessly (idempotent merges, no outputs).
 */
export interface BatchStages<P> {
  prepare(messages: IncomingMessage[]): Promise<P>;
  deliver(prepared: P): Promise<void>;
}

export type BatchConsumerOptions<P = unknown> = {
  groupId: string;
  topics: string[];
  /** As in ConsumerOptions. */
  fromBeginning?: boolean;
  /** Default 1000. */
  maxBatchSize?: number;
  /** Partitions handled at the same time by this instance; default 3. */
  partitionsConsumedConcurrently?: number;
  /** A fetch waits for this many bytes (or maxWaitTimeInMs): bigger batches under load. kafkajs default 1. */
  minBytes?: number;
  /** kafkajs default 5000. */
  maxWaitTimeInMs?: number;
} & (
  | {
      /**
       * Called with consecutive messages of one partition (at most maxBatchSize),
       * in order; partitions run concurrently. Offsets up to the last message
       * commit only after it resolves: at-least-once, so handlers must be idempotent.
       */
      handleBatch: (messages: IncomingMessage[]) => Promise<void>;
    }
  | { stages: BatchStages<P> }
);

export interface EventConsumer {
  /** Resolves when the group has joined and partitions are assigned. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * True while the broker answers this consumer: a fetch or heartbeat succeeded
   * within the last LIVENESS_MS. Services report it on /readyz.
   */
  live(): boolean;
}

export interface KafkaPort {
  producer(options?: ProducerOptions): Promise<EventProducer>;
  consumer(options: ConsumerOptions): EventConsumer;
  batchConsumer<P>(options: BatchConsumerOptions<P>): EventConsumer;
  ensureTopics(topics: readonly TopicSpec[]): Promise<string[]>;
  deleteTopics(names: string[]): Promise<void>;
  /** Remove a consumer group that has no members left (e.g. a one-off reader's). */
  deleteGroup(groupId: string): Promise<void>;
  /** Committed offsets of a group, per topic partition (for lag and tests). */
  committedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>>;
  /** High-water marks of a topic, per partition. */
  endOffsets(topic: string): Promise<Array<{ partition: number; offset: string }>>;
}

const toKafkaLogLevel = (level: string): KafkaLogLevel => {
  switch (level) {
    case 'debug':
    case 'trace':
      return KafkaLogLevel.INFO;
    case 'info':
    case 'warn':
      return KafkaLogLevel.WARN;
    default:
      return KafkaLogLevel.ERROR;
  }
};

/**
 * Broker answers kafkajs logs as errors although they are how a healthy group
 * works: members join or leave (rolling deploy, scale-out) and the group
 * rebalances; kafkajs rejoins by itself. Not logged as errors or warnings.
 */
const ROUTINE_GROUP_ERRORS = /group is rebalancing|coordinator is loading|not the correct coordinator/i;

const pinoLogCreator = (log: Logger): logCreator => () => ({ level, log: entry }) => {
  const { message, ...rest } = entry;
  const fields = { namespace: entry.namespace, broker: rest.broker, error: rest.error };
  const routine = ROUTINE_GROUP_ERRORS.test(String(rest.error ?? ''));
  // The protocol-level "Response Heartbeat" lines at debug, the consumer's "re-joining" at info.
  if (routine && level === KafkaLogLevel.ERROR) log.debug(fields, message);
  else if (routine) log.info(fields, message);
  else if (level === KafkaLogLevel.ERROR) log.error(fields, message);
  else if (level === KafkaLogLevel.WARN) log.warn(fields, message);
  else log.debug(fields, message);
};

/**
 * A message as kafkajs takes it, with W3C trace context in its headers: the
 * active context, or for a message with its own `trace` a producer span under
 * that trace (pinned, so the kafkajs instrumentation keeps it). The returned
 * spans end when the send settles.
 */
const toKafkaMessage = (topic: string, m: OutgoingMessage, spans: Span[]) => {
  const headers: Record<string, string> = { ...m.headers };
  if (!m.trace) {
    propagation.inject(context.active(), headers);
    return { key: m.key, value: m.value, headers };
  }
  const send = startSpanUnder(`send ${topic}`, m.trace, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'send' },
  });
  spans.push(send.span);
  const own: Record<string, string> = {};
  propagation.inject(send.context, own);
  const message = { key: m.key, value: m.value, headers: { ...headers, ...own } };
  pinTraceHeaders(message, own);
  return message;
};

/** Ends the spans of messages sent on other traces' behalf once the send settles. */
async function endingSpans<T>(spans: Span[], sending: () => Promise<T>): Promise<T> {
  try {
    return await sending();
  } catch (err) {
    for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

export const extractTraceContext = (headers: Record<string, string>): Context =>
  propagation.extract(context.active(), headers);

/** `security` (TLS, SASL/SCRAM) comes from kafkaSecurity(config); without it the connection is plaintext. */
export function createKafka(options: { brokers: string[]; clientId: string; log: Logger; security?: KafkaSecurity }): KafkaPort {
  const log = options.log.child({ component: 'kafka' });
  const settings = { clientId: options.clientId, brokers: options.brokers, retry: { initialRetryTime: 200, retries: 8 }, ...options.security };
  const kafka = new Kafka({ ...settings, logLevel: toKafkaLogLevel(log.level), logCreator: pinoLogCreator(log) });
  // Only for waiting on the group coordinator: the retriable errors it sees while the broker loads are expected.
  const quiet = new Kafka({ ...settings, logLevel: KafkaLogLevel.NOTHING, retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 30 } });
  const prepareGroup = (options: GroupStartOptions) => prepareGroupStart(quiet, log, options);

  const admin = async <T>(work: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const client = kafka.admin();
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.disconnect();
    }
  };

  return {
    async producer(options = {}) {
      const producer: Producer = kafka.producer({
        idempotent: true,
        // An idempotent producer must retry until the broker answers (kafkajs warns
        // "Limiting retries ... may invalidate EoS guarantees" otherwise): a send waits
        // out a broker outage rather than failing and being resent by the caller.
        retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: Number.MAX_SAFE_INTEGER },
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const request = (topicMessages: Array<TopicBatch<Message>>) => producer.sendBatch({ acks: -1, topicMessages }).then(() => undefined);
      const produce = options.joinConcurrentSends ? joinedSends(request) : request;
      return {
        async send(topic, messages) {
          if (messages.length === 0) return;
          const spans: Span[] = [];
          const batch = { topic, messages: messages.map((m): Message => toKafkaMessage(topic, m, spans)) };
          await endingSpans(spans, () => produce([batch]));
        },
        async sendMany(batches) {
          const spans: Span[] = [];
          const topicMessages = batches
            .filter((b) => b.messages.length > 0)
            .map((b) => ({ topic: b.topic, messages: b.messages.map((m): Message => toKafkaMessage(b.topic, m, spans)) }));
          if (topicMessages.length === 0) return;
          await endingSpans(spans, () => produce(topicMessages));
        },
        close: () => producer.disconnect(),
      };
    },

    batchConsumer(options) {
      return createBatchConsumer(kafka, options as BatchConsumerOptions<unknown>, log, prepareGroup);
    },

    consumer({ groupId, topics, fromBeginning = false, handle }) {
      const consumer: Consumer = kafka.consumer({
        groupId,
        ...GROUP_SETTINGS,
      });
      return groupConsumer(consumer, { log, prepareGroup, kind: 'consumer' }, { groupId, topics, fromBeginning }, {
        eachMessage: async ({ topic, partition, message }) => {
          const incoming = toIncoming(topic, partition, message);
          // The kafkajs instrumentation already made a process span from the headers; without it, continue them here.
          const active = trace.getSpan(context.active()) ? context.active() : extractTraceContext(incoming.headers);
          await context.with(active, () => handle(incoming));
        },
      });
    },

    ensureTopics: (specs) =>
      admin(async (a) => {
        const existing = new Set(await a.listTopics());
        const missing = specs.filter((s) => !existing.has(s.name));
        if (missing.length > 0) {
          await a.createTopics({
            waitForLeaders: true,
            topics: missing.map((s) => ({
              topic: s.name,
              numPartitions: s.partitions,
              replicationFactor: -1,
              configEntries: [
                { name: 'cleanup.policy', value: s.cleanupPolicy },
                { name: 'retention.ms', value: String(s.retentionMs) },
              ],
            })),
          });
        }
        return missing.map((s) => s.name);
      }),

    deleteTopics: (names) => admin((a) => a.deleteTopics({ topics: names })),

    deleteGroup: (groupId) => admin(async (a) => void (await a.deleteGroups([groupId]))),

    committedOffsets: (groupId, topic) =>
      admin(async (a) => {
        const [result] = await a.fetchOffsets({ groupId, topics: [topic] });
        return (result?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset }));
      }),

    endOffsets: (topic) =>
      admin(async (a) => (await a.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high }))),
  };
}
