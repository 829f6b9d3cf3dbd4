import type { AttemptVerdict } from './delivery-outcome.js';
import type { JobEventType } from './event-types.js';
import { wantsEvent, type Subscription } from './subscription.js';
import { toWebhookEvent, type JobChanged } from './webhook-event.js';

/**
 * One event for one subscription. Deliveries of the same job to the same
 * subscription form a lane and go out strictly one after another.
 */
export interface Delivery {
  /** Deterministic, so a redelivered Kafka message maps to the same delivery. */
  deliveryId: string;
  eventId: string;
  eventType: JobEventType;
  subscriptionId: string;
  jobId: string;
  /** The exact JSON body that is signed and POSTed. */
  body: string;
}

/** "." keeps the id usable as a BullMQ job id (which rejects ":"). */
export const deliveryIdOf = (eventId: string, subscriptionId: string): string => `${eventId}.${subscriptionId}`;

/** The deliveries one job change causes: one per subscription that wants it. */
export function planDeliveries(change: JobChanged, subscriptions: readonly Subscription[]): Delivery[] {
  const event = toWebhookEvent(change);
  const body = JSON.stringify(event);
  return subscriptions
    .filter((subscription) => wantsEvent(subscription, change.job.operatorId, event.type))
    .map((subscription) => ({
      deliveryId: deliveryIdOf(event.id, subscription.id),
      eventId: event.id,
      eventType: event.type,
      subscriptionId: subscription.id,
      jobId: change.job.id,
      body,
    }));
}

/**
 * What happens to a delivery after an attempt. `completed` and `failed` settle
 * it, which releases the next event of its lane; `retry` holds the lane.
 */
export type DeliveryStep = 'completed' | 'retry' | 'failed';

export function stepAfterAttempt(
  verdict: AttemptVerdict | 'dropped',
  attempt: number,
  maxAttempts: number,
): DeliveryStep {
  switch (verdict) {
    case 'delivered':
    case 'dropped':
      return 'completed';
    case 'rejected':
      return 'failed';
    case 'retry':
      return attempt >= maxAttempts ? 'failed' : 'retry';
    default: {
      const unreachable: never = verdict;
      throw new Error(`unknown verdict ${String(unreachable)}`);
    }
  }
}
