/**
 * Two fleet replicas in-process on one Redis and one set of topics: commands
 * decided on one replica reach a vehicle connected to the other, and a
 * replica that restarts resends what its vehicles had not acked.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafka, createLogger, type KafkaPort } from '@kera/platform';
import { InstantActionType } from '@kera/proto/fleet/v1/vehicle_link';
import { testInfra, uniqueName, waitFor } from '@kera/testkit';
import { asAdmin } from './auth.js';
import { fleetClient, PICKUP } from './fleet-client.js';
import { watchFleetTopics } from './fleet-topics.js';
import { ScriptedVehicle } from './scripted-vehicle.js';
import { createFleetNames, deleteFleetNames, startFleetUnderTest, startStraightLineRouting, type FleetNames, type FleetUnderTest } from './support.js';

const instantTypeOf = (m: { body?: { $case: string; value?: unknown } }) =>
  m.body?.$case === 'instantActions' ? (m.body.value as { actions: Array<{ type: InstantActionType }> }).actions[0]?.type : undefined;

describe('fleet replicas: commands cross replicas and survive restarts', () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let kafka: KafkaPort;
  let names: FleetNames;
  const replicas: FleetUnderTest[] = [];
  let watch: Awaited<ReturnType<typeof watchFleetTopics>>;
  const settings = { LEASE_MS: '20000', COMMAND_RESEND_MS: '500', HEARTBEAT_MS: '200', REPLICA_TTL_MS: '1500', CLUSTER_LOCK_TTL_MS: '1500' };

  before(async () => {
    routing = await startStraightLineRouting();
    const infra = await testInfra();
    kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'fleet-test', log: createLogger({ name: 'fleet-test', level: 'warn' }) });
    names = await createFleetNames(kafka);
    replicas.push(await startFleetUnderTest(routing.address, settings, names), await startFleetUnderTest(routing.address, settings, names));
    watch = await watchFleetTopics(kafka, names.topics);
  });

  after(async () => {
    await watch.stop();
    for (const r of replicas) await r.stop();
    await deleteFleetNames(kafka, names);
    routing.close();
  });

  it('a cancel and a pause decided on replica B reach the vehicle connected to replica A', async () => {
    const [a, b] = replicas as [FleetUnderTest, FleetUnderTest];
    const robot = new ScriptedVehicle(a.address, uniqueName('robot')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    const operatorB = fleetClient(b.address, asAdmin());

    const job = await operatorB.submit();
    const { commandId, body } = await robot.nextOrder();
    assert.equal(body.value.jobId, job.id);
    robot.ack(commandId);
    await watch.waitForStatus(job.id, 'DISPATCHED');

    await operatorB.cancel(job.id);
    const cancel = await robot.received.waitFor('CANCEL_ORDER from B', (m) => instantTypeOf(m) === InstantActionType.CANCEL_ORDER);
    robot.ack(cancel.commandId);

    // B's view of who is connected where refreshes every second; the operator retries until B sees the robot.
    await waitFor('B accepts a PAUSE for the robot on A', () => operatorB.instantAction(robot.id, InstantActionType.PAUSE).then(() => true), { timeoutMs: 10_000, intervalMs: 200 });
    const pause = await robot.received.waitFor('PAUSE from B', (m) => instantTypeOf(m) === InstantActionType.PAUSE);
    assert.ok(pause.commandId);
    operatorB.close();
    robot.close();
  });

  it('an order not yet acked when its replica stops is resent by the replica that comes back, as the same command', async () => {
    const a = replicas.shift()!;
    const id = uniqueName('robot');
    // At the pickup, so it is the nearest idle vehicle whatever the first test left behind.
    const robot = new ScriptedVehicle(a.address, id, PICKUP).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    const operator = fleetClient(replicas[0]!.address, asAdmin());
    const job = await operator.submit();
    const first = await robot.nextOrder();
    robot.drop();
    await a.stop();

    const restarted = await startFleetUnderTest(routing.address, settings, names);
    replicas.push(restarted);
    const again = new ScriptedVehicle(restarted.address, id).connect();
    const resent = await again.nextOrder();
    assert.equal(resent.commandId, first.commandId, 'the same command, recorded in Redis before the first send');
    assert.deepEqual([resent.body.value.orderId, resent.body.value.orderUpdateId], [first.body.value.orderId, first.body.value.orderUpdateId]);
    again.ack(resent.commandId);
    await watch.waitForStatus(job.id, 'DISPATCHED');
    assert.deepEqual(watch.statusesOf(job.id), ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED'], 'dispatched once, never requeued');
    await operator.cancel(job.id);
    operator.close();
    again.close();
  });
});
