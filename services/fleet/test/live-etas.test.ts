/**
 * Live ETAs end to end on real Kafka, Redis and gRPC: a traffic change on a
 * job's route reaches WatchJobs and fleet.job-events.v1 as ETA_CHANGED with
 * the old and new ETA, in order; a change under the threshold emits nothing;
 * vehicle progress moves the ETA too; the CLI prints the job's ETA history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { createLogger, EVENTS, unwrap, wrap, type EventProducer, type IncomingMessage } from '@kera/platform';
import {
  EtaChangeCause,
  JobEventKind,
  JobServiceClient,
  JobStatus,
  type GetEtaHistoryRequest,
  type GetEtaHistoryResponse,
  type Job,
  type JobEvent,
  type SubmitJobRequest,
  type SubmitJobResponse,
} from '@kera/proto/fleet/v1/jobs';
import { Profile } from '@kera/proto/traffic/v1/events';
import { Inbox, uniqueName, waitFor } from '@kera/testkit';
import { createFleetEventReplay } from '../src/adapters/kafka/fleet-event-replay.js';
import { createRedisRestore } from '../src/adapters/redis/restore.js';
import { fleetKeys } from '../src/adapters/redis/stores.js';
import { rebuildFleetState } from '../src/app/rebuild.js';
import { adminToken, asAdmin } from './auth.js';
import { ActionStatus, ScriptedVehicle } from './scripted-vehicle.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };
const CLI = fileURLToPath(new URL('../../../../tools/cli/dist/src/main.js', import.meta.url));

const unaryCall = <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> =>
  new Promise((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res))));
const seconds = (a: Date | undefined, b: Date | undefined): number => ((a?.getTime() ?? NaN) - (b?.getTime() ?? NaN)) / 1000;

describe('fleet: live ETAs', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let sut: FleetUnderTest;
  let jobs: JobServiceClient;
  let producer: EventProducer;
  let consumer: { stop(): Promise<void> };
  const published = new Inbox<JobEvent>();
  const watched = new Inbox<JobEvent>();
  let watch: grpc.ClientReadableStream<{ event?: JobEvent }>;
  const vehicles: ScriptedVehicle[] = [];

  before(async () => {
    routing = await startStraightLineRouting();
    // Silent vehicles keep their jobs (long lease); progress may recompute every second; sweeps run often.
    sut = await startFleetUnderTest(routing.address, { LEASE_MS: '60000', COMMAND_RESEND_MS: '300', ETA_CHANGE_THRESHOLD_S: '60', ETA_PROGRESS_INTERVAL_MS: '1000', ETA_TRAFFIC_SWEEP_MS: '200' });
    jobs = new JobServiceClient(sut.address, grpc.credentials.createInsecure(), asAdmin());
    producer = await sut.kafka.producer();
    const c = sut.kafka.consumer({
      groupId: uniqueName('fleet-eta-test-reader'),
      topics: [sut.topics.jobEvents],
      fromBeginning: true,
      handle: async (m: IncomingMessage) => published.push(unwrap(EVENTS.jobEvent, m.value!).payload),
    });
    await c.start();
    consumer = c;
    watch = jobs.watchJobs({ jobId: '' });
    watch.on('data', (r: { event?: JobEvent }) => r.event && watched.push(r.event));
    watch.on('error', () => undefined);
    await new Promise((resolve) => watch.once('metadata', resolve));
  });

  after(async () => {
    watch.cancel();
    vehicles.forEach((v) => v.close());
    jobs.close();
    await consumer.stop();
    await producer.close();
    await sut.stop();
    routing.close();
  });

  /** Routing's announcement that edges of the sidewalk graph changed weight at `version`. */
  const publishTrafficChange = (edgeIds: number[], version: number) =>
    producer.send(sut.names.trafficChanges, [
      { key: 'cell-1', value: wrap(EVENTS.trafficChange, { areaCell: 'cell-1', profile: Profile.SIDEWALK, trafficVersion: version, edgeIds, appliedAt: new Date() }, { source: 'routing' }) },
    ]);

  const etaChanges = (events: readonly JobEvent[], jobId: string) => events.filter((e) => e.job?.id === jobId && e.kind === JobEventKind.ETA_CHANGED);

  /** A job carried by a connected robot that accepted its order: the DISPATCHED job, its ETA set. */
  async function dispatchedJob(robotPosition: { lat: number; lon: number }) {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot'), robotPosition).connect();
    vehicles.push(robot);
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    const request: SubmitJobRequest = { requestId: uniqueName('req'), operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0 };
    const { job } = await unaryCall<SubmitJobRequest, SubmitJobResponse>(jobs.submitJob.bind(jobs), request);
    const order = await robot.nextOrder();
    robot.ack(order.commandId);
    const dispatched = await watched.waitFor('DISPATCHED', (e) => e.job?.id === job!.id && e.job.status === JobStatus.DISPATCHED);
    return { robot, order: order.body.value, job: dispatched.job! as Job & { eta: Date } };
  }

  it('announces a traffic change on the route as ETA_CHANGED (old and new ETA, in order) on WatchJobs and Kafka; a change under the threshold emits nothing; the CLI prints the history', async () => {
    const { job } = await dispatchedJob({ lat: 60.1841, lon: 24.8301 });
    const plannedS = seconds(job.eta, job.updatedAt);
    assert.ok(plannedS > 200, `a trip of ${plannedS} s`);

    // Twice as slow on leg 1 (pickup → drop-off): the whole trip takes about twice as long.
    Object.assign(routing.traffic, { slowdown: 2, version: 2 });
    await publishTrafficChange([1], 2);
    const [first] = await watched.waitUntil('the first ETA_CHANGED', (items) => etaChanges(items, job.id).length >= 1).then((items) => etaChanges(items, job.id));
    assert.deepEqual([first!.previousEta, first!.etaCause, first!.trafficVersion], [job.eta, EtaChangeCause.TRAFFIC, 2]);
    assert.deepEqual([first!.job!.status, first!.previousStatus, first!.job!.version], [JobStatus.DISPATCHED, JobStatus.DISPATCHED, job.version + 1]);
    const shift = seconds(first!.job!.eta, job.eta);
    assert.ok(shift >= plannedS - 5 && shift <= plannedS + 30, `moved ${shift} s for a ${plannedS} s trip that now takes twice as long`);

    // 2.5 % slower: recomputed (routing is asked) but under the 60 s threshold, so nothing is told.
    const asked = routing.calls.length;
    Object.assign(routing.traffic, { slowdown: 2.05, version: 3 });
    await publishTrafficChange([1], 3);
    await waitFor('the recomputation after the small change', async () => routing.calls.length > asked);

    // Three times as slow: told again, from the first new ETA (the small change told nothing in between).
    Object.assign(routing.traffic, { slowdown: 3, version: 4 });
    await publishTrafficChange([1], 4);
    const changes = await watched.waitUntil('the second ETA_CHANGED', (items) => etaChanges(items, job.id).length >= 2).then((items) => etaChanges(items, job.id));
    assert.equal(changes.length, 2);
    assert.deepEqual([changes[1]!.previousEta, changes[1]!.job!.version, changes[1]!.trafficVersion], [first!.job!.eta, job.version + 2, 4]);

    // Kafka has the same story in order, after the lifecycle steps.
    const onKafka = await published.waitUntil('six events of the job', (items) => items.filter((e) => e.job?.id === job.id).length >= 6);
    assert.deepEqual(
      onKafka.filter((e) => e.job?.id === job.id).map((e) => `${JobEventKind[e.kind]} ${JobStatus[e.job!.status]} v${e.job!.version} tv${e.trafficVersion}`),
      ['STATUS_CHANGED CREATED v1 tv0', 'STATUS_CHANGED QUEUED v2 tv0', 'STATUS_CHANGED ASSIGNED v3 tv0', 'STATUS_CHANGED DISPATCHED v4 tv0', 'ETA_CHANGED DISPATCHED v5 tv2', 'ETA_CHANGED DISPATCHED v6 tv4'],
    );

    const history = await unaryCall<GetEtaHistoryRequest, GetEtaHistoryResponse>(jobs.getEtaHistory.bind(jobs), { jobId: job.id });
    assert.deepEqual(
      history.records.map((r) => [r.eta, r.cause, r.trafficVersion]),
      [[job.eta, EtaChangeCause.UNSPECIFIED, 0], [first!.job!.eta, EtaChangeCause.TRAFFIC, 2], [changes[1]!.job!.eta, EtaChangeCause.TRAFFIC, 4]],
    );

    // Lost from Redis, the history comes back the same from fleet.job-events.v1 (npm run fleet:rebuild).
    const redis = new Redis(sut.config.REDIS_URL);
    try {
      const keys = fleetKeys(sut.config.REDIS_PREFIX);
      await redis.del(keys.etaHistory(job.id));
      const log = createLogger({ name: 'fleet-rebuild-test', level: 'warn' });
      const rebuilt = await rebuildFleetState({ replay: createFleetEventReplay({ kafka: sut.kafka, topics: sut.topics, log }), restore: createRedisRestore(redis, keys), log });
      assert.equal(rebuilt.etaHistories, 1);
      const again = await unaryCall<GetEtaHistoryRequest, GetEtaHistoryResponse>(jobs.getEtaHistory.bind(jobs), { jobId: job.id });
      assert.deepEqual(again.records, history.records);
    } finally {
      redis.disconnect();
    }

    const cli = await runCli(sut.address, ['jobs', 'eta', job.id]);
    assert.equal(cli.code, 0, cli.stderr);
    const lines = cli.stdout.trim().split('\n');
    assert.match(lines[0]!, /^COMPUTED AT +ETA +SHIFT +CAUSE +TRAFFIC VERSION$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/ {2,}/).slice(1)), [
      [iso(job.eta), '-', 'ORDER_ACCEPTED', '-'],
      [iso(first!.job!.eta), `+${Math.round(shift)} s`, 'TRAFFIC', '2'],
      [iso(changes[1]!.job!.eta), `+${Math.round(seconds(changes[1]!.job!.eta, first!.job!.eta))} s`, 'TRAFFIC', '4'],
    ]);
  });

  it('moves the ETA on vehicle progress: a robot reporting from farther away gets a later ETA, cause progress', async () => {
    const { robot, order, job } = await dispatchedJob(PICKUP);
    // It is 600 m north of where it was planned from, and keeps reporting.
    robot.position = { lat: PICKUP.lat + 0.0054, lon: PICKUP.lon };
    robot.report(order, [[`${job.id}:pick`, ActionStatus.WAITING]]);
    robot.keepReporting(100);
    const [change] = await watched.waitUntil('ETA_CHANGED from progress', (items) => etaChanges(items, job.id).length >= 1).then((items) => etaChanges(items, job.id));
    assert.deepEqual([change!.etaCause, change!.previousEta], [EtaChangeCause.PROGRESS, job.eta]);
    const speed = 1.5 / routing.traffic.slowdown;
    const shift = seconds(change!.job!.eta, job.eta);
    assert.ok(shift > 550 / speed && shift < 700 / speed, `600 m farther at ${speed} m/s moved the ETA ${shift} s`);
  });
});

const iso = (d: Date | undefined) => d?.toISOString().replace(/\.000Z$/, 'Z');

/** The real `kera` binary against this fleet, as an operator would run it. */
async function runCli(fleetAddr: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, FLEET_ADDR: fleetAddr, KERA_TOKEN: await adminToken() };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}
