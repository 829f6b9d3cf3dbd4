import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createLogger } from '@kera/platform';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { deleteKeys, uniqueName, waitFor } from '@kera/testkit';
import { createFleetEventReplay } from '../src/adapters/kafka/fleet-event-replay.js';
import { createRedisRestore } from '../src/adapters/redis/restore.js';
import { fleetKeys } from '../src/adapters/redis/stores.js';
import { rebuildFleetState } from '../src/app/rebuild.js';
import { ActionStatus, ScriptedVehicle } from './scripted-vehicle.js';
import { fleetClient, type FleetClient } from './fleet-client.js';
import { startFleetUnderTest, startStraightLineRouting, type FleetUnderTest } from './support.js';

/**
 * Keys that hold work in flight or replica coordination rather than state (the
 * outbox, wait reasons, the link's sessions, heartbeats and ledger, cluster
 * locks, which live replicas rewrite): not part of the projection.
 */
const TRANSIENT = /:(outbox|outbox:lock|outbox:parked|job-waits)$|:(link|lock):/;

/** Every fleet key under the prefix with its value; a vehicle's last-seen time and write count left out. */
async function snapshot(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(`${prefix}:*`)).filter((k) => !TRANSIENT.test(k)).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') {
      const text = (await redis.get(key))!;
      const value = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : text;
      if (key.includes(':vehicle:') && typeof value === 'object') {
        delete value.lastSeen;
        delete value.version;
      }
      out[key] = value;
    } else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
    else out[key] = `unexpected ${type}`;
  }
  return out;
}

describe('fleet: rebuild Redis state from Kafka', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let sut: FleetUnderTest;
  let client: FleetClient;
  let redis: Redis;

  before(async () => {
    routing = await startStraightLineRouting();
    sut = await startFleetUnderTest(routing.address, { LEASE_MS: '120000', RECONCILE_INTERVAL_MS: '3600000', RECONCILE_GRACE_MS: '1' });
    client = fleetClient(sut.address);
    redis = new Redis(sut.config.REDIS_URL);
  });

  after(async () => {
    client.close();
    redis.disconnect();
    await sut.stop();
    routing.close();
  });

  const status = (jobId: string, wanted: JobStatus) => waitFor(`${jobId} ${JobStatus[wanted]}`, async () => (await client.getJob(jobId)).status === wanted);

  it('wipes fleet keys mid-run, rebuilds the same state from the topics, and the fleet carries on', async () => {
    const robot = new ScriptedVehicle(sut.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);

    // One job delivered, one picked up and under way, one waiting, one cancelled.
    const delivered = await client.submit();
    const first = await robot.nextOrder(0);
    robot.ack(first.commandId);
    await status(delivered.id, JobStatus.DISPATCHED);
    robot.report(first.body.value, [[`${delivered.id}:pick`, ActionStatus.FINISHED], [`${delivered.id}:drop`, ActionStatus.FINISHED]]);
    await status(delivered.id, JobStatus.DELIVERED);

    const underway = await client.submit();
    const second = await robot.nextOrder(1);
    robot.ack(second.commandId);
    await status(underway.id, JobStatus.DISPATCHED);
    robot.report(second.body.value, [[`${underway.id}:pick`, ActionStatus.FINISHED]]);
    await status(underway.id, JobStatus.PICKED_UP);

    const waiting = await client.submit();
    const cancelled = await client.submit();
    await client.cancel(cancelled.id);
    await waitFor('outbox relayed', async () => (await redis.llen(fleetKeys(sut.config.REDIS_PREFIX).outbox)) === 0);

    const prefix = sut.config.REDIS_PREFIX;
    const before = await snapshot(redis, prefix);
    assert.ok(Object.keys(before).length >= 10, 'a real state to compare');
    await deleteKeys(sut.config.REDIS_URL, [`${prefix}:*`]);
    assert.deepEqual(await snapshot(redis, prefix), {}, 'fleet keys wiped');

    const log = createLogger({ name: 'fleet-rebuild-test', level: 'warn' });
    const summary = await rebuildFleetState({
      replay: createFleetEventReplay({ kafka: sut.kafka, topics: sut.topics, log }),
      restore: createRedisRestore(redis, fleetKeys(prefix)),
      log,
    });
    assert.deepEqual([summary.jobs, summary.vehicles, summary.orders, summary.undecodable], [4, 1, 2, 0]);
    assert.deepEqual(await snapshot(redis, prefix), before, 'the same jobs, vehicles, orders and indexes as before the wipe');

    // The fleet carries on from the rebuilt state: the job under way completes, the waiting one goes out.
    robot.report(second.body.value, [[`${underway.id}:pick`, ActionStatus.FINISHED], [`${underway.id}:drop`, ActionStatus.FINISHED]]);
    await status(underway.id, JobStatus.DELIVERED);
    await sut.fleet.reconcile(); // its dispatch entry may have been used up while the keys were gone
    const third = await robot.nextOrder(2);
    assert.equal(third.body.value.jobId, waiting.id);
    robot.close();

    const again = await rebuildFleetState({
      replay: createFleetEventReplay({ kafka: sut.kafka, topics: sut.topics, log }),
      restore: createRedisRestore(redis, fleetKeys(prefix)),
      log,
    });
    assert.equal(again.jobs + again.vehicles + again.orders, 0, 'a second run overwrites nothing newer');
  });
});
