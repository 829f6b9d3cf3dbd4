import type { Queue } from 'bullmq';
import { currentTraceparent } from '@kera/platform';
import type { DeliveryQueue } from '../../app/ports.js';
import type { Delivery } from '../../domain/delivery.js';
import type { DeliveryLanes } from '../redis/delivery-lanes.js';

export const WEBHOOK_QUEUE = 'webhooks';

export interface RetryPolicy {
  maxAttempts: number;
  /** First retry delay; doubles with every attempt (exponential backoff with jitter). */
  backoffMs: number;
}

export type WebhookQueue = Queue<Delivery, unknown, string>;

export interface OrderedDeliveryQueue extends DeliveryQueue {
  /** Puts a lane head on the BullMQ queue; a no-op while its job exists. */
  schedule(head: Delivery): Promise<void>;
}

/**
 * Deliveries enter their lane first; only a lane's head becomes a BullMQ job,
 * under the deterministic id `<event id>.<subscription id>`. So at most one
 * event per (subscription, job) is in flight, and a retrying event holds back
 * the ones after it.
 */
export function createOrderedDeliveryQueue(deps: {
  queue: WebhookQueue;
  lanes: DeliveryLanes;
  retry: RetryPolicy;
}): OrderedDeliveryQueue {
  const { queue, lanes, retry } = deps;

  const schedule = async (head: Delivery): Promise<void> => {
    await queue.add(head.eventType, head, {
      jobId: head.deliveryId,
      attempts: retry.maxAttempts,
      backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.2 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      // Failed deliveries stay visible for inspection and manual retry.
      removeOnFail: { age: 30 * 24 * 3600, count: 100_000 },
    });
  };

  return {
    schedule,
    async enqueue(deliveries) {
      // Each delivery of one change goes to a different subscription, so to a different lane.
      const results = await Promise.all(
        deliveries.map(async (planned) => {
          // The lane keeps the trace, so the head scheduled later (after its predecessor settles) carries it on.
          const traceparent = currentTraceparent() ?? planned.traceparent;
          const delivery: Delivery = { ...planned, ...(traceparent ? { traceparent } : {}) };
          const { fresh, head } = await lanes.append(delivery);
          // Scheduling the head even for a duplicate repairs a crash between append and add.
          if (head) await schedule(head);
          return fresh;
        }),
      );
      return results.filter(Boolean).length;
    },
  };
}
