import { EVENTS, unwrap, type EventConsumer, type IncomingMessage, type KafkaPort, type Logger } from '@kera/platform';
import type { JobEventRouter } from '../../app/job-events.js';
import type { JobChanged } from '../../domain/webhook-event.js';
import type { NotifyMetrics } from '../../metrics.js';
import { toJobChanged } from './job-mapping.js';

/**
 * Consumes fleet job events and hands them to the router. A message that
 * cannot be decoded is logged with its coordinates and counted, then skipped:
 * it stays on the Kafka log at that offset. Redis failures throw, so kafkajs
 * retries the message and the offset is not committed.
 */
export function createJobEventsConsumer(deps: {
  kafka: KafkaPort;
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  router: JobEventRouter;
  metrics: NotifyMetrics;
  log: Logger;
}): EventConsumer {
  const log = deps.log.child({ component: 'job-events' });

  const handle = async (message: IncomingMessage): Promise<void> => {
    let change: JobChanged;
    try {
      if (!message.value) throw new Error('empty message');
      const { meta, payload } = unwrap(EVENTS.jobEvent, message.value);
      change = toJobChanged(meta, payload);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.warn({ topic: message.topic, partition: message.partition, offset: message.offset, reason }, 'job event rejected');
      deps.metrics.eventRejected();
      return;
    }
    const { planned, enqueued } = await deps.router.onJobChanged(change);
    deps.metrics.deliveriesEnqueued(enqueued);
    log.debug({ eventId: change.eventId, jobId: change.job.id, planned, enqueued }, 'job event routed');
  };

  return deps.kafka.consumer({ groupId: deps.groupId, topics: [deps.topic], fromBeginning: deps.fromBeginning, handle });
}
