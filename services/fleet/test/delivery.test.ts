import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { EVENTS, unwrap, type IncomingMessage } from '@kera/platform';
import {
  JobServiceClient,
  JobStatus,
  type CancelJobRequest,
  type CancelJobResponse,
  type GetJobRequest,
  type GetJobResponse,
  type Job,
  type JobEvent,
  type SubmitJobRequest,
  type SubmitJobResponse,
} from '@kera/proto/fleet/v1/jobs';
import { FleetServiceClient, type GetVehicleRequest, type GetVehicleResponse } from '@kera/proto/fleet/v1/fleet';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { InstantActionType, VehicleLinkClient } from '@kera/proto/fleet/v1/vehicle_link';
import { Inbox, uniqueName } from '@kera/testkit';
import { ActionStatus, ScriptedVehicle } from './scripted-vehicle.js';
import { asAdmin } from './auth.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };

const unaryCall = <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));

describe('fleet: job to delivery over VehicleLink', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let sut: FleetUnderTest;
  let jobs: JobServiceClient;
  let fleetClient: FleetServiceClient;
  const jobEvents = new Inbox<IncomingMessage>();
  let consumer: { stop(): Promise<void> };

  before(async () => {
    routing = await startStraightLineRouting();
    sut = await startFleetUnderTest(routing.address, { LEASE_MS: '3000', COMMAND_RESEND_MS: '300' });
    jobs = new JobServiceClient(sut.address, grpc.credentials.createInsecure(), asAdmin());
    fleetClient = new FleetServiceClient(sut.address, grpc.credentials.createInsecure(), asAdmin());
    const c = sut.kafka.consumer({ groupId: uniqueName('fleet-test'), topics: [sut.topics.jobEvents], fromBeginning: true, handle: async (m) => jobEvents.push(m) });
    await c.start();
    consumer = c;
  });

  after(async () => {
    jobs.close();
    fleetClient.close();
    await consumer.stop();
    await sut.stop();
    routing.close();
  });

  const submit = (requestId = uniqueName('req'), patch: object = {}): Promise<Job> =>
    unaryCall<SubmitJobRequest, SubmitJobResponse>(jobs.submitJob.bind(jobs), { requestId, operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0, ...patch }).then((r) => r.job!);
  const getJob = (jobId: string): Promise<Job> => unaryCall<GetJobRequest, GetJobResponse>(jobs.getJob.bind(jobs), { jobId }).then((r) => r.job!);
  const cancelJob = (jobId: string): Promise<unknown> => unaryCall<CancelJobRequest, CancelJobResponse>(jobs.cancelJob.bind(jobs), { jobId, reason: 'test over' });
  const getVehicle = (vehicleId: string) =>
    unaryCall<GetVehicleRequest, GetVehicleResponse>(fleetClient.getVehicle.bind(fleetClient), { vehicleId }).then((r) => r.vehicle!);

  const statusesOf = (jobId: string) =>
    jobEvents.items.map((m) => unwrap(EVENTS.jobEvent, m.value!).payload).filter((e) => e.job?.id === jobId).map((e) => JobStatus[e.job!.status]);

  it('delivers a job: CREATED → QUEUED → ASSIGNED → DISPATCHED → PICKED_UP → DELIVERED, on Kafka and WatchJobs', async () => {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);

    const watched = new Inbox<JobEvent>();
    const watch = jobs.watchJobs({ jobId: '' });
    watch.on('data', (r: { event?: JobEvent }) => r.event && watched.push(r.event));
    watch.on('error', () => undefined);
    await new Promise((resolve) => watch.once('metadata', resolve));

    const job = await submit();
    assert.equal(job.status, JobStatus.QUEUED);

    const { commandId, body } = await robot.nextOrder();
    const order = body.value;
    assert.equal(order.jobId, job.id);
    assert.deepEqual(order.nodes.map((n) => n.actions.map((a) => a.actionType)), [[], ['pick'], ['drop']]);
    assert.ok(order.edges.every((e) => e.trajectory.length >= 2), 'edges carry the route geometry');

    robot.ack(commandId);
    robot.report(order, [[`${job.id}:pick`, ActionStatus.RUNNING]]);
    robot.report(order, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
    robot.report(order, [[`${job.id}:pick`, ActionStatus.FINISHED], [`${job.id}:drop`, ActionStatus.FINISHED]]);

    await jobEvents.waitUntil('DELIVERED on Kafka', () => statusesOf(job.id).includes('DELIVERED'));
    assert.deepEqual(statusesOf(job.id), ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED']);
    await watched.waitUntil('DELIVERED on the watch stream', (items) => items.some((e) => e.job?.id === job.id && e.job?.status === JobStatus.DELIVERED));
    watch.cancel();

    const final = await getJob(job.id);
    assert.equal(final.status, JobStatus.DELIVERED);
    assert.equal(final.vehicleId, robot.id);
    const vehicle = await getVehicle(robot.id);
    assert.equal(vehicle.status, VehicleStatus.IDLE);
    assert.equal(vehicle.jobId, '', 'the robot is free again');
    robot.close();
  });

  it('returns the same job for a resubmitted request id', async () => {
    const requestId = uniqueName('req');
    const first = await submit(requestId);
    const again = await submit(requestId);
    assert.equal(again.id, first.id);
    await cancelJob(first.id);
  });

  it('rejects bad submissions with INVALID_ARGUMENT naming the fields, and unroutable ones with the routing reason', async () => {
    await assert.rejects(submit(uniqueName('req'), { operatorId: '', size: 0 }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.match(err.details, /operator_id: required/);
      return true;
    });
    await assert.rejects(submit(uniqueName('req'), { pickup: { lat: 61.5, lon: 24.8 } }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.match(err.details, /120 km from the nearest street/);
      return true;
    });
    await assert.rejects(getJob('job-nope'), (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND);
  });

  it('resends an unacked order after the vehicle reconnects, and the order survives the drop', async () => {
    const id = uniqueName('robot');
    const robot = new ScriptedVehicle(sut.address, id).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    const job = await submit();
    const first = await robot.nextOrder();
    robot.drop();

    const again = new ScriptedVehicle(sut.address, id).connect();
    const resent = await again.nextOrder();
    assert.equal(resent.body.value.orderId, first.body.value.orderId);
    assert.equal(resent.commandId, first.commandId, 'the same command, so the vehicle can tell it is a resend');
    again.ack(resent.commandId);
    await jobEvents.waitUntil('DISPATCHED', () => statusesOf(job.id).includes('DISPATCHED'));
    await cancelJob(job.id);
    const cancel = await again.received.waitFor('cancel order', (m) => m.body?.$case === 'instantActions');
    assert.ok(cancel.commandId);
    again.close();
  });

  it('takes a silent vehicle offline after its lease, requeues its job with the reason, and cancels the stale order when it returns', async () => {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    const job = await submit();
    const { commandId, body } = await robot.nextOrder();
    const order = body.value;
    robot.ack(commandId);
    await jobEvents.waitUntil('DISPATCHED', () => statusesOf(job.id).includes('DISPATCHED'));
    // The robot now says nothing more: no state reports, so its lease (3 s) runs out.
    await jobEvents.waitUntil('requeued', () => statusesOf(job.id).filter((s) => s === 'QUEUED').length === 2);
    const requeued = await getJob(job.id);
    assert.match(requeued.reason, /silent for more than 3000 ms/);
    const vehicle = await getVehicle(robot.id);
    assert.equal(vehicle.status, VehicleStatus.OFFLINE);
    await cancelJob(job.id);

    // Back online, still driving the order fleet took away: it is told to drop it.
    const back = new ScriptedVehicle(sut.address, robot.id).connect();
    await back.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    back.report(order, [[`${job.id}:pick`, ActionStatus.RUNNING]]);
    const cancel = await back.received.waitFor('cancel order', (m) => m.body?.$case === 'instantActions');
    assert.equal(cancel.body?.$case === 'instantActions' && cancel.body.value.actions[0]?.type, InstantActionType.CANCEL_ORDER);
    back.close();
    robot.close();
  });

  it('ends a stream that breaks the protocol with a precise status', async () => {
    const anonymous = new ScriptedVehicle(sut.address, 'bad id with spaces').connect();
    const invalid = await anonymous.status.waitFor('status', () => true);
    assert.equal(invalid.code, grpc.status.INVALID_ARGUMENT);
    assert.match(invalid.details, /vehicle_id/);
    anonymous.close();

    const client = new VehicleLinkClient(sut.address, grpc.credentials.createInsecure());
    const stream = client.connect();
    const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    stream.on('error', () => undefined);
    stream.write({ body: { $case: 'ack', value: { commandId: 'x', accepted: true, errorType: 0, description: '' } } });
    const precondition = await status;
    assert.equal(precondition.code, grpc.status.FAILED_PRECONDITION);
    assert.match(precondition.details, /send hello first/);
    client.close();
  });
});
