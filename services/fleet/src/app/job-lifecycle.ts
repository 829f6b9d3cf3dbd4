import { ConflictError, NotFoundError } from '@kera/platform';
import { transition, type JobChange, type TransitionPatch } from '../domain/job.js';
import type { Job, JobStatus } from '../domain/types.js';
import type { Clock, FleetEvent, JobStore } from './ports.js';

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
    if (await deps.jobs.save(decision.change, events)) return decision.change;
  }
  throw new ConflictError(`job ${jobId} is changing too often; try again`);
}
