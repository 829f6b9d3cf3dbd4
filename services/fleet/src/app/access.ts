/**
 * Who may see and change which jobs and vehicles. An operator acts on its
 * own jobs only; an admin on all. Another operator's job answers NOT_FOUND,
 * exactly like a job that does not exist, so ids of other operators' jobs
 * reveal nothing. Wraps the use cases; the rules themselves are pure.
 */
import { NotFoundError, PermissionDeniedError, ValidationError } from '@kera/platform';
import type { EtaRecord } from '../domain/eta.js';
import type { Job, Vehicle } from '../domain/types.js';
import type { JobUseCases, SubmitJobCommand } from './jobs.js';
import type { JobStore, VehicleStore } from './ports.js';

export type Actor = { kind: 'operator'; operatorId: string } | { kind: 'admin' };

export const canSeeJob = (actor: Actor, job: Pick<Job, 'operatorId'>): boolean =>
  actor.kind === 'admin' || job.operatorId === actor.operatorId;

/** The operator a request acts for: an operator's own id (empty means itself), or the one an admin names. */
export function actingOperator(actor: Actor, requested: string, field = 'operator_id'): string {
  if (actor.kind === 'admin') {
    if (!requested) throw new ValidationError(`${field}: required with an admin token (whom to act for)`);
    return requested;
  }
  if (requested && requested !== actor.operatorId) throw new PermissionDeniedError(`${field}: an operator token acts only for its own operator (${actor.operatorId})`);
  return actor.operatorId;
}

/** What an operator sees of a vehicle: its public state, and the job and order only when the job is its own. */
export const vehicleView = (vehicle: Vehicle, ownsItsJob: boolean): Vehicle =>
  ownsItsJob ? vehicle : { ...vehicle, jobId: undefined, orderId: undefined };

export interface JobAccess {
  submitJob(actor: Actor, cmd: SubmitJobCommand): Promise<Job>;
  cancelJob(actor: Actor, jobId: string, reason: string): Promise<Job>;
  getJob(actor: Actor, jobId: string): Promise<Job>;
  listJobs(actor: Actor, filter: Parameters<JobUseCases['listJobs']>[0] & { operatorId: string }): Promise<Job[]>;
  etaHistory(actor: Actor, jobId: string): Promise<EtaRecord[]>;
}

/** Without `etas` (unit tests of the other calls) a job's ETA history is empty. */
export function createJobAccess(jobs: JobUseCases, etas: { history(jobId: string): Promise<EtaRecord[]> } = { history: async () => [] }): JobAccess {
  const getJob = async (actor: Actor, jobId: string) => {
    const job = await jobs.getJob(jobId);
    if (!canSeeJob(actor, job)) throw new NotFoundError(`job ${jobId} not found`);
    return job;
  };
  return {
    submitJob: async (actor, cmd) => {
      const operatorId = actingOperator(actor, cmd.operatorId);
      // Request ids are idempotency keys per operator: one operator's key never returns another's job.
      return jobs.submitJob({ ...cmd, operatorId, requestId: cmd.requestId && `${operatorId}/${cmd.requestId}` });
    },
    cancelJob: async (actor, jobId, reason) => {
      await getJob(actor, jobId);
      return jobs.cancelJob(jobId, reason);
    },
    getJob,
    listJobs: async (actor, filter) =>
      jobs.listJobs({ ...filter, operatorId: actor.kind === 'admin' ? filter.operatorId || undefined : actingOperator(actor, filter.operatorId) }),
    etaHistory: async (actor, jobId) => {
      await getJob(actor, jobId);
      return etas.history(jobId);
    },
  };
}

export interface VehicleQueries {
  list(actor: Actor): Promise<Vehicle[]>;
  get(actor: Actor, vehicleId: string): Promise<Vehicle>;
}

export function createVehicleQueries(deps: { vehicles: VehicleStore; jobs: JobStore }): VehicleQueries {
  const view = async (actor: Actor, vehicle: Vehicle): Promise<Vehicle> => {
    if (actor.kind === 'admin') return vehicle;
    const job = vehicle.jobId ? await deps.jobs.get(vehicle.jobId) : undefined;
    return vehicleView(vehicle, job !== undefined && canSeeJob(actor, job));
  };
  return {
    list: async (actor) => Promise.all((await deps.vehicles.list()).map((v) => view(actor, v))),
    get: async (actor, vehicleId) => {
      const vehicle = await deps.vehicles.get(vehicleId);
      if (!vehicle) throw new NotFoundError(`vehicle ${vehicleId} not found`);
      return view(actor, vehicle);
    },
  };
}
