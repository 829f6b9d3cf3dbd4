import type { Logger } from '@kera/platform';
import type { DeliveryLanes } from '../redis/delivery-lanes.js';
import { startPeriodic } from './periodic.js';
import type { OrderedDeliveryQueue, WebhookQueue } from './webhook-queue.js';

/**
 * The safety net for crashes between the two non-atomic steps (lane update
 * and BullMQ add): every lane head must have a live job. A head without a job
 * gets one; a head whose job already finished is settled. Both are
 * idempotent, so several notify instances may repair at once.
 */
export function createLaneRepair(deps: {
  lanes: DeliveryLanes;
  queue: WebhookQueue;
  deliveries: OrderedDeliveryQueue;
  log: Logger;
}) {
  const { lanes, queue, deliveries } = deps;
  const log = deps.log.child({ component: 'lane-repair' });

  const runOnce = async (): Promise<number> => {
    let repaired = 0;
    for await (const head of lanes.heads()) {
      const state = await queue.getJobState(head.deliveryId);
      if (state === 'unknown') {
        await deliveries.schedule(head);
        repaired += 1;
      } else if (state === 'completed' || state === 'failed') {
        const next = await lanes.settle(head);
        if (next) await deliveries.schedule(next);
        repaired += 1;
      }
    }
    if (repaired > 0) log.warn({ repaired }, 'repaired stuck delivery lanes');
    return repaired;
  };

  return {
    runOnce,
    /** Runs now and then every intervalMs until the returned stop() is called. */
    start: (intervalMs: number) => startPeriodic('lane repair', runOnce, intervalMs, log),
  };
}
