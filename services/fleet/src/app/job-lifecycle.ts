import { context, trace } from '@opentelemetry/api';
import { ConflictError, NotFoundError, inSpan, traceContextOf, type SpanSpec } from '@kera/platform';
import { transition, type JobChange, type TransitionPatch } from '../domain/job.js';
import type { Job, JobStatus } from '../domain/types.js';
import type { Clock, FleetEvent, JobStore } from './ports.js';

/**
 * A job's every step joins the trace of its submission, whatever caused the
 * step (a vehicle's report arrives on the vehicle's own stream): the span is
 * under the active context when that is already the job's trace, else under
 * the submission's, linking the cause. Its outbox entries carry the trace on.
 */
function inJobTrace(job: Job, attributes: SpanSpec['attributes']): SpanSpec {
  const active = trace.getSpanContext(context.active());
  const submitted = traceContextOf(job.traceparent);
  const jobTrace = trace.getSpanContext(submitted);
  if (!jobTrace || active?.traceId === jobTrace.traceId) return { attributes };
  return { parent: submitted, attributes, links: active ? [{ context: active }] : [] };
}

/**
 * Move a job to a new status with compare-and-set, retrying when another
 * writer got there first. `decide` sees the latest job and returns the
 * target status, or undefined when nothing should change (idempotent replays).
 * `lastRead`, the job as the caller just read it, saves the read when nobody
 * changed it since: a stale copy only fails the compare-and-set, and the retry
 * reads the stored job (which alone decides "no change" or "not allowed").
 */
export async function moveJob(
  deps: { jobs: JobStore; clock: Clock },
  jobId: string,
  decide: (job: Job) => { to: JobStatus; patch?: TransitionPatch } | undefined,
  extraEvents: (change: JobChange) => FleetEvent[] = () => [],
  lastRead?: Job,
): Promise<JobChange | undefined> {
  let known = lastRead;
  for (let attempt = 0; attempt < 10; attempt++) {
    const cached = known !== undefined;
    const job = known ?? (await deps.jobs.get(jobId));
    known = undefined;
    if (!job) throw new NotFoundError(`job ${jobId} not found`);
    const wanted = decide(job);
    const decision = wanted && transition(job, wanted.to, deps.clock.now(), wanted.patch);
    if (cached && !decision?.ok) continue;
    if (!wanted || !decision) return undefined;
    if (!decision.ok) throw new ConflictError(decision.reason);
    const events: FleetEvent[] = [{ kind: 'job', change: decision.change }, ...extraEvents(decision.change)];
    const saved = await inSpan(`job ${wanted.to}`, inJobTrace(job, { 'kera.job.id': jobId, 'kera.job.status': wanted.to }), () => deps.jobs.save(decision.change, events));
    if (saved) return decision.change;
  }
  throw new ConflictError(`job ${jobId} is changing too often; try again`);
}
