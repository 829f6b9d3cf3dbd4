import { DelayedError, Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Dispatcher } from '../../app/dispatcher.js';
import type { DispatchQueue } from '../../app/ports.js';

interface DispatchData {
  jobId: string;
}

/** Higher job priority = sooner; BullMQ runs lower numbers first. */
const bullPriority = (priority: number): number => 1_001 - Math.max(0, Math.min(1_000, priority));

/**
 * The BullMQ `dispatch` queue: one queue entry per time a job is queued.
 * A job no vehicle can take yet is delayed and retried, never dropped.
 */
export function createDispatchQueue(options: {
  connection: ConnectionOptions;
  workerConnection: ConnectionOptions;
  name: string;
  prefix: string;
  retryMs: number;
  log: Logger;
}) {
  const log = options.log.child({ component: 'dispatch-queue' });
  const queue = new Queue<DispatchData>(options.name, { connection: options.connection, prefix: options.prefix });
  queue.on('error', (err) => log.warn({ err }, 'dispatch queue error'));
  let worker: Worker<DispatchData> | undefined;

  const port: DispatchQueue = {
    async enqueue(job) {
      await queue.add(
        'dispatch',
        { jobId: job.id },
        {
          jobId: `${job.id}-v${job.version}`,
          priority: bullPriority(job.priority),
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    },
  };

  return {
    port,
    queue,
    startWorker(dispatch: Dispatcher) {
      worker = new Worker<DispatchData>(
        options.name,
        async (entry, token) => {
          const outcome = await dispatch(entry.data.jobId);
          if (outcome.kind === 'retry') {
            await entry.updateProgress({ waiting: outcome.reason });
            await entry.moveToDelayed(Date.now() + options.retryMs, token);
            throw new DelayedError();
          }
          return outcome;
        },
        { connection: options.workerConnection, prefix: options.prefix, concurrency: 1 },
      );
      worker.on('error', (err) => log.warn({ err }, 'dispatch worker error'));
      worker.on('failed', (entry, err) => log.error({ err, jobId: entry?.data.jobId }, 'dispatch attempt failed'));
    },
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}

export type DispatchQueueAdapter = ReturnType<typeof createDispatchQueue>;
