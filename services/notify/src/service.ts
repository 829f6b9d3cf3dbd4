import { randomBytes, randomUUID } from 'node:crypto';
import { metrics, type Meter } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import {
  TOPICS,
  closeRedis,
  createGrpcAuth,
  createGrpcServer,
  createKafka,
  kafkaSecurity,
  createLogger,
  createRedis,
  createShutdown,
  createTokenVerifier,
  startOpsServer,
  type EventConsumer,
  type Logger,
  type Shutdown,
  type TokenVerifier,
  type startTelemetry,
} from '@kera/platform';
import { SubscriptionServiceService } from '@kera/proto/notify/v1/subscriptions';
import type { Redis } from 'ioredis';
import { createDeadLetterCommands } from './app/dead-letters.js';
import { createWebhookDelivery } from './app/deliver-webhook.js';
import { createDelayCheck, createJobEventHandler } from './app/job-events.js';
import type { SubscriptionStore } from './app/ports.js';
import { createEventPublisher, type EventPublisher } from './app/publish-events.js';
import { createRouteWatchHandler } from './app/route-events.js';
import { createSubscriptionAccess } from './app/subscription-access.js';
import { createSubscriptionCommands } from './app/subscriptions.js';
import { createVehicleEventHandler } from './app/vehicle-events.js';
import type { Delivery } from './domain/delivery.js';
import type { NotifyConfig } from './config.js';
import { defaultConsoleTopics, startConsole } from './console.js';
import type { ConsoleTopics } from './adapters/kafka/console-mapping.js';
import { createSubscriptionService } from './adapters/grpc/subscription-service.js';
import { createDestinationPolicy } from './adapters/http/destination-policy.js';
import { createStandardWebhookSigner } from './adapters/http/standard-webhooks.js';
import { createDestinationCheck, createWebhookSender } from './adapters/http/webhook-sender.js';
import { createNotifyConsumer, type NotifyTopics } from './adapters/kafka/notify-consumer.js';
import { createQueueDeadLetterStore } from './adapters/queue/dead-letter-store.js';
import { createLaneRepair } from './adapters/queue/lane-repair.js';
import { startPeriodic } from './adapters/queue/periodic.js';
import {
  WEBHOOK_QUEUE,
  createOrderedDeliveryQueue,
  type OrderedDeliveryQueue,
  type WebhookQueue,
} from './adapters/queue/webhook-queue.js';
import { createWebhookWorker } from './adapters/queue/webhook-worker.js';
import {
  createRedisEndpointSlots,
  createRedisLatches,
  createRedisRouteWatch,
  createRedisVehicleStatuses,
} from './adapters/redis/alert-state.js';
import { createDeliveryLanes } from './adapters/redis/delivery-lanes.js';
import { createRedisDeadlines, createRedisJobTracker } from './adapters/redis/job-tracker.js';
import { createRedisSubscriptionStore } from './adapters/redis/subscription-store.js';
import { METRIC_NAMES, createNotifyMetrics, type NotifyMetrics } from './metrics.js';

export interface NotifyOverrides {
  log?: Logger;
  topics?: Partial<NotifyTopics>;
  /** The console's extra input topics (feed status, ingest dead letters, traffic changes). */
  consoleTopics?: Partial<ConsoleTopics>;
  queueName?: string;
  redisPrefix?: string;
  /** Consumer group; 'notify' unless a test needs its own. */
  groupId?: string;
  fromBeginning?: boolean;
  /** From startTelemetry in main; without it metrics go to the global (no-op unless registered) meter. */
  telemetry?: Pick<ReturnType<typeof startTelemetry>, 'meter' | 'exporter'>;
  /** runService's process shutdown; closers are added to it instead of a shutdown of notify's own. */
  shutdown?: Shutdown;
}

export interface NotifyService {
  grpcPort: number;
  opsPort: number;
  consolePort: number;
  /** Idempotent graceful stop, bounded by SHUTDOWN_DEADLINE_MS. */
  stop(): Promise<void>;
}

interface Wiring {
  config: NotifyConfig;
  log: Logger;
  shutdown: Shutdown;
  meter: Meter;
  metrics: NotifyMetrics;
  clock: { now(): Date };
  /** Verifies operator and admin tokens: gRPC metadata here, and HTTP bearer headers too. */
  verifier: TokenVerifier;
  /** Every Kafka consumer (notify's and the console's), stopped together: each stop waits for a fetch. */
  consumers: EventConsumer[];
}

/** Standard Webhooks secret: `whsec_` + standard base64 of 32 random bytes. */
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
const newSubscriptionId = (): string => `sub_${randomUUID().replaceAll('-', '')}`;

function observeQueue(wiring: Wiring, queue: WebhookQueue): void {
  const gauge = wiring.meter.createObservableGauge(METRIC_NAMES.queueJobs, { description: 'Webhook jobs by state' });
  const observe = async (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    for (const [state, count] of Object.entries(counts)) result.observe(count, { state });
  };
  gauge.addCallback(observe);
  wiring.shutdown.add('queue gauge', () => gauge.removeCallback(observe));
}

