import * as grpc from '@grpc/grpc-js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EVENTS,
  closeRedis,
  createKafka,
  createLogger,
  parseConfig,
  wrap,
  type EventProducer,
  type KafkaPort,
} from '@kera/platform';
import { EtaChangeCause, JobEventKind, JobStatus, type Job, type JobEvent } from '@kera/proto/fleet/v1/jobs';
import type { OrderEvent, VehicleEvent } from '@kera/proto/fleet/v1/fleet';
import type { Incident } from '@kera/proto/traffic/v1/events';
import {
  SubscriptionServiceClient,
  type CreateSubscriptionRequest,
  type CreateSubscriptionResponse,
} from '@kera/proto/notify/v1/subscriptions';
import { testInfra, uniqueName, waitFor } from '@kera/testkit';
import { notifyConfigSchema } from '../../src/config.js';
import type { NotifyTopics } from '../../src/adapters/kafka/notify-consumer.js';
import { startNotifyService, type NotifyOverrides, type NotifyService } from '../../src/service.js';
import { as, testKeys } from './auth.js';

export const LIFECYCLE = [
  JobStatus.CREATED,
  JobStatus.QUEUED,
  JobStatus.ASSIGNED,
  JobStatus.DISPATCHED,
  JobStatus.PICKED_UP,
  JobStatus.DELIVERED,
] as const;

export const LIFECYCLE_TYPES = ['job.created', 'job.queued', 'job.assigned', 'job.dispatched', 'job.picked_up', 'job.delivered'];

/** A running notify with its own topic, queue, group and Redis prefix, plus clients to drive it. */
export interface NotifyHarness {
  service: NotifyService;
  client: SubscriptionServiceClient;
  kafka: KafkaPort;
  producer: EventProducer;
  topic: string;
  topics: NotifyTopics;
  queue: Queue;
  redis: Redis;
  prefix: string;
  subscribe(request: Partial<CreateSubscriptionRequest>): Promise<CreateSubscriptionResponse>;
  /** Publishes one event per status for one job, in order; returns the envelope ids. */
  publishLifecycle(jobId: string, operatorId: string, statuses?: readonly JobStatus[]): Promise<string[]>;
  /** One job event; returns its envelope id. */
  publishJob(event: JobEvent, occurredAt?: Date): Promise<string>;
  publishVehicle(event: VehicleEvent): Promise<string>;
  publishOrder(event: OrderEvent): Promise<void>;
  publishIncident(incident: Incident): Promise<void>;
  /** Resolves once notify's job projection holds this version of the job (alerts read it). */
  tracked(jobId: string, version: number): Promise<void>;
  close(): Promise<void>;
}

export function jobEvent(
  jobId: string,
  operatorId: string,
  status: JobStatus,
  previous: JobStatus,
  version: number,
  overrides: Partial<Job> = {},
): JobEvent {
  const now = new Date();
  const job: Job = {
    id: jobId,
    operatorId,
    status,
    pickup: { lat: 60.1841, lon: 24.8301 },
    dropoff: { lat: 60.1867, lon: 24.8277 },
    size: 1,
    priority: 0,
    vehicleId: status >= JobStatus.ASSIGNED ? 'robot-7' : '',
    orderId: status >= JobStatus.DISPATCHED ? `order-${jobId}` : '',
    eta: status >= JobStatus.DISPATCHED && status < JobStatus.DELIVERED ? new Date(now.getTime() + 600_000) : undefined,
    reason: '',
    createdAt: now,
    updatedAt: now,
    version,
    requestId: `req-${jobId}`,
    profiles: [],
    waitReason: '',
    ...overrides,
  };
  return { job, previousStatus: previous, kind: JobEventKind.STATUS_CHANGED, etaCause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 };
}

export const envelopeId = (): string => crypto.randomUUID();

