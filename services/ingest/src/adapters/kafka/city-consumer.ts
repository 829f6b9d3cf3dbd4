import type { EventConsumer, KafkaPort } from '@kera/platform';
import type { BatchIngest } from '../../app/ingest-batch.js';

/** Every city.* topic → the batch use case. Offsets commit only after a batch is handled. */
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
    handleBatch: (messages) => options.ingest.handleBatch(messages),
  });
}
