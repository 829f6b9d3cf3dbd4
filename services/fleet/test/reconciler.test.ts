import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, unwrap, type IncomingMessage } from '@kera/platform';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { Inbox, uniqueName, waitFor } from '@kera/testkit';
import { encodeOutboxEntries } from '../src/adapters/kafka/outbox-relay.js';
import { createJob } from '../src/domain/job.js';
import { ScriptedVehicle } from './scripted-vehicle.js';
import { directState } from './direct-state.js';
import { DROPOFF, PICKUP, fleetClient, type FleetClient } from './fleet-client.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

const HOUR = 3_600_000;

describe('fleet reconciler: nothing stays stuck', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let sut: FleetUnderTest;
  let client: FleetClient;
  let state: ReturnType<typeof directState>;
  const jobEvents = new Inbox<IncomingMessage>();
  let consumer: { stop(): Promise<void> };

  before(async () => {
    routing = await startStraightLineRouting();
    // The background pass is off (an hour): each test runs one pass itself and sees what it repaired.
    sut = await startFleetUnderTest(routing.address, { RECONCILE_INTERVAL_MS: String(HOUR), RECONCILE_GRACE_MS: '1', RECONCILE_ASSIGN_TIMEOUT_MS: '5000' });
    client = fleetClient(sut.address);
    state = directState(sut);
    const c = sut.kafka.consumer({ groupId: uniqueName('fleet-test'), topics: [sut.topics.jobEvents], fromBeginning: true, handle: async (m) => jobEvents.push(m) });
    await c.start();
    consumer = c;
  });

  after(async () => {
    client.close();
    await consumer.stop();
    await state.close();
    await sut.stop();
    routing.close();
  });

  /** A connected robot, idle at the default position, known to fleet. */
  async function idleRobot(): Promise<ScriptedVehicle> {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    await waitFor('robot registered', async () => (await state.stores.vehicles.get(robot.id))?.position);
    return robot;
  }

  it('a queued job that lost its dispatch entry gets it back on resubmit, and from the reconciler; a stranded created job is queued', async () => {
    // The state a Redis blip between QUEUED and enqueue leaves: QUEUED, no dispatch entry.
    const viaResubmit = await state.writeJob(uniqueName('job'), [{ to: 'QUEUED' }]);
    const viaReconciler = await state.writeJob(uniqueName('job'), [{ to: 'QUEUED' }]);
    // A crash between creating a job and queueing it leaves it CREATED.
    const stranded = await state.writeJob(uniqueName('job'), []);
    assert.equal(await state.dispatchEntry(viaResubmit), undefined);

    // Request ids are scoped per operator: acme's `req-…` is stored as `acme/req-…`.
    const again = await client.submit({ requestId: viaResubmit.requestId.replace(/^acme\//, '') });
    assert.equal(again.id, viaResubmit.id, 'the same job comes back');
    assert.ok(await state.dispatchEntry(viaResubmit), 'and it is queued for dispatch again');

    const repairs = await sut.fleet.reconcile();
    assert.equal(repairs.dispatchEntries, 2);
    assert.ok(await state.dispatchEntry(viaReconciler));
    assert.equal((await client.getJob(stranded.id)).status, JobStatus.QUEUED);

    // Healed as a user sees it: all three jobs reach a vehicle.
    const robots = [await idleRobot(), await idleRobot(), await idleRobot()];
    const orders = await Promise.all(robots.map((r) => r.nextOrder()));
    assert.deepEqual(orders.map((o) => o.body.value.jobId).sort(), [viaResubmit.id, viaReconciler.id, stranded.id].sort());
    assert.equal((await sut.fleet.reconcile()).dispatchEntries, 0, 'a second pass finds nothing left to repair');
    for (const r of robots) r.close();
  });

  it('an assigned job whose order was never stored goes back to the queue and its vehicle is freed', async () => {
    const robot = await idleRobot();
    // A crash between ASSIGNED and saving the order, long enough ago to be past the timeout.
    const jobId = uniqueName('job');
    const job = await state.writeJob(jobId, [{ to: 'QUEUED' }, { to: 'ASSIGNED', vehicleId: robot.id, orderId: 'ord-never-stored' }], new Date(Date.now() - 60_000));
    await state.reserve(robot.id, job.id, 'ord-never-stored');

    const repairs = await sut.fleet.reconcile();
    assert.equal(repairs.assignedWithoutOrder, 1);
    // The freed robot may take the job again at once, so read the requeue from the job's events.
    const requeued = await jobEvents.waitFor('the job back in the queue', (m) => {
      const job = m.key?.toString() === jobId ? unwrap(EVENTS.jobEvent, m.value!).payload.job : undefined;
      return job?.status === JobStatus.QUEUED && job.reason !== '';
    });
    assert.match(unwrap(EVENTS.jobEvent, requeued.value!).payload.job!.reason, new RegExp(`no order was stored for vehicle ${robot.id} within 5000 ms`));

    const { body } = await robot.nextOrder();
    assert.equal(body.value.jobId, jobId, 'the freed robot gets the job again, with a real order');
    assert.notEqual(body.value.orderId, 'ord-never-stored');
    robot.close();
  });

  it('a vehicle still reserved by a finished job is released and takes new work', async () => {
    const robot = await idleRobot();
    const finished = await state.writeJob(uniqueName('job'), [{ to: 'CANCELLED' }]);
    await state.reserve(robot.id, finished.id, 'ord-of-a-cancelled-job');

    const repairs = await sut.fleet.reconcile();
    assert.ok(repairs.vehiclesReleased >= 1);
    assert.equal((await client.getVehicle(robot.id)).jobId, '');

    const next = await client.submit();
    const { body } = await robot.nextOrder();
    assert.equal(body.value.jobId, next.id);
    robot.close();
  });

  it('parks outbox entries that can never be sent, with the reason, and relays the ones behind them', async () => {
    const behind = createJob(
      { id: uniqueName('job'), requestId: uniqueName('req'), operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0, profiles: ['sidewalk'] },
      new Date(),
    );
    const [valid] = encodeOutboxEntries(sut.topics, () => new Date())([{ kind: 'job', change: behind }]);
    const tooLarge = JSON.stringify({ t: sut.topics.jobEvents, k: 'too-large', v: Buffer.alloc(2 * 1024 * 1024, 7).toString('base64') });
    await state.redis.rpush(state.keys.outbox, 'not an outbox entry', tooLarge, valid!);
    await jobEvents.waitUntil('the entry behind the bad ones on Kafka', (items) =>
      items.some((m) => m.key?.toString() === behind.job.id && unwrap(EVENTS.jobEvent, m.value!).payload.job?.status === JobStatus.CREATED),
    );

    const parkedTexts = await waitFor('two entries parked', async () => {
      const texts = await state.redis.lrange(state.keys.outboxParked, 0, -1);
      return texts.length === 2 && texts;
    });
    const parked = parkedTexts.map((text) => JSON.parse(text) as { entry: string; reason: string });
    assert.deepEqual(parked.map((p) => p.entry.length), ['not an outbox entry'.length, tooLarge.length]);
    assert.equal(parked[0]!.reason, 'not JSON');
    assert.match(parked[1]!.reason, /kafka refused it/);
    assert.equal((await sut.fleet.reconcile()).outboxParked, 2, 'the pass reports what was parked since the last one');
    assert.equal(await state.redis.llen(state.keys.outbox), 0, 'nothing is left blocking the outbox');
  });
});