interface Stores {
  redis: Redis;
  prefix: string;
  queue: WebhookQueue;
  subscriptions: SubscriptionStore;
  deliveries: OrderedDeliveryQueue;
}

/** Redis stores, the ordered `webhooks` queue, its worker and the lane repair pass. */
async function startDelivery(wiring: Wiring, options: { queueName: string; prefix: string }): Promise<Stores> {
  const { config, log, shutdown } = wiring;
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'notify' });
  const workerRedis = createRedis({ url: config.REDIS_URL, log, blocking: true, name: 'notify-worker' });
  shutdown.add('redis', () => Promise.all([closeRedis(workerRedis), closeRedis(redis)]).then(() => undefined));

  // The queue's keys live under notify's own Redis prefix: two notify deployments sharing a Redis
  // (staging and production, two test systems) must never take each other's deliveries.
  const queue: WebhookQueue = new Queue<Delivery, unknown, string>(options.queueName, { connection: redis, prefix: options.prefix });
  queue.on('error', (err) => log.warn({ err }, 'webhook queue error'));
  shutdown.add('webhook queue', () => queue.close());
  observeQueue(wiring, queue);

  const subscriptions = createRedisSubscriptionStore(redis, options.prefix);
  const lanes = createDeliveryLanes(redis, options.prefix);
  const deliveries = createOrderedDeliveryQueue({
    queue,
    lanes,
    retry: { maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, backoffMs: config.WEBHOOK_BACKOFF_MS },
  });
  const webhook = createWebhookDelivery({
    subscriptions,
    sender: createWebhookSender(createDestinationPolicy(config.WEBHOOK_ALLOWED_HOSTS)),
    signer: createStandardWebhookSigner(),
    slots: createRedisEndpointSlots(redis, options.prefix, config.WEBHOOK_ENDPOINT_CONCURRENCY, wiring.clock),
    clock: wiring.clock,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  });
  const worker = createWebhookWorker({
    queueName: options.queueName,
    prefix: options.prefix,
    connection: workerRedis,
    concurrency: config.WEBHOOK_CONCURRENCY,
    busyDelayMs: Math.min(1_000, config.WEBHOOK_TIMEOUT_MS),
    lanes,
    deliveries,
    webhook,
    metrics: wiring.metrics,
    log,
  });
  shutdown.add('webhook worker', () => worker.close());
  void worker.run().catch((err: unknown) => log.error({ err }, 'webhook worker stopped'));
  await worker.waitUntilReady();

  const repair = createLaneRepair({ lanes, queue, deliveries, log }).start(config.WEBHOOK_LANE_REPAIR_INTERVAL_MS);
  shutdown.add('lane repair', () => repair.stop());
  return { redis, prefix: options.prefix, queue, subscriptions, deliveries };
}

/** The use cases behind the input topics and the delay check, all raising events through one publisher. */
function createEventHandlers(wiring: Wiring, stores: Stores) {
  const { config, clock } = wiring;
  const { redis, prefix } = stores;
  const publisher: EventPublisher = createEventPublisher({ ...stores, onEnqueued: wiring.metrics.eventEnqueued });
  const tracker = createRedisJobTracker(redis, prefix);
  const deadlines = createRedisDeadlines(redis, prefix);
  const routes = createRedisRouteWatch(redis, prefix);
  const eta = { thresholdS: config.ETA_CHANGE_THRESHOLD_S, minIntervalS: config.ETA_CHANGE_MIN_INTERVAL_S };
  return {
    jobs: createJobEventHandler({ publisher, tracker, deadlines, routes, clock, eta }),
    vehicles: createVehicleEventHandler({
      publisher,
      tracker,
      statuses: createRedisVehicleStatuses(redis, prefix),
      latches: createRedisLatches(redis, prefix),
      arrivingDistanceM: config.ARRIVING_DISTANCE_M,
    }),
    routes: createRouteWatchHandler({ publisher, tracker, routes, clock, incidentDistanceM: config.INCIDENT_ROUTE_DISTANCE_M }),
    delayCheck: createDelayCheck({ publisher, tracker, deadlines, clock }),
  };
}

/**
 * Consumers of the four input topics and the periodic delay check. The
 * compacted incidents topic holds the closures in force, so its own group
 * reads it from the start when new; the others follow KAFKA_FROM_BEGINNING.
 */
async function startEventConsumers(
  wiring: Wiring,
  options: { topics: NotifyTopics; groupId: string; fromBeginning: boolean },
  stores: Stores,
): Promise<void> {
  const { config, log } = wiring;
  const handlers = createEventHandlers(wiring, stores);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'notify', log, security: kafkaSecurity(config) });
  await kafka.ensureTopics([
    { ...TOPICS.fleetJobEvents, name: options.topics.jobEvents },
    { ...TOPICS.fleetVehicleEvents, name: options.topics.vehicleEvents },
    { ...TOPICS.fleetOrders, name: options.topics.orders },
    { ...TOPICS.trafficIncidents, name: options.topics.incidents },
  ]);
  const common = { kafka, topics: options.topics, handlers, metrics: wiring.metrics, log };
  const consumers = [
    createNotifyConsumer({ ...common, ...options, subscribe: ['jobEvents', 'vehicleEvents', 'orders'] }),
    createNotifyConsumer({ ...common, subscribe: ['incidents'], groupId: `${options.groupId}-incidents`, fromBeginning: true }),
  ];
  wiring.consumers.push(...consumers);
  wiring.shutdown.add('kafka consumers', () => Promise.all(wiring.consumers.map((c) => c.stop())).then(() => undefined));
  await Promise.all(consumers.map((c) => c.start()));

  const delays = startPeriodic('delay check', () => handlers.delayCheck.runOnce(), config.DELAY_CHECK_INTERVAL_MS, log);
  wiring.shutdown.add('delay check', () => delays.stop());
}

