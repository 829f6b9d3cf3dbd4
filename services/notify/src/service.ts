import { randomBytes, randomUUID } from 'node:crypto';
import { metrics, type Meter } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import {
  TOPICS,
  closeRedis,
  createGrpcAuth,
  createGrpcServer,
  createKafka,
  createLogger,
  createRedis,
  createShutdown,
  createTokenVerifier,
  startOpsServer,
  type Logger,
  type Shutdown,
  type TokenVerifier,
  type startTelemetry,
} from '@kera/platform';
import { SubscriptionServiceService } from '@kera/proto/notify/v1/subscriptions';
import { createWebhookDelivery } from './app/deliver-webhook.js';
import { createJobEventRouter } from './app/job-events.js';
import type { SubscriptionStore } from './app/ports.js';
import { createSubscriptionAccess } from './app/subscription-access.js';
import { createSubscriptionCommands } from './app/subscriptions.js';
import type { Delivery } from './domain/delivery.js';
import type { NotifyConfig } from './config.js';
import { createSubscriptionService } from './adapters/grpc/subscription-service.js';
import { createFetchWebhookSender } from './adapters/http/webhook-sender.js';
import { createJobEventsConsumer } from './adapters/kafka/job-events-consumer.js';
import { createLaneRepair } from './adapters/queue/lane-repair.js';
import {
  WEBHOOK_QUEUE,
  createOrderedDeliveryQueue,
  type OrderedDeliveryQueue,
  type WebhookQueue,
} from './adapters/queue/webhook-queue.js';
import { createWebhookWorker } from './adapters/queue/webhook-worker.js';
import { createDeliveryLanes } from './adapters/redis/delivery-lanes.js';
import { createRedisSubscriptionStore } from './adapters/redis/subscription-store.js';
import { METRIC_NAMES, createNotifyMetrics, type NotifyMetrics } from './metrics.js';

export interface NotifyOverrides {
  log?: Logger;
  topics?: { jobEvents?: string };
  queueName?: string;
  redisPrefix?: string;
  /** Consumer group; 'notify' unless a test needs its own. */
  groupId?: string;
  fromBeginning?: boolean;
  /** From startTelemetry in main; without it metrics go to the global (no-op unless registered) meter. */
  telemetry?: Pick<ReturnType<typeof startTelemetry>, 'meter' | 'exporter'>;
}

export interface NotifyService {
  grpcPort: number;
  opsPort: number;
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
}

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;
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

/** Redis stores, the ordered `webhooks` queue, its worker and the lane repair pass. */
async function startDelivery(
  wiring: Wiring,
  options: { queueName: string; prefix: string },
): Promise<{ subscriptions: SubscriptionStore; deliveries: OrderedDeliveryQueue }> {
  const { config, log, shutdown } = wiring;
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'notify' });
  const workerRedis = createRedis({ url: config.REDIS_URL, log, blocking: true, name: 'notify-worker' });
  shutdown.add('redis', () => Promise.all([closeRedis(workerRedis), closeRedis(redis)]).then(() => undefined));

  const queue: WebhookQueue = new Queue<Delivery, unknown, string>(options.queueName, { connection: redis });
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
    sender: createFetchWebhookSender(),
    clock: wiring.clock,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  });
  const worker = createWebhookWorker({
    queueName: options.queueName,
    connection: workerRedis,
    concurrency: config.WEBHOOK_CONCURRENCY,
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
  return { subscriptions, deliveries };
}

async function startJobEventsConsumer(
  wiring: Wiring,
  options: { topic: string; groupId: string; fromBeginning: boolean },
  stores: { subscriptions: SubscriptionStore; deliveries: OrderedDeliveryQueue },
): Promise<void> {
  const { config, log } = wiring;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'notify', log });
  await kafka.ensureTopics([{ ...TOPICS.fleetJobEvents, name: options.topic }]);
  const consumer = createJobEventsConsumer({
    kafka,
    ...options,
    router: createJobEventRouter(stores),
    metrics: wiring.metrics,
    log,
  });
  wiring.shutdown.add('job-events consumer', () => consumer.stop());
  await consumer.start();
}

async function startSubscriptionApi(wiring: Wiring, subscriptions: SubscriptionStore) {
  const { config, log } = wiring;
  const grpc = createGrpcServer({ log, services: ['kera.notify.v1.SubscriptionService'] });
  const commands = createSubscriptionCommands({ store: subscriptions, clock: wiring.clock, newId: newSubscriptionId, newSecret });
  const access = createSubscriptionAccess({ commands, store: subscriptions });
  grpc.server.addService(SubscriptionServiceService, createSubscriptionService(access, createGrpcAuth(wiring.verifier), log));
  wiring.shutdown.add('gRPC server', () => grpc.close(Math.floor(config.SHUTDOWN_DEADLINE_MS / 2)));
  const port = await grpc.listen(`0.0.0.0:${config.GRPC_PORT}`);
  return { port, setServing: grpc.setServing };
}

/**
 * Builds and starts notify: gRPC SubscriptionService, the job-events consumer,
 * the ordered webhook worker and the ops server. Closers run in reverse
 * order: health NOT_SERVING → gRPC → consumer → worker and queue → Redis.
 */
export async function startNotifyService(config: NotifyConfig, overrides: NotifyOverrides = {}): Promise<NotifyService> {
  const log = overrides.log ?? createLogger({ name: 'notify', level: config.LOG_LEVEL });
  const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  const meter = overrides.telemetry?.meter ?? metrics.getMeter('notify');
  const verifier = createTokenVerifier({ keys: config.AUTH_PUBLIC_KEYS, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
  const wiring: Wiring = { config, log, shutdown, meter, metrics: createNotifyMetrics(meter), clock: { now: () => new Date() }, verifier };
  const queueName = overrides.queueName ?? WEBHOOK_QUEUE;
  const topic = overrides.topics?.jobEvents ?? TOPICS.fleetJobEvents.name;
  let ready = false;

  try {
    const ops = await startOpsServer({ port: config.OPS_PORT, log, ready: () => ready, exporter: overrides.telemetry?.exporter });
    shutdown.add('ops server', () => ops.close());
    const stores = await startDelivery(wiring, { queueName, prefix: overrides.redisPrefix ?? config.REDIS_PREFIX });
    await startJobEventsConsumer(
      wiring,
      { topic, groupId: overrides.groupId ?? 'notify', fromBeginning: overrides.fromBeginning ?? config.KAFKA_FROM_BEGINNING },
      stores,
    );
    const grpc = await startSubscriptionApi(wiring, stores.subscriptions);
    shutdown.add('readiness', () => {
      ready = false;
      grpc.setServing(false);
    });
    grpc.setServing(true);
    ready = true;
    log.info({ grpcPort: grpc.port, opsPort: ops.port, topic, queueName }, 'notify started');
    return { grpcPort: grpc.port, opsPort: ops.port, stop: () => shutdown.run('stop') };
  } catch (err) {
    await shutdown.run('startup failed');
    throw err;
  }
}
