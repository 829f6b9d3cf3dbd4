import type { AttemptVerdict } from './delivery-outcome.js';
import type { EventType } from './event-types.js';
import { wantsEvent, type Subscription } from './subscription.js';
import { webhookBody, type OutgoingEvent } from './webhook-event.js';

/**
 * One event for one subscription. Deliveries of the same job to the same
 * subscription form a lane and go out strictly one after another.
 */
export interface Delivery {
  /** Deterministic, so a redelivered Kafka message maps to the same delivery. */
  deliveryId: string;
  eventId: string;
  eventType: EventType;
  subscriptionId: string;
  /** The subscription's operator: dead letters are listed per operator. */
  operatorId: string;
  jobId: string;
  /** The exact JSON body that is signed and POSTed. */
  body: string;
  /** How many times this event was replayed from the dead letters to this subscription. */
  replays?: number;
  /** W3C traceparent of what caused the delivery (a job event): every attempt continues that trace. */
  traceparent?: string;
}

/** "." keeps the id usable as a BullMQ job id (which rejects ":"). */
export const deliveryIdOf = (eventId: string, subscriptionId: string): string => `${eventId}.${subscriptionId}`;

/**
 * A dead letter sent again: same event id and body (so the same `webhook-id`
 * and signature input), a new delivery id so it is a new queue entry. The
 * id counts replays, so replaying one dead letter twice is one replay.
 */
export function replayOf(delivery: Delivery): Delivery {
  const replays = (delivery.replays ?? 0) + 1;
  return { ...delivery, replays, deliveryId: `${deliveryIdOf(delivery.eventId, delivery.subscriptionId)}.replay${replays}` };
}

/** The deliveries one event causes: one per subscription that wants it. */
export function planDeliveries(event: OutgoingEvent, subscriptions: readonly Subscription[]): Delivery[] {
  const body = webhookBody(event);
  return subscriptions
    .filter((subscription) => wantsEvent(subscription, event.operatorId, event.type))
    .map((subscription) => ({
      deliveryId: deliveryIdOf(event.id, subscription.id),
      eventId: event.id,
      eventType: event.type,
      subscriptionId: subscription.id,
      operatorId: subscription.operatorId,
      jobId: event.jobId,
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
