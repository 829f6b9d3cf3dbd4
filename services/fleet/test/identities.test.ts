import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { generateKeyPair, issueToken, parseSigningKey } from '@kera/platform';
import {
  FleetServiceClient,
  type GetVehicleRequest,
  type GetVehicleResponse,
  type ListVehiclesRequest,
  type ListVehiclesResponse,
  type SendInstantActionRequest,
  type SendInstantActionResponse,
} from '@kera/proto/fleet/v1/fleet';
import {
  JobServiceClient,
  JobStatus,
  type CancelJobRequest,
  type CancelJobResponse,
  type GetJobRequest,
  type GetJobResponse,
  type Job,
  type JobEvent,
  type ListJobsRequest,
  type ListJobsResponse,
  type SubmitJobRequest,
  type SubmitJobResponse,
} from '@kera/proto/fleet/v1/jobs';
import { InstantActionType } from '@kera/proto/fleet/v1/vehicle_link';
import { Inbox, uniqueName, waitFor } from '@kera/testkit';
import { adminToken, asAdmin, asOperator, expiredToken, operatorToken, vehicleToken, withToken } from './auth.js';
import { ScriptedVehicle } from './scripted-vehicle.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };
const insecure = grpc.credentials.createInsecure();

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;
const call = <Req, Res>(fn: (req: Req, cb: Callback<Res>) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));

const rpc = {
  submit: (c: JobServiceClient, operatorId: string, requestId: string) =>
    call<SubmitJobRequest, SubmitJobResponse>(c.submitJob.bind(c), { requestId, operatorId, pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0 }).then((r) => r.job!),
  get: (c: JobServiceClient, jobId: string) => call<GetJobRequest, GetJobResponse>(c.getJob.bind(c), { jobId }).then((r) => r.job!),
  cancel: (c: JobServiceClient, jobId: string) => call<CancelJobRequest, CancelJobResponse>(c.cancelJob.bind(c), { jobId, reason: 'test' }).then((r) => r.job!),
  list: (c: JobServiceClient, operatorId = '') =>
    call<ListJobsRequest, ListJobsResponse>(c.listJobs.bind(c), { statuses: [], operatorId, limit: 0 }).then((r) => r.jobs),
  vehicles: (c: FleetServiceClient) => call<ListVehiclesRequest, ListVehiclesResponse>(c.listVehicles.bind(c), {}).then((r) => r.vehicles),
  vehicle: (c: FleetServiceClient, vehicleId: string) => call<GetVehicleRequest, GetVehicleResponse>(c.getVehicle.bind(c), { vehicleId }).then((r) => r.vehicle!),
  pause: (c: FleetServiceClient, vehicleId: string) =>
    call<SendInstantActionRequest, SendInstantActionResponse>(c.sendInstantAction.bind(c), { vehicleId, type: InstantActionType.PAUSE }),
};

/** Asserts a call fails with `code` and a reason matching `details`. */
const refused = (promise: Promise<unknown>, code: grpc.status, details: RegExp) =>
  assert.rejects(promise, (err: grpc.ServiceError) => {
    assert.equal(grpc.status[err.code], grpc.status[code], err.details);
    assert.match(err.details, details);
    return true;
  });