async function startSubscriptionApi(wiring: Wiring, stores: Stores) {
  const { config, log } = wiring;
  const grpc = createGrpcServer({ log, tls: config, services: ['kera.notify.v1.SubscriptionService'] });
  const commands = createSubscriptionCommands({
    store: stores.subscriptions,
    destinations: createDestinationCheck(createDestinationPolicy(config.WEBHOOK_ALLOWED_HOSTS)),
    clock: wiring.clock,
    newId: newSubscriptionId,
    newSecret,
  });
  const deadLetters = createDeadLetterCommands({
    store: createQueueDeadLetterStore(stores.queue),
    deliveries: stores.deliveries,
    subscriptions: stores.subscriptions,
  });
  const access = createSubscriptionAccess({ commands, store: stores.subscriptions });
  grpc.server.addService(SubscriptionServiceService, createSubscriptionService(access, deadLetters, createGrpcAuth(wiring.verifier), log));
  wiring.shutdown.add('gRPC server', () => grpc.close(Math.floor(config.SHUTDOWN_DEADLINE_MS / 2)));
  const port = await grpc.listen(`0.0.0.0:${config.GRPC_PORT}`);
  return { port, setServing: grpc.setServing };
}

/**
 * Builds and starts notify: gRPC SubscriptionService, the consumer of job,
 * vehicle, order and incident events, the delay check, the ordered webhook
 * worker and the ops server. Closers run in reverse order: health NOT_SERVING
 * → gRPC → delay check → consumer → lane repair → worker and queue → Redis.
 */
export async function startNotifyService(config: NotifyConfig, overrides: NotifyOverrides = {}): Promise<NotifyService> {
  const log = overrides.log ?? createLogger({ name: 'notify', level: config.LOG_LEVEL });
  // runService's shutdown when run as a process; its own in tests.
  const shutdown = overrides.shutdown ?? createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  const meter = overrides.telemetry?.meter ?? metrics.getMeter('notify');
  const verifier = createTokenVerifier({ keys: config.AUTH_PUBLIC_KEYS, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const wiring: Wiring = { config, log, shutdown, meter, metrics: createNotifyMetrics(meter), clock: { now: () => new Date() }, verifier, consumers: [] };
  const queueName = overrides.queueName ?? WEBHOOK_QUEUE;
  const topics: NotifyTopics = {
    jobEvents: overrides.topics?.jobEvents ?? TOPICS.fleetJobEvents.name,
    vehicleEvents: overrides.topics?.vehicleEvents ?? TOPICS.fleetVehicleEvents.name,
    orders: overrides.topics?.orders ?? TOPICS.fleetOrders.name,
    incidents: overrides.topics?.incidents ?? TOPICS.trafficIncidents.name,
  };
  let started = false;
  let redis: Redis | undefined;
  // Ready once started, while every consumer's broker answers and Redis is connected.
  const ready = () => started && wiring.consumers.every((c) => c.live()) && redis?.status === 'ready';

  try {
    const ops = await startOpsServer({ port: config.OPS_PORT, log, ready, exporter: overrides.telemetry?.exporter });
    shutdown.add('ops server', () => ops.close());
    const stores = await startDelivery(wiring, { queueName, prefix: overrides.redisPrefix ?? config.REDIS_PREFIX });
    redis = stores.redis;
    await startEventConsumers(
      wiring,
      { topics, groupId: overrides.groupId ?? config.KAFKA_GROUP_ID, fromBeginning: overrides.fromBeginning ?? config.KAFKA_FROM_BEGINNING },
      stores,
    );
    const grpc = await startSubscriptionApi(wiring, stores);
    const console = await startConsole(
      { ...wiring, ...stores },
      { topics: defaultConsoleTopics({ ...topics, ...overrides.consoleTopics }), groupId: config.CONSOLE_GROUP_ID ?? `${overrides.groupId ?? config.KAFKA_GROUP_ID}-console` },
    );
    shutdown.add('readiness', () => {
      started = false;
      grpc.setServing(false);
    });
    grpc.setServing(true);
    started = true;
    log.info({ grpcPort: grpc.port, opsPort: ops.port, consolePort: console.port, topics, queueName }, 'notify started');
    return { grpcPort: grpc.port, opsPort: ops.port, consolePort: console.port, stop: () => shutdown.run('stop') };
  } catch (err) {
    await shutdown.run('startup failed');
    throw err;
  }
}
