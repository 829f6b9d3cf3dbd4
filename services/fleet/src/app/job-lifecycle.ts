import { ConflictError, NotFoundError } from '@kera/platform';
import { transition, type JobChange, type TransitionPatch } from '../domain/job.js';
import type { Job, JobStatus } from '../domain/types.js';
import type { Clock, FleetEvent, JobStore } from './ports.js';

/**
 * Move a job to a new status with compare-and-set, retrying when another
 * writer got there first. `decide` sees the latest job and returns the
 * target status, or undefined when nothing should change (idempotent replays).
 */
export async function moveJob(
  deps: { jobs: JobStore; clock: Clock },
  jobId: string,
  decide: (job: Job) => { to: JobStatus; patch?: TransitionPatch } | undefined,
  extraEvents: (change: JobChange) => FleetEvent[] = () => [],
): Promise<JobChange | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const job = await deps.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job ${jobId} not found`);
    const wanted = decide(job);
    if (!wanted) return undefined;
    const decision = transition(job, wanted.to, deps.clock.now(), wanted.patch);
    if (!decision.ok) throw new ConflictError(decision.reason);
    const events: FleetEvent[] = [{ kind: 'job', change: decision.change }, ...extraEvents(decision.change)];
    if (await deps.jobs.save(decision.change, events)) return decision.change;
  }
  throw new ConflictError(`job ${jobId} is changing too often; try again`);
}
