import { propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createTraceGather, inSpan } from '../tracing.js';
import type { BatchConsumerOptions, BatchStages, EventConsumer, IncomingMessage } from './client.js';
import { GROUP_SETTINGS, groupConsumer, toIncoming, type GroupStartOptions, type StartOffsets } from './consumer-group.js';

/**
 * eachBatch with manual offset resolution: a partition's fetched messages are
 * cut into chunks of at most maxBatchSize and go through the two stages in
 * order. The next chunk's `prepare` runs while the current chunk's `deliver`
 * does (one chunk ahead, never more); a chunk's offsets are resolved only
 * after its own `deliver` resolved, so they commit after its outputs are durable.
 */
export function createBatchConsumer(
  kafka: Kafka,
  options: BatchConsumerOptions<unknown>,
  log: Logger,
  prepareGroup: (options: GroupStartOptions) => Promise<StartOffsets>,
): EventConsumer {
  const { groupId, topics, fromBeginning = false } = options;
  const stages = stagesOf(options);
  const maxBatchSize = options.maxBatchSize ?? 1000;
  const consumer: Consumer = kafka.consumer({
    groupId,
    ...GROUP_SETTINGS,
    ...(options.minBytes !== undefined ? { minBytes: options.minBytes } : {}),
    ...(options.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeInMs } : {}),
  });
  return groupConsumer(consumer, { log, prepareGroup, kind: 'batch consumer' }, { groupId, topics, fromBeginning }, {
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
    eachBatch: (payload) => runChunks(payload, stages, maxBatchSize),
  });
}

/**
 * One fetched batch of a partition, chunk by chunk: the next chunk's prepare
 * overlaps this chunk's deliver; offsets resolve after each deliver.
 */
async function runChunks(payload: EachBatchPayload, stages: BatchStages<unknown>, maxBatchSize: number): Promise<void> {
  const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
  const chunks = chunksOf(batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m)), maxBatchSize);
  const prepare = (chunk: IncomingMessage[]) => stages.prepare(chunk);
  const going = () => isRunning() && !isStale();
  let ahead: Promise<unknown> | undefined = chunks[0] && going() ? prepare(chunks[0]) : undefined;
  try {
    for (let i = 0; ahead; i++) {
      const prepared = await ahead;
      const next = chunks[i + 1];
      ahead = next && going() ? prepare(next) : undefined;
      if (!going()) return;
      await inChunkSpan(batch.topic, chunks[i]!, () => stages.deliver(prepared));
      resolveOffset(chunks[i]!.at(-1)!.offset);
      await heartbeat();
    }
  } finally {
    // Stopped, revoked or failed with a chunk prepared ahead: it is read again from its offset
    // (by this or another member), so its result is dropped; it must not outlive the batch.
    await ahead?.catch(() => undefined);
  }
  await commitOffsetsIfNecessary();
}

/** A plain handleBatch is a pipeline whose prepare only hands the messages on. */
function stagesOf(options: BatchConsumerOptions<unknown>): BatchStages<unknown> {
  if ('stages' in options) return options.stages;
  const { handleBatch } = options;
  return { prepare: async (messages) => messages, deliver: (messages) => handleBatch(messages as IncomingMessage[]) };
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let from = 0; from < items.length; from += size) chunks.push(items.slice(from, from + size));
  return chunks;
}

/**
 * A chunk of messages from many traces is delivered as one piece of work: its
 * span continues the first message's trace and links the others', so what the
 * delivery produces (ingest's observations) carries a trace on.
 */
function inChunkSpan(topic: string, chunk: IncomingMessage[], deliver: () => Promise<void>): Promise<void> {
  const traces = createTraceGather();
  for (const message of chunk) traces.add(propagation.extract(ROOT_CONTEXT, message.headers));
  return inSpan(`process ${topic}`, {
    ...traces.take(),
    kind: SpanKind.CONSUMER,
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.batch.message_count': chunk.length },
  }, deliver);
}
