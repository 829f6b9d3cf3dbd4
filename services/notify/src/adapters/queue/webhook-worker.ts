import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { SpanKind } from '@opentelemetry/api';
import { inSpan, traceContextOf, type Logger } from '@kera/platform';
import type { WebhookDelivery } from '../../app/deliver-webhook.js';
import { stepAfterAttempt, type Delivery } from '../../domain/delivery.js';
import type { NotifyMetrics } from '../../metrics.js';
import type { DeliveryLanes } from '../redis/delivery-lanes.js';
import type { OrderedDeliveryQueue } from './webhook-queue.js';

export type DeliveryJobResult = { outcome: 'delivered' | 'dropped' | 'superseded'; detail: string };

/**
 * Processes lane heads: one signed POST per attempt. Success or final failure
 * settles the head and schedules the next event of the lane; a retryable
 * failure throws so BullMQ retries it later with backoff, holding the lane.
 */
export function createWebhookWorker(deps: {
  queueName: string;
  /** BullMQ key prefix, the same as the queue's. */
  prefix: string;
  /** A connection with maxRetriesPerRequest: null; BullMQ duplicates it. */
  connection: Redis;
  concurrency: number;
  /** How long a delivery waits before trying again for a slot of its busy endpoint. */
  busyDelayMs: number;
  lanes: DeliveryLanes;
  deliveries: OrderedDeliveryQueue;
  webhook: WebhookDelivery;
  metrics: NotifyMetrics;
  log: Logger;
}): Worker<Delivery, DeliveryJobResult> {
  const { lanes, deliveries, webhook, metrics } = deps;
  const log = deps.log.child({ component: 'webhook-worker' });

  const release = async (delivery: Delivery): Promise<void> => {
    const next = await lanes.settle(delivery);
    if (next) await deliveries.schedule(next);
  };

  const deliverHead = async (job: Job<Delivery>, token?: string): Promise<DeliveryJobResult> => {
    const delivery = job.data;
    if (!(await lanes.isHead(delivery))) {
      // Settled before (a re-run after a crash or stall): send nothing, keep the lane moving.
      await release(delivery);
      return { outcome: 'superseded', detail: 'already settled' };
    }
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const result = await webhook.attempt(delivery, attempt);
    if (result.verdict === 'busy') {
      // Frees this worker slot for other endpoints; a delay is not a failed attempt.
      await job.moveToDelayed(Date.now() + deps.busyDelayMs * (0.5 + Math.random()), token);
      throw new DelayedError();
    }
    metrics.attempt(result.verdict, result.durationMs);
    const context = { deliveryId: delivery.deliveryId, eventType: delivery.eventType, attempt, maxAttempts };
    const step = stepAfterAttempt(result.verdict, attempt, maxAttempts);
    switch (step) {
      case 'completed':
        await release(delivery);
        return { outcome: result.verdict === 'dropped' ? 'dropped' : 'delivered', detail: result.detail };
      case 'retry':
        log.info({ ...context, detail: result.detail }, 'webhook attempt failed; will retry');
        throw new Error(result.detail);
      case 'failed':
        await release(delivery);
        metrics.deliveryFailed(delivery.eventType);
        log.warn({ ...context, detail: result.detail, verdict: result.verdict }, 'webhook delivery failed; kept in the failed set');
        throw new UnrecoverableError(result.detail);
      default: {
        const unreachable: never = step;
        throw new Error(`unknown step ${String(unreachable)}`);
      }
    }
  };

  /** Each attempt continues the trace of the event it delivers. */
  const deliverInTrace = (job: Job<Delivery>, token?: string): Promise<DeliveryJobResult> =>
    inSpan('deliver webhook', {
      parent: traceContextOf(job.data.traceparent),
      kind: SpanKind.CONSUMER,
      attributes: { 'kera.delivery.id': job.data.deliveryId, 'kera.event.type': job.data.eventType, 'kera.job.id': job.data.jobId, 'messaging.system': 'bullmq', 'messaging.destination.name': deps.queueName },
      // Waiting for a slot of a busy endpoint is not a failed attempt.
      isFailure: (err) => !(err instanceof DelayedError),
    }, () => deliverHead(job, token));

  const worker = new Worker<Delivery, DeliveryJobResult>(deps.queueName, deliverInTrace, {
    prefix: deps.prefix,
    connection: deps.connection,
    concurrency: deps.concurrency,
    autorun: false,
  });
  worker.on('error', (err) => log.warn({ err }, 'webhook worker error'));
  return worker;
}
