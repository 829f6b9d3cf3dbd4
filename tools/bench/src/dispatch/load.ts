/**
 * Submits jobs over gRPC JobService at a fixed rate. A call that fails
 * because fleet is away (a replica just died) is retried with the same
 * request id, as a careful client would; the latency counts from the first try.
 */
import * as grpc from '@grpc/grpc-js';
import type { SubmitJobResponse } from '@kera/proto/fleet/v1/jobs';
import { unary, type Clients } from './clients.js';
import { jobRoute, type Place } from './places.js';

export interface Submission {
  index: number;
  requestId: string;
  submittedAt: number;
  jobId?: string;
  /** When SubmitJob answered with the job. */
  acceptedAt?: number;
  attempts: number;
  /** Why the job could not be submitted at all. */
  error?: string;
}

const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.CANCELLED]);
/** A careful client keeps retrying a while; a job it never gets accepted counts as lost. */
const GIVE_UP_AFTER_MS = 60_000;
const CALL_DEADLINE_MS = 10_000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 4_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submitOne(clients: Clients, s: Submission, request: Parameters<Clients['jobs']['submitJob']>[0]): Promise<void> {
  for (;;) {
    s.attempts++;
    try {
      const res = await unary<SubmitJobResponse>((md, opts, cb) => clients.jobs.submitJob(request, md, opts, cb), CALL_DEADLINE_MS);
      s.jobId = res.job?.id;
      s.acceptedAt = Date.now();
      return;
    } catch (err) {
      const e = err as grpc.ServiceError;
      if (!RETRYABLE.has(e.code) || Date.now() - s.submittedAt > GIVE_UP_AFTER_MS) {
        s.error = `${grpc.status[e.code] ?? e.code}: ${e.details ?? e.message}`;
        return;
      }
      await pause(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (s.attempts - 1)));
    }
  }
}

export interface SubmissionRun {
  submissions: Submission[];
  /** When the last job's first attempt was made: the end of the load window. */
  scheduledUntil: number;
  /** Resolves when every call has been answered or given up. */
  settled: Promise<void>;
}

/** `rate` jobs per second for `seconds`, paced against the clock (no drift). */
export async function submitJobs(o: { clients: Clients; run: string; operatorId: string; places: readonly Place[]; rate: number; seconds: number }): Promise<SubmissionRun> {
  const total = Math.round(o.rate * o.seconds);
  const start = Date.now();
  const submissions: Submission[] = [];
  const calls: Promise<void>[] = [];
  for (let index = 0; index < total; index++) {
    const wait = start + (index * 1_000) / o.rate - Date.now();
    if (wait > 0) await pause(wait);
    const s: Submission = { index, requestId: `${o.run}-job-${index}`, submittedAt: Date.now(), attempts: 0 };
    submissions.push(s);
    const { pickup, dropoff } = jobRoute(o.places, index);
    calls.push(submitOne(o.clients, s, { requestId: s.requestId, operatorId: o.operatorId, pickup, dropoff, size: 1, priority: 0 }));
  }
  return { submissions, scheduledUntil: Date.now(), settled: Promise.all(calls).then(() => undefined) };
}
