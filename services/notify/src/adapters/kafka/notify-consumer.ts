import { EVENTS, unwrap, type EventConsumer, type IncomingMessage, type KafkaPort, type Logger } from '@kera/platform';
import type { JobEventHandler } from '../../app/job-events.js';
import type { RouteWatchHandler } from '../../app/route-events.js';
import type { VehicleEventHandler } from '../../app/vehicle-events.js';
import type { NotifyMetrics } from '../../metrics.js';
import { toOrderRoute, toVehicleReport } from './fleet-mapping.js';
import { toIncidentReport } from './incident-mapping.js';
import { toJobChanged } from './job-mapping.js';

export interface NotifyTopics {
  jobEvents: string;
  vehicleEvents: string;
  orders: string;
  incidents: string;
}

interface Handlers {
  jobs: JobEventHandler;
  vehicles: VehicleEventHandler;
  routes: RouteWatchHandler;
}

type Routed = { planned: number; enqueued: number };

/** Decodes a message of one of the topics and picks its handler; throws on undecodable input. */
function decode(topics: NotifyTopics, handlers: Handlers, message: IncomingMessage): () => Promise<Routed> {
  if (!message.value) throw new Error('empty message');
  switch (message.topic) {
    case topics.jobEvents: {
      const { meta, payload } = unwrap(EVENTS.jobEvent, message.value);
      const change = toJobChanged(meta, payload);
      return () => handlers.jobs.onJobChanged(change);
    }
    case topics.vehicleEvents: {
      const { meta, payload } = unwrap(EVENTS.vehicleEvent, message.value);
      const report = toVehicleReport(meta, payload);
      return () => handlers.vehicles.onVehicleReport(report);
    }
    case topics.orders: {
      const order = toOrderRoute(unwrap(EVENTS.orderEvent, message.value).payload);
      return () => (order ? handlers.routes.onOrder(order) : Promise.resolve({ planned: 0, enqueued: 0 }));
    }
    case topics.incidents: {
      const report = toIncidentReport(unwrap(EVENTS.incident, message.value).payload);
      return () => handlers.routes.onIncident(report);
    }
    default:
      throw new Error(`unexpected topic ${message.topic}`);
  }
}

/**
 * A consumer for some of the four public topics notify reads. A message that cannot
 * be decoded is logged with its coordinates and counted, then skipped: it
 * stays on the Kafka log at that offset. Redis failures throw, so the message
 * is retried and its offset not committed.
 */
export function createNotifyConsumer(deps: {
  kafka: KafkaPort;
  topics: NotifyTopics;
  /** Which of the topics this consumer reads. */
  subscribe: readonly (keyof NotifyTopics)[];
  groupId: string;
  fromBeginning: boolean;
  handlers: Handlers;
  metrics: NotifyMetrics;
  log: Logger;
}): EventConsumer {
  const log = deps.log.child({ component: 'consumer' });

  const handle = async (message: IncomingMessage): Promise<void> => {
    let run: () => Promise<Routed>;
    try {
      run = decode(deps.topics, deps.handlers, message);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.warn({ topic: message.topic, partition: message.partition, offset: message.offset, reason }, 'event rejected');
      deps.metrics.eventRejected(message.topic);
      return;
    }
    const { planned, enqueued } = await run();
    deps.metrics.deliveriesEnqueued(enqueued);
    if (planned > 0) log.debug({ topic: message.topic, offset: message.offset, planned, enqueued }, 'event routed');
  };

  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: deps.subscribe.map((name) => deps.topics[name]),
    fromBeginning: deps.fromBeginning,
    handle,
  });
}