export async function startNotifyHarness(
  env: Record<string, string> = {},
  telemetry?: NotifyOverrides['telemetry'],
  options: { queueName?: string } = {},
): Promise<NotifyHarness> {
  const infra = await testInfra();
  const log = createLogger({ name: 'notify-test', level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const topics: NotifyTopics = {
    jobEvents: uniqueName('test.notify.job-events'),
    vehicleEvents: uniqueName('test.notify.vehicle-events'),
    orders: uniqueName('test.notify.orders'),
    incidents: uniqueName('test.notify.incidents'),
  };
  const topic = topics.jobEvents;
  const consoleTopics = { feedStatus: uniqueName('test.notify.feed-status'), ingestDlq: uniqueName('test.notify.ingest-dlq'), trafficChanges: uniqueName('test.notify.traffic-changes') };
  const queueName = options.queueName ?? uniqueName('webhooks-test');
  const prefix = uniqueName('test:notify');
  const config = parseConfig(notifyConfigSchema, {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    GRPC_PORT: '0',
    OPS_PORT: '0',
    CONSOLE_PORT: '0',
    LOG_LEVEL: 'warn',
    WEBHOOK_TIMEOUT_MS: '300',
    WEBHOOK_MAX_ATTEMPTS: '4',
    WEBHOOK_BACKOFF_MS: '40',
    WEBHOOK_LANE_REPAIR_INTERVAL_MS: '250',
    // The test receivers listen on loopback, which notify refuses unless allowlisted.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    DELAY_CHECK_INTERVAL_MS: '100',
    SHUTDOWN_DEADLINE_MS: '8000',
    AUTH_PUBLIC_KEYS: testKeys.publicKeys,
    ...env,
  });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'notify-test', log });
  // One partition: the tests rely on the order between different jobs too.
  await kafka.ensureTopics(
    Object.values(topics).map((name) => ({ name, partitions: 1, cleanupPolicy: 'delete' as const, retentionMs: 3_600_000, description: 'test' })),
  );
  const service = await startNotifyService(config, {
    log,
    topics,
    queueName,
    redisPrefix: prefix,
    groupId: uniqueName('notify-test'),
    fromBeginning: true,
    consoleTopics,
    ...(telemetry ? { telemetry } : {}),
  });
  const producer = await kafka.producer();
  // An admin client, so tests can manage any operator's subscriptions; see subscriptions.test.ts for operator tokens.
  const client = new SubscriptionServiceClient(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure(), as({ scope: 'admin', adminId: 'notify-test' }));
  const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new Queue(queueName, { connection: redis, prefix });

  return {
    service,
    client,
    kafka,
    producer,
    topic,
    topics,
    queue,
    redis,
    prefix,
    subscribe: (request) =>
      new Promise((resolve, reject) =>
        client.createSubscription(
          { operatorId: '', url: '', eventTypes: [], secret: '', ...request },
          (err, response) => (err ? reject(err) : resolve(response)),
        ),
      ),
    async publishLifecycle(jobId, operatorId, statuses = LIFECYCLE) {
      const ids: string[] = [];
      let previous = JobStatus.UNSPECIFIED;
      for (const [index, status] of statuses.entries()) {
        const id = envelopeId();
        ids.push(id);
        const value = wrap(EVENTS.jobEvent, jobEvent(jobId, operatorId, status, previous, index + 1), { source: 'fleet', id });
        await producer.send(topic, [{ key: jobId, value }]);
        previous = status;
      }
      return ids;
    },
    async publishJob(event, occurredAt) {
      const id = envelopeId();
      await producer.send(topics.jobEvents, [{ key: event.job!.id, value: wrap(EVENTS.jobEvent, event, { source: 'fleet', id, occurredAt }) }]);
      return id;
    },
    async publishVehicle(event) {
      const id = envelopeId();
      await producer.send(topics.vehicleEvents, [{ key: event.vehicle!.id, value: wrap(EVENTS.vehicleEvent, event, { source: 'fleet', id }) }]);
      return id;
    },
    async publishOrder(event) {
      await producer.send(topics.orders, [{ key: event.vehicleId, value: wrap(EVENTS.orderEvent, event, { source: 'fleet' }) }]);
    },
    async publishIncident(incident) {
      await producer.send(topics.incidents, [{ key: incident.incidentId, value: wrap(EVENTS.incident, incident, { source: 'ingest' }) }]);
    },
    async tracked(jobId, version) {
      await waitFor(`job ${jobId} v${version} tracked`, async () => {
        const raw = await redis.get(`${prefix}:job:${encodeURIComponent(jobId)}`);
        return raw !== null && (JSON.parse(raw) as { job: { version: number } }).job.version >= version;
      });
    },
    async close() {
      client.close();
      await producer.close();
      await service.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await closeRedis(redis);
      await kafka.deleteTopics([...Object.values(topics), ...Object.values(consoleTopics)]);
    },
  };
}

/** Resolves when no webhook job is waiting, running or scheduled for retry. */
export async function queueIdle(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).every((count) => count === 0);
}
