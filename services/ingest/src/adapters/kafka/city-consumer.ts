import type { EventConsumer, KafkaPort } from '@kera/platform';
import type { BatchIngest } from '../../app/ingest-batch.js';

/**
 * Every city.* topic → the batch use case, in its two steps: the next batch of
 * a partition is prepared while the current one is delivered. Offsets commit
 * only after a batch is delivered.
 */
export function createCityConsumer(options: {
  kafka: KafkaPort;
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  ingest: BatchIngest;
  maxBatchSize: number;
  concurrentPartitions: number;
  fetch: { minBytes: number; maxWaitTimeInMs: number };
}): EventConsumer {
  return options.kafka.batchConsumer({
    groupId: options.groupId,
    topics: options.topics,
    fromBeginning: options.fromBeginning,
    maxBatchSize: options.maxBatchSize,
    partitionsConsumedConcurrently: options.concurrentPartitions,
    ...options.fetch,
    stages: { prepare: (messages) => options.ingest.prepare(messages), deliver: (batch) => options.ingest.deliver(batch) },
  });
}
