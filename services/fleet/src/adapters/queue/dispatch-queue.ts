import { DelayedError, Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { SpanKind } from '@opentelemetry/api';
import { currentTraceparent, inSpan, traceContextOf } from '@kera/platform';
import type { Dispatcher } from '../../app/dispatcher.js';
import type { DispatchQueue } from '../../app/ports.js';
import type { Job } from '../../domain/types.js';

interface DispatchData {
  jobId: string;
  /** W3C traceparent of the job's submission (or of whoever queued it): the worker continues that trace. */
  traceparent?: string;
}

/** Entry states in which the worker will still take the job. */
const LIVE = new Set(['waiting', 'prioritized', 'delayed', 'active', 'waiting-children']);

/** Higher job priority = sooner; BullMQ runs lower numbers first. */
const bullPriority = (priority: number): number => 1_001 - Math.max(0, Math.min(1_000, priority));

/**
 * The BullMQ `dispatch` queue: one queue entry per time a job is queued.
 * A job no vehicle can take yet is delayed and retried, never dropped.
 */
export function createDispatchQueue(settings: {
  connection: ConnectionOptions;
  workerConnection: ConnectionOptions;
  name: string;
  prefix: string;
  retryMs: number;
  /** Dispatches in flight at once in this process. */
  concurrency: number;
  log: Logger;
}) {
  const log = settings.log.child({ component: 'dispatch-queue' });
  const queue = new Queue<DispatchData>(settings.name, { connection: settings.connection, prefix: settings.prefix });
  queue.on('error', (err) => log.warn({ err }, 'dispatch queue error'));
  let worker: Worker<DispatchData> | undefined;

  const entryId = (job: Job): string => `${job.id}-v${job.version}`;
  const add = async (job: Job, options?: { afterFailedAttempt?: boolean }): Promise<void> => {
    const traceparent = job.traceparent ?? currentTraceparent();
    const notBefore = Math.max(job.earliestPickup?.getTime() ?? 0, options?.afterFailedAttempt ? Date.now() + settings.retryMs : 0);
    await queue.add(
      'dispatch',
      { jobId: job.id, ...(traceparent ? { traceparent } : {}) },
      {
        jobId: entryId(job),
        priority: bullPriority(job.priority),
        // A job with an earliest pickup waits delayed until its window opens.
        delay: Math.max(0, notBefore - Date.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    );
  };

  const port: DispatchQueue = {
    enqueue: add,
    async ensureEntry(job) {
      const entry = await queue.getJob(entryId(job));
      const state = entry ? await entry.getState() : 'unknown';
      if (LIVE.has(state)) return false;
      // A finished entry under the same id would make add() a no-op: remove it first.
      if (entry) await entry.remove();
      await add(job);
      return true;
    },
  };

  return {
    port,
    queue,
    startWorker(dispatch: Dispatcher) {
      worker = new Worker<DispatchData>(
        settings.name,
        async (entry, token) => {
          const spec = { parent: traceContextOf(entry.data.traceparent), kind: SpanKind.CONSUMER, attributes: { 'kera.job.id': entry.data.jobId, 'messaging.system': 'bullmq', 'messaging.destination.name': settings.name } };
          const outcome = await inSpan('dispatch job', spec, () => dispatch(entry.data.jobId));
          if (outcome.kind !== 'dispatched') log.info({ jobId: entry.data.jobId, outcome: outcome.kind, reason: outcome.reason }, 'dispatch did not send an order');
          if (outcome.kind === 'retry') {
            await entry.updateProgress({ waiting: outcome.reason });
            await entry.moveToDelayed(outcome.notBefore?.getTime() ?? Date.now() + settings.retryMs, token);
            throw new DelayedError();
          }
          return outcome;
        },
        { connection: settings.workerConnection, prefix: settings.prefix, concurrency: settings.concurrency },
      );
      worker.on('error', (err) => log.warn({ err }, 'dispatch worker error'));
      worker.on('failed', (entry, err) => log.error({ err, jobId: entry?.data.jobId }, 'dispatch attempt failed'));
    },
    /** Entries not yet done, for the dispatch queue depth metric. */
    depth: () => queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
    async close() {
      await worker?.close();
      await queue.close();
    },
  };
}

export type DispatchQueueAdapter = ReturnType<typeof createDispatchQueue>;
