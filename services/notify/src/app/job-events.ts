import { planDeliveries } from '../domain/delivery.js';
import type { JobChanged } from '../domain/webhook-event.js';
import type { DeliveryQueue, SubscriptionStore } from './ports.js';

/**
 * Turns a job change into deliveries for the operator's subscriptions.
 * Idempotent: the same event again enqueues nothing new.
 */
export function createJobEventRouter(deps: { subscriptions: SubscriptionStore; deliveries: DeliveryQueue }) {
  return {
    async onJobChanged(change: JobChanged): Promise<{ planned: number; enqueued: number }> {
      const subscriptions = await deps.subscriptions.listByOperator(change.job.operatorId);
      const planned = planDeliveries(change, subscriptions);
      const enqueued = await deps.deliveries.enqueue(planned);
      return { planned: planned.length, enqueued };
    },
  };
}

export type JobEventRouter = ReturnType<typeof createJobEventRouter>;
