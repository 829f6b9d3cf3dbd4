import type { Job } from 'bullmq';
import type { DeadLetter, DeadLetterStore } from '../../app/dead-letters.js';
import type { Delivery } from '../../domain/delivery.js';
import type { WebhookQueue } from './webhook-queue.js';

const PAGE = 200;

const toDeadLetter = (job: Job<Delivery>): DeadLetter => ({
  id: job.id ?? job.data.deliveryId,
  delivery: job.data,
  reason: job.failedReason ?? '',
  attempts: job.attemptsMade,
  failedAt: job.finishedOn ? new Date(job.finishedOn) : undefined,
});

/** Dead letters are the `failed` set of the webhooks queue (kept 30 days). */
export function createQueueDeadLetterStore(queue: WebhookQueue): DeadLetterStore {
  return {
    async list({ operatorId, subscriptionId, limit }) {
      const found: DeadLetter[] = [];
      for (let start = 0; found.length < limit; start += PAGE) {
        const jobs = (await queue.getJobs(['failed'], start, start + PAGE - 1, false)).filter(Boolean);
        for (const job of jobs) {
          if (operatorId !== undefined && job.data.operatorId !== operatorId) continue;
          if (subscriptionId && job.data.subscriptionId !== subscriptionId) continue;
          if (found.length < limit) found.push(toDeadLetter(job));
        }
        if (jobs.length < PAGE) break;
      }
      return found;
    },
    async get(id) {
      const job = await queue.getJob(id);
      return job && (await job.getState()) === 'failed' ? toDeadLetter(job) : undefined;
    },
    async remove(id) {
      await queue.remove(id);
    },
  };
}
