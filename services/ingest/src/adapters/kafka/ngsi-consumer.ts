import type { EventConsumer, KafkaPort } from '@kera/platform';
import type { NgsiIngest } from '../../app/ingest-ngsi.js';

/** city.ngsi.v1 → the NGSI use case. The offset commits only after `handle` resolves. */
export function createNgsiConsumer(options: {
  kafka: KafkaPort;
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  ingest: NgsiIngest;
}): EventConsumer {
  return options.kafka.consumer({
    groupId: options.groupId,
    topics: [options.topic],
    fromBeginning: options.fromBeginning,
    handle: (message) => options.ingest.handle(message),
  });
}
