/**
 * The vehicle link when things go wrong, on real Redis, Kafka and gRPC: a
 * fleet-wide outage longer than the lease, a vehicle back without its order,
 * a vehicle that never acks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { createKafka, createLogger, type KafkaPort } from '@kera/platform';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { testInfra, uniqueName } from '@kera/testkit';
import { asAdmin } from './auth.js';
import { fleetClient, PICKUP } from './fleet-client.js';
import { watchFleetTopics } from './fleet-topics.js';
import { ActionStatus, ScriptedVehicle } from './scripted-vehicle.js';
import { createFleetNames, deleteFleetNames, startFleetUnderTest, startStraightLineRouting, type FleetNames, type FleetUnderTest } from './support.js';

const LEASE_MS = 5_000;

const welcomed = async (v: ScriptedVehicle) => {
  await v.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
  return v;
};

describe('vehicle link faults', { timeout: 120_000 }, () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let kafka: KafkaPort;
  let redis: Redis;
  const clusters: Array<{ names: FleetNames; replicas: FleetUnderTest[]; watch: Awaited<ReturnType<typeof watchFleetTopics>> }> = [];

  const startCluster = async (settings: Record<string, string>) => {
    const names = await createFleetNames(kafka);
    const cluster = { names, replicas: [await startFleetUnderTest(routing.address, settings, names)], watch: await watchFleetTopics(kafka, names.topics) };
    clusters.push(cluster);
    return cluster;
  };

  before(async () => {
    routing = await startStraightLineRouting();
    const infra = await testInfra();
    kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'fleet-test', log: createLogger({ name: 'fleet-test', level: 'warn' }) });
    redis = new Redis(infra.redisUrl);
  });

  after(async () => {
    for (const c of clusters) {
      await c.watch.stop();
      for (const r of c.replicas) await r.stop();
      await deleteFleetNames(kafka, c.names);
    }
    redis.disconnect();
    routing.close();
  });

  /** Rewrite stored times as if `ms` had passed with the whole fleet down. */
  async function ageOutage(names: FleetNames, vehicleIds: string[], ms: number): Promise<void> {
    const cluster = `${names.redisPrefix}:link:cluster`;
    const lastBeat = Number(await redis.hget(cluster, 'lastBeat'));
    await redis.hset(cluster, 'lastBeat', String(lastBeat - ms), 'aliveSince', String(lastBeat - ms - 60_000));
    for (const id of vehicleIds) {
      const key = `${names.redisPrefix}:vehicle:${id}`;
      const v = JSON.parse((await redis.get(key))!) as { lastSeen: string };
      await redis.set(key, JSON.stringify({ ...v, lastSeen: new Date(Date.parse(v.lastSeen) - ms).toISOString() }));
    }
  }

  it('after a fleet-wide outage longer than the lease, vehicles get a fresh grace period: only one that stays away goes OFFLINE', async () => {
    const settings = { LEASE_MS: String(LEASE_MS), HEARTBEAT_MS: '200', REPLICA_TTL_MS: '1000', LEASE_CHECK_MS: '200', CLUSTER_LOCK_TTL_MS: '1500' };
    const { names, replicas, watch } = await startCluster(settings);
    const robot = await welcomed(new ScriptedVehicle(replicas[0]!.address, uniqueName('robot'), PICKUP).connect());
    const straggler = await welcomed(new ScriptedVehicle(replicas[0]!.address, uniqueName('straggler')).connect().keepReporting(500));
    robot.report(undefined);
    straggler.report(undefined);
    const operator = fleetClient(replicas[0]!.address, asAdmin());
    const job = await operator.submit();
    const { commandId, body } = await robot.nextOrder();
    robot.ack(commandId);
    robot.report(body.value, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
    robot.keepReporting(500);
    await watch.waitForStatus(job.id, 'PICKED_UP');
    operator.close();

    // The only replica goes down; the outage lasts 30 s, far past the lease.
    robot.drop();
    straggler.drop();
    await replicas.shift()!.stop();
    await ageOutage(names, [robot.id, straggler.id], 30_000);
    const restarted = await startFleetUnderTest(routing.address, settings, names);
    replicas.push(restarted);
    const aliveSince = Number(await redis.hget(`${names.redisPrefix}:link:cluster`, 'aliveSince'));

    const back = await welcomed(new ScriptedVehicle(restarted.address, robot.id, PICKUP).connect());
    back.keepReporting(500).report(body.value, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
    await watch.messages.waitUntil('the straggler OFFLINE after its grace period', () => watch.vehicleEventsOf(straggler.id).some((e) => e.type === 'OFFLINE'), 30_000);
    back.report(body.value, [[`${job.id}:pick`, ActionStatus.FINISHED], [`${job.id}:drop`, ActionStatus.FINISHED]]);
    await watch.waitForStatus(job.id, 'DELIVERED');

    assert.deepEqual(watch.statusesOf(job.id), ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED'], 'the job with goods on board was not failed');
    assert.ok(!watch.vehicleEventsOf(robot.id).some((e) => e.type === 'OFFLINE'), 'the vehicle back within its grace period was never OFFLINE');
    const offline = watch.vehicleEventsOf(straggler.id).find((e) => e.type === 'OFFLINE')!;
    assert.ok(offline.at.getTime() - aliveSince >= LEASE_MS, 'the straggler had a full lease from the restart, not from its last report before the outage');
    assert.match(offline.reason, new RegExp(`silent for more than ${LEASE_MS} ms`));
    back.close();
  });

  describe('a vehicle back without its order, and one that never acks', () => {
    let cluster: Awaited<ReturnType<typeof startCluster>>;
    before(async () => {
      cluster = await startCluster({ COMMAND_RESEND_MS: '500', COMMAND_MAX_SENDS: '4' });
    });

    /** A robot at the pickup with the job's order acked and its pick done. */
    async function robotWithGoodsOnBoard() {
      const { replicas, watch } = cluster;
      const robot = await welcomed(new ScriptedVehicle(replicas[0]!.address, uniqueName('robot'), PICKUP).connect());
      robot.report(undefined);
      const operator = fleetClient(replicas[0]!.address, asAdmin());
      const job = await operator.submit();
      const { commandId, body } = await robot.nextOrder();
      robot.ack(commandId);
      robot.report(body.value, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
      await watch.waitForStatus(job.id, 'PICKED_UP');
      robot.drop();
      return { robot, job, order: body.value, operator };
    }

    it('gets the rest of its job from where it is (drop-off only, goods on board) and delivers', async () => {
      const { robot, job, order, operator } = await robotWithGoodsOnBoard();
      const here = { lat: 60.1862, lon: 24.8301 };
      // It restarted: it reconnects idle somewhere else, with no order at all.
      const restarted = await welcomed(new ScriptedVehicle(cluster.replicas[0]!.address, robot.id, here).connect());
      restarted.report(undefined);
      const { commandId, body } = await restarted.nextOrder();
      const rest = body.value;
      assert.equal(rest.orderId, order.orderId, 'the same order …');
      assert.equal(rest.orderUpdateId, order.orderUpdateId + 1, '… as its next update');
      assert.deepEqual(rest.nodes[0]?.position, here, 'starting where the vehicle is');
      assert.deepEqual(rest.nodes.map((n) => n.actions.map((a) => a.actionType)), [[], ['drop']], 'the pick is done; only the drop remains');
      restarted.ack(commandId);
      restarted.report(rest, [[`${job.id}:drop`, ActionStatus.FINISHED]]);
      await cluster.watch.waitForStatus(job.id, 'DELIVERED');
      assert.deepEqual(cluster.watch.statusesOf(job.id), ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED']);
      operator.close();
      restarted.close();
    });

    it('fails the job with the reason when what remains cannot be planned', async () => {
      const { robot, job, operator } = await robotWithGoodsOnBoard();
      const offTheMap = { lat: 61.5, lon: 24.8 }; // the test routing refuses waypoints north of 61°
      const restarted = await welcomed(new ScriptedVehicle(cluster.replicas[0]!.address, robot.id, offTheMap).connect());
      restarted.report(undefined);
      await cluster.watch.waitForStatus(job.id, 'FAILED');
      const failed = await operator.getJob(job.id);
      assert.match(failed.reason, new RegExp(`vehicle ${robot.id} lost order .* and what remains cannot be sent: .*120 km from the nearest street.* with the goods on board`));
      assert.equal((await operator.getVehicle(robot.id)).jobId, '', 'the vehicle is free again');
      operator.close();
      restarted.close();
    });

    it('puts a vehicle that never acks in ERROR after the send limit and requeues its job with the reason', async () => {
      const robot = await welcomed(new ScriptedVehicle(cluster.replicas[0]!.address, uniqueName('mute'), PICKUP).connect());
      robot.report(undefined);
      const operator = fleetClient(cluster.replicas[0]!.address, asAdmin());
      const job = await operator.submit();
      const ended = await robot.status.waitFor('the stream ended', () => true, 20_000);
      assert.equal(ended.code, grpc.status.ABORTED);
      const orders = robot.received.items.filter((m) => m.body?.$case === 'order');
      assert.equal(orders.length, 4, 'sent COMMAND_MAX_SENDS times');
      assert.equal(new Set(orders.map((m) => m.commandId)).size, 1, 'always the same command');

      await cluster.watch.waitForStatus(job.id, 'QUEUED', 2);
      assert.match((await operator.getJob(job.id)).reason, new RegExp(`vehicle ${robot.id} did not ack order .* after repeated sends`));
      assert.equal((await operator.getVehicle(robot.id)).status, VehicleStatus.ERROR);
      await operator.cancel(job.id);
      operator.close();
      robot.close();
    });
  });
});
