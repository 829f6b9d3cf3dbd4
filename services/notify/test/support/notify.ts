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
import { JobStatus, type Job, type JobEvent } from '@kera/proto/fleet/v1/jobs';
import {
  SubscriptionServiceClient,
  type CreateSubscriptionRequest,
  type CreateSubscriptionResponse,
} from '@kera/proto/notify/v1/subscriptions';
import { testInfra, uniqueName } from '@kera/testkit';
import { notifyConfigSchema } from '../../src/config.js';
import { startNotifyService, type NotifyService } from '../../src/service.js';

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
  queue: Queue;
  redis: Redis;
  prefix: string;
  subscribe(request: Partial<CreateSubscriptionRequest>): Promise<CreateSubscriptionResponse>;
  /** Publishes one event per status for one job, in order; returns the envelope ids. */
  publishLifecycle(jobId: string, operatorId: string, statuses?: readonly JobStatus[]): Promise<string[]>;
  close(): Promise<void>;
}

export function jobEvent(jobId: string, operatorId: string, status: JobStatus, previous: JobStatus, version: number): JobEvent {
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
  };
  return { job, previousStatus: previous };
}

export const envelopeId = (): string => crypto.randomUUID();

export async function startNotifyHarness(env: Record<string, string> = {}): Promise<NotifyHarness> {
  const infra = await testInfra();
  const log = createLogger({ name: 'notify-test', level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const topic = uniqueName('test.notify.job-events');
  const queueName = uniqueName('webhooks-test');
  const prefix = uniqueName('test:notify');
  const config = parseConfig(notifyConfigSchema, {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    GRPC_PORT: '0',
    OPS_PORT: '0',
    LOG_LEVEL: 'warn',
    WEBHOOK_TIMEOUT_MS: '300',
    WEBHOOK_MAX_ATTEMPTS: '4',
    WEBHOOK_BACKOFF_MS: '40',
    WEBHOOK_LANE_REPAIR_INTERVAL_MS: '250',
    SHUTDOWN_DEADLINE_MS: '8000',
    ...env,
  });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'notify-test', log });
  // One partition: the tests rely on the order between different jobs too.
  await kafka.ensureTopics([{ name: topic, partitions: 1, cleanupPolicy: 'delete', retentionMs: 3_600_000, description: 'test' }]);
  const service = await startNotifyService(config, {
    log,
    topics: { jobEvents: topic },
    queueName,
    redisPrefix: prefix,
    groupId: uniqueName('notify-test'),
    fromBeginning: true,
  });
  const producer = await kafka.producer();
  const client = new SubscriptionServiceClient(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure());
  const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new Queue(queueName, { connection: redis });

  return {
    service,
    client,
    kafka,
    producer,
    topic,
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
    async close() {
      client.close();
      await producer.close();
      await service.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await closeRedis(redis);
      await kafka.deleteTopics([topic]);
    },
  };
}

/** Resolves when no webhook job is waiting, running or scheduled for retry. */
export async function queueIdle(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(counts).every((count) => count === 0);
}
