import { TOPICS, closeRedis, createKafka, createRedis, type EventConsumer, type Logger, type Shutdown, type TokenVerifier } from '@kera/platform';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createDeadLetterCommands } from './app/dead-letters.js';
import type { DeliveryQueue, SubscriptionStore } from './app/ports.js';
import type { NotifyConfig } from './config.js';
import { startConsoleServer } from './adapters/console/console-server.js';
import { createEventHub } from './adapters/console/event-hub.js';
import { createFleetSource } from './adapters/console/fleet-source.js';
import { createNetworkSource } from './adapters/console/network-source.js';
import { createConsoleConsumers } from './adapters/kafka/console-consumer.js';
import type { ConsoleTopics } from './adapters/kafka/console-mapping.js';
import { createQueueDeadLetterStore } from './adapters/queue/dead-letter-store.js';
import type { WebhookQueue } from './adapters/queue/webhook-queue.js';
import { createConsoleProjection } from './adapters/redis/console-projection.js';

export interface ConsoleWiring {
  config: NotifyConfig;
  log: Logger;
  shutdown: Shutdown;
  verifier: TokenVerifier;
  redis: Redis;
  prefix: string;
  queue: WebhookQueue;
  deliveries: DeliveryQueue;
  subscriptions: SubscriptionStore;
  /** Stopped with notify's own consumers (see service.ts); the console adds its own here. */
  consumers: EventConsumer[];
}

export const defaultConsoleTopics = (overrides: Partial<ConsoleTopics> = {}): ConsoleTopics => ({
  jobEvents: TOPICS.fleetJobEvents.name,
  vehicleEvents: TOPICS.fleetVehicleEvents.name,
  orders: TOPICS.fleetOrders.name,
  incidents: TOPICS.trafficIncidents.name,
  feedStatus: TOPICS.ingestFeedStatus.name,
  ingestDlq: TOPICS.ingestDlq.name,
  trafficChanges: TOPICS.routingTrafficChanges.name,
  ...overrides,
});

/**
 * The operator console (docs/console.md): its Kafka consumers into the Redis
 * projection and stream, the stream reader for SSE, and the HTTP server.
 */
export async function startConsole(wiring: ConsoleWiring, options: { topics: ConsoleTopics; groupId: string }): Promise<{ port: number }> {
  const { config, log, shutdown } = wiring;
  const projection = createConsoleProjection(wiring.redis, wiring.prefix, config.CONSOLE_STREAM_MAX);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID ?? 'notify'}-console`, log });
  await kafka.ensureTopics([
    { ...TOPICS.ingestFeedStatus, name: options.topics.feedStatus },
    { ...TOPICS.ingestDlq, name: options.topics.ingestDlq },
    { ...TOPICS.routingTrafficChanges, name: options.topics.trafficChanges },
  ]);
  const consumers = createConsoleConsumers({ kafka, topics: options.topics, groupId: options.groupId, projection, log });
  wiring.consumers.push(...consumers);
  await Promise.all(consumers.map((c) => c.start()));

  const reader = createRedis({ url: config.REDIS_URL, log, blocking: true, name: 'notify-console' });
  const hub = createEventHub({ redis: wiring.redis, reader, key: `${wiring.prefix}:console:stream`, log });
  shutdown.add('console stream reader', async () => {
    hub.stop();
    await closeRedis(reader);
  });
  const dispatch = new Queue(config.DISPATCH_QUEUE, { connection: wiring.redis, prefix: config.QUEUE_PREFIX });
  dispatch.on('error', (err) => log.warn({ err }, 'dispatch queue (console view) error'));
  shutdown.add('dispatch queue view', () => dispatch.close());
  const network = createNetworkSource({ address: config.ROUTING_ADDR, maxAgeMs: 2_000, deadlineMs: 10_000 });
  shutdown.add('routing client', async () => network.close());
  const fleet = createFleetSource({ address: config.FLEET_ADDR, deadlineMs: 5_000 });
  shutdown.add('fleet client', async () => fleet.close());
  const deadLetters = createDeadLetterCommands({ store: createQueueDeadLetterStore(wiring.queue), deliveries: wiring.deliveries, subscriptions: wiring.subscriptions });
  const server = await startConsoleServer(
    { verifier: wiring.verifier, projection, hub, network, fleet, deadLetters, queues: [wiring.queue as Queue, dispatch], secureCookie: config.CONSOLE_SECURE_COOKIE, log },
    config.CONSOLE_PORT,
  );
  shutdown.add('console server', () => server.close());
  return { port: server.port };
}
