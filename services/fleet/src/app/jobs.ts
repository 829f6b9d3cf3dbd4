import { ConflictError, NotFoundError, ValidationError, currentTraceparent, isKeraError } from '@kera/platform';
import { capacityProblem, windowNotOpen, windowProblem } from '../domain/feasibility.js';
import { createJob, validateSubmission, type SubmitJob } from '../domain/job.js';
import { isTerminal, type Job, type JobStatus, type Profile, type Vehicle } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import type { Clock, DispatchQueue, Ids, JobStore, RoutePlanner, VehicleCommands, VehicleStore } from './ports.js';

export type SubmitJobCommand = Omit<SubmitJob, 'id' | 'profiles'>;

const PROFILES: Profile[] = ['sidewalk', 'road'];

/** A job as operators read it: a queued job says why it still waits. */
export type JobView = Job & { waitReason?: string | undefined };

export interface JobUseCases {
  submitJob(cmd: SubmitJobCommand): Promise<JobView>;
  cancelJob(jobId: string, reason: string): Promise<Job>;
  getJob(jobId: string): Promise<JobView>;
  listJobs(filter: { statuses: JobStatus[]; operatorId?: string | undefined; limit?: number | undefined }): Promise<JobView[]>;
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

  /**
   * Which profiles can route pickup → drop-off, with the trip's duration; the
   * reason when none can. Only the duration is needed here: a 1×1 matrix per
   * profile, not a route with its geometry (the order plans that, from the vehicle).
   */
  async function routableProfiles(cmd: SubmitJobCommand): Promise<Map<Profile, number>> {
    const problems: string[] = [];
    const trips = new Map<Profile, number>();
    await Promise.all(
      PROFILES.map(async (profile) => {
        try {
          const durationS = (await routes.planMatrix(profile, [cmd.pickup], [cmd.dropoff]))[0]?.[0];
          if (durationS === undefined) problems.push(`${profile}: no route from pickup to dropoff`);
          else trips.set(profile, durationS);
        } catch (err) {
          if (!isKeraError(err) || (err.code !== 'INVALID_ARGUMENT' && err.code !== 'NOT_FOUND')) throw err;
          problems.push(`${profile}: ${err.message}`);
        }
      }),
    );
    if (trips.size === 0) throw new ValidationError(`pickup/dropoff cannot be routed (${problems.sort().join('; ')})`);
    return trips;
  }

  /** A queued job's wait reason: its window, or what dispatch last found. */
  const withWaitReasons = async (list: Job[]): Promise<JobView[]> => {
    const queued = list.filter((j) => j.status === 'QUEUED');
    const reasons = await jobs.waitReasons(queued.map((j) => j.id));
    const byId = new Map(queued.map((j, i) => [j.id, reasons[i]]));
    const now = clock.now();
    return list.map((job) => (job.status === 'QUEUED' ? { ...job, waitReason: windowNotOpen(job, now) ?? byId.get(job.id) ?? 'waiting for dispatch' } : job));
  };

  const getJob = async (jobId: string): Promise<JobView> => {
    const job = await jobs.get(jobId);
    if (!job) throw new NotFoundError(`job ${jobId} not found`);
    return (await withWaitReasons([job]))[0]!;
  };

  /** A known request id: the same job, and a queued one gets its dispatch entry back if it lost it. */
  async function resubmitted(jobId: string): Promise<JobView> {
    // A crash between creating and queueing left it CREATED: queue it now.
    await moveJob(deps, jobId, (j) => (j.status === 'CREATED' ? { to: 'QUEUED' } : undefined));
    const job = await getJob(jobId);
    if (job.status === 'QUEUED') await queue.ensureEntry(job);
    return job;
  }

  /** Refuse what no registered vehicle can carry; fail early what no vehicle can deliver in time. */
  async function create(cmd: SubmitJobCommand, trips: Map<Profile, number>): Promise<Job | undefined> {
    const profiles = PROFILES.filter((p) => trips.has(p));
    const tooBig = capacityProblem(cmd.size, profiles, await deps.vehicles.largestCapacity());
    if (tooBig) throw new ConflictError(tooBig);
    const traceparent = currentTraceparent();
    const created = createJob({ ...cmd, id: ids.jobId(), profiles, ...(traceparent ? { traceparent } : {}) }, clock.now());
    if (!(await jobs.create(created, [{ kind: 'job', change: created }]))) return undefined;
    const late = windowProblem(created.job, clock.now(), trips);
    const next = await moveJob(deps, created.job.id, (job) => (job.status !== 'CREATED' ? undefined : late ? { to: 'FAILED', patch: { reason: late } } : { to: 'QUEUED' }));
    const job = next?.job ?? created.job;
    if (job.status === 'QUEUED') await queue.enqueue(job);
    return job;
  }

  return {
    async submitJob(cmd) {
      const problems = validateSubmission(cmd, clock.now());
      if (!cmd.requestId) problems.push('request_id: required (an idempotency key)');
      if (problems.length > 0) throw new ValidationError(problems.join('; '));

      const existing = await jobs.byRequestId(cmd.requestId);
      if (existing) return resubmitted(existing);

      const job = await create(cmd, await routableProfiles(cmd));
      if (job) return (await withWaitReasons([job]))[0]!;
      // Lost a race with the same request id: return the winner's job.
      const winner = await jobs.byRequestId(cmd.requestId);
      if (winner) return getJob(winner);
      throw new ConflictError(`request ${cmd.requestId} is being submitted concurrently`);
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

    listJobs: async (filter) =>
      withWaitReasons(await jobs.list({ statuses: filter.statuses, operatorId: filter.operatorId, limit: Math.min(filter.limit || 100, 1000) })),
  };
}

/** Free a vehicle that was working on a job; false when it had moved on already (nothing to free). */
export async function releaseVehicle(deps: { vehicles: VehicleStore }, vehicleId: string, jobId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const vehicle = await deps.vehicles.get(vehicleId);
    if (!vehicle || vehicle.jobId !== jobId) return false;
    const released: Vehicle = {
      ...vehicle,
      jobId: undefined,
      orderId: undefined,
      status: vehicle.status === 'EN_ROUTE' ? 'IDLE' : vehicle.status,
      version: vehicle.version + 1,
    };
    // Every change goes out with the full vehicle, so fleet:rebuild can restore it.
    if (await deps.vehicles.save(released, vehicle.version, [{ kind: 'vehicle', type: 'STATE', vehicle: released }])) return true;
  }
  return false;
}
