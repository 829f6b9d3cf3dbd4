import * as grpc from '@grpc/grpc-js';
import { EVENTS, unwrap, type IncomingMessage, type KafkaPort } from '@kera/platform';
import { FleetServiceClient, type GetVehicleResponse, type SendInstantActionResponse } from '@kera/proto/fleet/v1/fleet';
import { JobServiceClient, JobStatus, type GetJobResponse, type Job, type SubmitJobResponse } from '@kera/proto/fleet/v1/jobs';
import { VehicleEventType } from '@kera/proto/fleet/v1/fleet';
import type { InstantActionType } from '@kera/proto/fleet/v1/vehicle_link';
import { Inbox, uniqueName } from '@kera/testkit';
import type { TopicNames } from '../src/adapters/proto-mapping.js';
import { asAdmin } from './auth.js';

export const PICKUP = { lat: 60.1855, lon: 24.829 };
export const DROPOFF = { lat: 60.1875, lon: 24.8335 };

const call = <Res>(invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => void): Promise<Res> =>
  new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));

/** JobService and FleetService clients on one fleet address, as an admin (instant actions need one). */
export function operatorClient(address: string) {
  const jobs = new JobServiceClient(address, grpc.credentials.createInsecure(), asAdmin());
  const fleet = new FleetServiceClient(address, grpc.credentials.createInsecure(), asAdmin());
  return {
    submit: (patch: object = {}): Promise<Job> =>
      call<SubmitJobResponse>((cb) => jobs.submitJob({ requestId: uniqueName('req'), operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0, ...patch }, cb)).then((r) => r.job!),
    getJob: (jobId: string): Promise<Job> => call<GetJobResponse>((cb) => jobs.getJob({ jobId }, cb)).then((r) => r.job!),
    cancel: (jobId: string): Promise<unknown> => call((cb) => jobs.cancelJob({ jobId, reason: 'operator changed plans' }, cb)),
    getVehicle: (vehicleId: string) => call<GetVehicleResponse>((cb) => fleet.getVehicle({ vehicleId }, cb)).then((r) => r.vehicle!),
    instantAction: (vehicleId: string, type: InstantActionType) => call<SendInstantActionResponse>((cb) => fleet.sendInstantAction({ vehicleId, type }, cb)),
    close() {
      jobs.close();
      fleet.close();
    },
  };
}

export type OperatorClient = ReturnType<typeof operatorClient>;

/** Job and vehicle events as they reach Kafka, decoded. */
export async function watchFleetTopics(kafka: KafkaPort, topics: TopicNames) {
  const messages = new Inbox<IncomingMessage>();
  const consumer = kafka.consumer({ groupId: uniqueName('fleet-test'), topics: [topics.jobEvents, topics.vehicleEvents], fromBeginning: true, handle: async (m) => messages.push(m) });
  await consumer.start();
  const jobEvents = () => messages.items.filter((m) => m.topic === topics.jobEvents).map((m) => unwrap(EVENTS.jobEvent, m.value!).payload);
  const vehicleEvents = () =>
    messages.items.filter((m) => m.topic === topics.vehicleEvents).map((m) => unwrap(EVENTS.vehicleEvent, m.value!)).map(({ meta, payload }) => ({ ...payload, at: meta.occurredAt }));
  return {
    messages,
    statusesOf: (jobId: string) => jobEvents().filter((e) => e.job?.id === jobId).map((e) => JobStatus[e.job!.status]),
    vehicleEventsOf: (vehicleId: string) => vehicleEvents().filter((e) => e.vehicle?.id === vehicleId).map((e) => ({ type: VehicleEventType[e.type], vehicle: e.vehicle!, reason: e.reason, at: e.at })),
    waitForStatus: (jobId: string, status: string, count = 1) =>
      messages.waitUntil(`job ${status} ×${count}`, () => jobEvents().filter((e) => e.job?.id === jobId && JobStatus[e.job.status] === status).length >= count, 30_000),
    stop: () => consumer.stop(),
  };
}