describe('fleet: identities and scopes', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let sut: FleetUnderTest;
  const clients: Array<{ close(): void }> = [];
  const jobsAs = (options: grpc.ClientOptions = {}) => {
    const client = new JobServiceClient(sut.address, insecure, options);
    clients.push(client);
    return client;
  };
  const fleetAs = (options: grpc.ClientOptions = {}) => {
    const client = new FleetServiceClient(sut.address, insecure, options);
    clients.push(client);
    return client;
  };
  const submit = (client: JobServiceClient, operatorId = '', requestId = uniqueName('req')) => rpc.submit(client, operatorId, requestId);

  before(async () => {
    routing = await startStraightLineRouting();
    sut = await startFleetUnderTest(routing.address);
  });
  after(async () => {
    for (const client of clients) client.close();
    await sut.stop();
    routing.close();
  });

  it('refuses a call without a token, with a bad signature or expired, as UNAUTHENTICATED', async () => {
    const anonymous = jobsAs();
    await refused(rpc.list(anonymous), grpc.status.UNAUTHENTICATED, /missing bearer token/);

    const stranger = parseSigningKey(generateKeyPair('fleet-test').signingKey);
    const forged = jobsAs(withToken(() => issueToken(stranger, { scope: 'admin', adminId: 'mallory' }, { issuer: 'kera', audience: 'kera', ttlSeconds: 60 })));
    await refused(rpc.list(forged), grpc.status.UNAUTHENTICATED, /signature is not valid/);

    const expired = jobsAs(withToken(() => expiredToken({ scope: 'operator', operatorId: 'acme' })));
    await refused(rpc.get(expired, 'job-x'), grpc.status.UNAUTHENTICATED, /^token expired$/);

    const vehicles = fleetAs();
    await refused(rpc.vehicles(vehicles), grpc.status.UNAUTHENTICATED, /missing bearer token/);
  });

  it('keeps health and reflection open without a token', async () => {
    // grpc.health.v1.HealthCheckRequest { service = 1 } by hand: the wire format is two bytes and a string.
    const service = Buffer.from('kera.fleet.v1.JobService');
    const request = Buffer.concat([Buffer.from([0x0a, service.length]), service]);
    const health = new grpc.Client(sut.address, insecure);
    const response = await new Promise<Buffer>((resolve, reject) =>
      health.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, request, (err, res) => (err ? reject(err) : resolve(res!))),
    );
    assert.deepEqual([...response], [0x08, 0x01], 'status SERVING');

    // grpc.reflection.v1.ServerReflectionRequest { list_services = 7: "" }: field 7, length 0.
    const reflection = health.makeBidiStreamRequest('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', (b: Buffer) => b, (b: Buffer) => b);
    const listed = new Promise<Buffer>((resolve, reject) => {
      reflection.once('data', resolve);
      reflection.once('error', reject);
    });
    reflection.write(Buffer.from([0x3a, 0x00]));
    assert.ok((await listed).includes(Buffer.from('kera.fleet.v1.JobService')), 'reflection lists the services');
    reflection.end();
    health.close();
  });

  it('refuses a vehicle token on JobService and FleetService as PERMISSION_DENIED', async () => {
    const robot = withToken(() => vehicleToken('robot-1'));
    const jobs = jobsAs(robot);
    await refused(submit(jobs), grpc.status.PERMISSION_DENIED, /needs an operator or admin token; the caller is vehicle robot-1/);
    const fleet = fleetAs(robot);
    await refused(rpc.vehicles(fleet), grpc.status.PERMISSION_DENIED, /operator or admin/);
  });

  it('lets an operator see and act on its own jobs only; an admin sees all', async () => {
    const a = uniqueName('op-a');
    const b = uniqueName('op-b');
    const jobsA = jobsAs(asOperator(a));
    const jobsB = jobsAs(asOperator(b));
    const admin = jobsAs(asAdmin());

    const jobA = await submit(jobsA);
    assert.equal(jobA.operatorId, a, 'an operator submits as itself');
    await refused(submit(jobsB, a), grpc.status.PERMISSION_DENIED, /acts only for its own operator/);

    // B cannot tell A's job from a job that does not exist.
    await refused(rpc.get(jobsB, jobA.id), grpc.status.NOT_FOUND, new RegExp(`job ${jobA.id} not found`));
    await refused(rpc.cancel(jobsB, jobA.id), grpc.status.NOT_FOUND, /not found/);
    assert.equal((await rpc.get(jobsA, jobA.id)).status, JobStatus.QUEUED, 'B did not cancel it');

    const listedByB = await rpc.list(jobsB);
    assert.ok(!listedByB.some((j) => j.id === jobA.id), "A's job is not in B's list");
    await refused(rpc.list(jobsB, a), grpc.status.PERMISSION_DENIED, /own operator/);
    const listedByA = await rpc.list(jobsA);
    assert.deepEqual(listedByA.map((j) => j.id), [jobA.id]);

    const listedByAdmin = await rpc.list(admin, a);
    assert.deepEqual(listedByAdmin.map((j) => j.id), [jobA.id]);
    const cancelled = await rpc.cancel(admin, jobA.id);
    assert.equal(cancelled.status, JobStatus.CANCELLED);
  });

  it("scopes request ids per operator: B reusing A's request id gets its own job", async () => {
    const requestId = uniqueName('shared-req');
    const jobA = await submit(jobsAs(asOperator(uniqueName('op-a'))), '', requestId);
    const jobB = await submit(jobsAs(asOperator(uniqueName('op-b'))), '', requestId);
    assert.notEqual(jobB.id, jobA.id);
    assert.notEqual(jobB.operatorId, jobA.operatorId);
    const admin = jobsAs(asAdmin());
    for (const job of [jobA, jobB]) await rpc.cancel(admin, job.id);
  });

  it("streams only an operator's own job events; watching another's job is NOT_FOUND", async () => {
    const a = uniqueName('op-a');
    const b = uniqueName('op-b');
    const jobsA = jobsAs(asOperator(a));
    const jobsB = jobsAs(asOperator(b));
    const admin = jobsAs(asAdmin());
    const watch = (client: JobServiceClient, jobId = '') => {
      const inbox = new Inbox<JobEvent>();
      const stream = client.watchJobs({ jobId });
      const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
      stream.on('data', (r: { event?: JobEvent }) => r.event && inbox.push(r.event));
      stream.on('error', () => undefined);
      const ready = new Promise((resolve) => stream.once('metadata', resolve));
      return { inbox, stream, status, ready };
    };
    const seenByB = watch(jobsB);
    const seenByAdmin = watch(admin);
    await Promise.all([seenByB.ready, seenByAdmin.ready]);

    const jobA = await submit(jobsA);
    const jobB = await submit(jobsB);
    const queued = (job: Job) => (events: readonly JobEvent[]) => events.some((e) => e.job?.id === job.id && e.job.status === JobStatus.QUEUED);
    // The feed is one ordered channel: once B sees its own QUEUED, A's earlier events have passed by.
    await seenByAdmin.inbox.waitUntil("A's and B's jobs queued", (events) => queued(jobA)(events) && queued(jobB)(events));
    await seenByB.inbox.waitUntil("B's job queued", queued(jobB));
    assert.ok(!seenByB.inbox.items.some((e) => e.job?.operatorId !== b), "B saw another operator's job event");

    const sneak = watch(jobsB, jobA.id);
    const status = await sneak.status;
    assert.equal(grpc.status[status.code], 'NOT_FOUND');
    assert.match(status.details, /not found/);
    for (const w of [seenByB, seenByAdmin]) w.stream.cancel();
    for (const job of [jobA, jobB]) await rpc.cancel(admin, job.id);
  });

  it('lets operators read vehicles, shows them only their own job ids, and keeps instant actions for admins', async () => {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    const owner = uniqueName('op-a');
    const job = await submit(jobsAs(asOperator(owner)));
    const order = await robot.nextOrder();
    assert.equal(order.body.value.jobId, job.id, 'earlier tests left no job queued');
    robot.ack(order.commandId);
    const admin = fleetAs(asAdmin());
    await waitFor('the robot to carry the job', async () => (await rpc.vehicle(admin, robot.id)).jobId === job.id);

    const other = fleetAs(asOperator(uniqueName('op-b')));
    const seenByOther = await rpc.vehicle(other, robot.id);
    assert.equal(seenByOther.id, robot.id);
    assert.equal(seenByOther.jobId, '', "another operator's job id is not public");
    const seenByOwner = await rpc.vehicle(fleetAs(asOperator(owner)), robot.id);
    assert.equal(seenByOwner.jobId, job.id);
    assert.ok((await rpc.vehicles(other)).some((v) => v.id === robot.id));

    await refused(
      rpc.pause(other, robot.id),
      grpc.status.PERMISSION_DENIED,
      /needs an admin token; the caller is operator/,
    );
    assert.ok(!robot.received.items.some((m) => m.body?.$case === 'instantActions'), 'the operator paused the robot');
    const { commandId } = await rpc.pause(admin, robot.id);
    const pause = await robot.received.waitFor('pause', (m) => m.body?.$case === 'instantActions');
    assert.equal(pause.commandId, commandId);
    await rpc.cancel(jobsAs(asAdmin()), job.id);
    robot.close();
  });

  it('lets a vehicle connect only with a vehicle token for its own id', async () => {
    const victim = uniqueName('robot');
    const cases: Array<[string, () => Promise<string>, grpc.status, RegExp]> = [
      ['no token', () => Promise.reject(new Error('none')), grpc.status.UNAUTHENTICATED, /missing bearer token/],
      ["another vehicle's token", () => vehicleToken('robot-elsewhere'), grpc.status.PERMISSION_DENIED, new RegExp(`token is for vehicle robot-elsewhere, not ${victim}`)],
      ['an operator token', () => operatorToken('acme'), grpc.status.PERMISSION_DENIED, /needs a vehicle token; the caller is operator acme/],
      ['an admin token', adminToken, grpc.status.PERMISSION_DENIED, /needs a vehicle token/],
      ['an expired token', () => expiredToken({ scope: 'vehicle', vehicleId: victim }), grpc.status.UNAUTHENTICATED, /token expired/],
    ];
    for (const [what, token, code, details] of cases) {
      const impostor = new ScriptedVehicle(sut.address, victim, undefined, token).connect();
      const status = await impostor.status.waitFor(what, () => true);
      assert.equal(grpc.status[status.code], grpc.status[code], `${what}: ${status.details}`);
      assert.match(status.details, details, what);
      assert.ok(!impostor.received.items.some((m) => m.body?.$case === 'welcome'), `${what} was welcomed`);
      impostor.close();
    }

    // The token may also travel in Hello.token, for clients that cannot set metadata.
    const inHello = new ScriptedVehicle(sut.address, victim, undefined, () => Promise.reject(new Error('no metadata')));
    inHello.connect({ token: await vehicleToken(victim) });
    await inHello.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    inHello.close();
  });
});
