import type { EventConsumer, IncomingMessage, KafkaPort, Logger } from '@kera/platform';
import type { ConsoleEvent } from '../../domain/console-events.js';
import type { ConsoleProjection } from '../redis/console-projection.js';
import { toConsoleInput, type ConsoleTopics } from './console-mapping.js';

/**
 * Feeds the console's projection and live stream from the Kafka topics. Two
 * groups: the small compacted topics (incidents, feed status) are read from
 * the start by a new group, so they are complete at once; vehicle states
 * (a snapshot comes from fleet's ListVehicles), jobs, orders, dead letters
 * and traffic changes from now on.
 * Undecodable messages are logged and skipped; Redis failures throw, so the
 * message is retried (handlers are idempotent: state by key, jobs by version).
 */
export function createConsoleConsumers(deps: { kafka: KafkaPort; topics: ConsoleTopics; groupId: string; projection: ConsoleProjection; log: Logger }): EventConsumer[] {
  const log = deps.log.child({ component: 'console-consumer' });
  const { topics, projection } = deps;

  const handle = async (message: IncomingMessage): Promise<void> => {
    let input: ReturnType<typeof toConsoleInput>;
    try {
      input = toConsoleInput(topics, message);
    } catch (err) {
      log.warn({ topic: message.topic, partition: message.partition, offset: message.offset, reason: (err as Error).message }, 'console event rejected');
      return;
    }
    if (!input) return;
    let event: ConsoleEvent = input as ConsoleEvent;
    if (input.kind === 'order') {
      // Orders carry the job, not its operator: the job event (earlier on its own topic) names it.
      const operatorId = (await projection.operatorOfJob(input.route.jobId)) ?? '';
      event = { kind: 'route', data: { ...input.route, operatorId } };
    }
    await projection.apply(event);
  };

  return [
    deps.kafka.consumer({ groupId: `${deps.groupId}-state`, topics: [topics.incidents, topics.feedStatus], fromBeginning: true, handle }),
    deps.kafka.consumer({ groupId: `${deps.groupId}-live`, topics: [topics.vehicleEvents, topics.jobEvents, topics.orders, topics.ingestDlq, topics.trafficChanges], fromBeginning: false, handle }),
  ];
}
