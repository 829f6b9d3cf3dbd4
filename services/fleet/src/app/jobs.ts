import { ConflictError, NotFoundError, ValidationError, isKeraError } from '@kera/platform';
import { createJob, validateSubmission, type SubmitJob } from '../domain/job.js';
import { isTerminal, type Job, type JobStatus, type Profile } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import type { Clock, DispatchQueue, Ids, JobStore, RoutePlanner, VehicleCommands, VehicleStore } from './ports.js';

export type SubmitJobCommand = Omit<SubmitJob, 'id' | 'profiles'>;

const PROFILES: Profile[] = ['sidewalk', 'road'];

export interface JobUseCases {
  submitJob(cmd: SubmitJobCommand): Promise<Job>;
  cancelJob(jobId: string, reason: string): Promise<Job>;
  getJob(jobId: string): Promise<Job>;
  listJobs(filter: { statuses: JobStatus[]; operatorId?: string | undefined; limit?: number | undefined }): Promise<Job[]>;
}

export function createJobUseCases(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  routes: RoutePlanner;
  queue: DispatchQueue;
  commands: VehicleCommands;
  clock: Clock;
  ids: Ids;
}): JobUseCases {
  const { jobs, routes, queue, clock, ids } = deps;

  /** Which profiles can route pickup → drop-off; the reason when none can. */
  async function routableProfiles(cmd: SubmitJobCommand): Promise<Profile[]> {
    const problems: string[] = [];
    const ok: Profile[] = [];
    for (const profile of PROFILES) {
      try {
        await routes.planRoute(profile, [cmd.pickup, cmd.dropoff]);
        ok.push(profile);
      } catch (err) {
        if (!isKeraError(err) || (err.code !== 'INVALID_ARGUMENT' && err.code !== 'NOT_FOUND')) throw err;
        problems.push(`${profile}: ${err.message}`);
      }
    }
    if (ok.length === 0) throw new ValidationError(`pickup/dropoff cannot be routed (${problems.join('; ')})`);
    return ok;
  }

  const getJob = async (jobId: string): Promise<Job> => {
    const job = await jobs.get(jobId);
    if (!job) throw new NotFoundError(`job ${jobId} not found`);
    return job;
  };

  return {
    async submitJob(cmd) {
      const problems = validateSubmission(cmd, clock.now());
      if (!cmd.requestId) problems.push('request_id: required (an idempotency key)');
      if (problems.length > 0) throw new ValidationError(problems.join('; '));

      const existing = await jobs.byRequestId(cmd.requestId);
      if (existing) return getJob(existing);

      const profiles = await routableProfiles(cmd);
      const created = createJob({ ...cmd, id: ids.jobId(), profiles }, clock.now());
      if (!(await jobs.create(created, [{ kind: 'job', change: created }]))) {
        // Lost a race with the same request id: return the winner's job.
        const winner = await jobs.byRequestId(cmd.requestId);
        if (winner) return getJob(winner);
        throw new ConflictError(`request ${cmd.requestId} is being submitted concurrently`);
      }
      const queued = await moveJob(deps, created.job.id, (job) => (job.status === 'CREATED' ? { to: 'QUEUED' } : undefined));
      const job = queued?.job ?? created.job;
      await queue.enqueue(job);
      return job;
    },

    async cancelJob(jobId, reason) {
      const change = await moveJob(deps, jobId, (job) =>
        isTerminal(job.status) ? undefined : { to: 'CANCELLED', patch: { reason: reason || 'cancelled by operator' } },
      );
      const job = change?.job ?? (await getJob(jobId));
      if (!change) throw new ConflictError(`job ${jobId} is already ${job.status}`);
      if (change.previousStatus && ['ASSIGNED', 'DISPATCHED', 'PICKED_UP'].includes(change.previousStatus) && job.vehicleId) {
        await releaseVehicle(deps, job.vehicleId, job.id);
        // Durable: a vehicle that is away gets the cancel when it reconnects.
        await deps.commands.sendInstantAction(job.vehicleId, 'CANCEL_ORDER');
      }
      return job;
    },

    getJob,

    listJobs: (filter) => jobs.list({ statuses: filter.statuses, operatorId: filter.operatorId, limit: Math.min(filter.limit || 100, 1000) }),
  };
}

/** Free a vehicle that was working on a job (no-op when it moved on). */
export async function releaseVehicle(deps: { vehicles: VehicleStore }, vehicleId: string, jobId: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const vehicle = await deps.vehicles.get(vehicleId);
    if (!vehicle || vehicle.jobId !== jobId) return;
    const released = {
      ...vehicle,
      jobId: undefined,
      orderId: undefined,
      status: vehicle.status === 'EN_ROUTE' ? ('IDLE' as const) : vehicle.status,
      version: vehicle.version + 1,
    };
    if (await deps.vehicles.save(released, vehicle.version, [])) return;
  }
}
