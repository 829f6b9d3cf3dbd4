import { planDeliveries } from '../domain/delivery.js';
import type { OutgoingEvent } from '../domain/webhook-event.js';
import type { DeliveryQueue, SubscriptionStore } from './ports.js';

/**
 * Turns events into deliveries for the operator's subscriptions. Events are
 * enqueued one after another, so two events of one job raised by the same
 * input keep their order in the job's lanes. Idempotent: an event id seen
 * before enqueues nothing new.
 */
export function createEventPublisher(deps: {
  subscriptions: SubscriptionStore;
  deliveries: DeliveryQueue;
  /** Told once per event that enqueued new deliveries (not for a redelivered one). */
  onEnqueued?: (type: OutgoingEvent['type']) => void;
}) {
  return {
    async publish(events: readonly OutgoingEvent[]): Promise<{ planned: number; enqueued: number }> {
      let planned = 0;
      let enqueued = 0;
      for (const event of events) {
        const deliveries = planDeliveries(event, await deps.subscriptions.listByOperator(event.operatorId));
        planned += deliveries.length;
        const fresh = await deps.deliveries.enqueue(deliveries);
        if (fresh > 0) deps.onEnqueued?.(event.type);
        enqueued += fresh;
      }
      return { planned, enqueued };
    },
  };
}

export type EventPublisher = ReturnType<typeof createEventPublisher>;
