import * as grpc from '@grpc/grpc-js';
import {
  JobServiceClient,
  type GetJobRequest,
  type GetJobResponse,
  type Job,
  type ListJobsRequest,
  type ListJobsResponse,
  type SubmitJobRequest,
  type SubmitJobResponse,
} from '@kera/proto/fleet/v1/jobs';
import { FleetServiceClient, type GetVehicleRequest, type GetVehicleResponse } from '@kera/proto/fleet/v1/fleet';
import type { Vehicle } from '@kera/proto/fleet/v1/vehicle';
import { uniqueName } from '@kera/testkit';
import type { InstantActionType } from '@kera/proto/fleet/v1/vehicle_link';
import { asOperator } from './auth.js';

export const PICKUP = { lat: 60.1855, lon: 24.829 };
export const DROPOFF = { lat: 60.1875, lon: 24.8335 };

const unaryCall = <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));

/**
 * JobService and FleetService over a real socket, as operator "acme" with its
 * token unless given another caller (instant actions need `asAdmin()`).
 */
export function fleetClient(address: string, caller: grpc.ClientOptions = asOperator('acme')) {
  const jobs = new JobServiceClient(address, grpc.credentials.createInsecure(), caller);
  const fleet = new FleetServiceClient(address, grpc.credentials.createInsecure(), caller);
  return {
    submit: (patch: Partial<SubmitJobRequest> = {}): Promise<Job> =>
      unaryCall<SubmitJobRequest, SubmitJobResponse>(jobs.submitJob.bind(jobs), {
        requestId: uniqueName('req'),
        operatorId: 'acme',
        pickup: PICKUP,
        dropoff: DROPOFF,
        size: 1,
        priority: 0,
        ...patch,
      }).then((r) => r.job!),
    getJob: (jobId: string): Promise<Job> => unaryCall<GetJobRequest, GetJobResponse>(jobs.getJob.bind(jobs), { jobId }).then((r) => r.job!),
    listJobs: (req: Partial<ListJobsRequest> = {}): Promise<Job[]> =>
      unaryCall<ListJobsRequest, ListJobsResponse>(jobs.listJobs.bind(jobs), { statuses: [], operatorId: '', limit: 100, ...req }).then((r) => r.jobs),
    cancel: (jobId: string) => unaryCall(jobs.cancelJob.bind(jobs), { jobId, reason: 'test over' }),
    getVehicle: (vehicleId: string): Promise<Vehicle> =>
      unaryCall<GetVehicleRequest, GetVehicleResponse>(fleet.getVehicle.bind(fleet), { vehicleId }).then((r) => r.vehicle!),
    instantAction: (vehicleId: string, type: InstantActionType) => unaryCall(fleet.sendInstantAction.bind(fleet), { vehicleId, type }),
    close() {
      jobs.close();
      fleet.close();
    },
  };
}

export type FleetClient = ReturnType<typeof fleetClient>;
