/**
 * Two fleet replicas as separate processes (the real main.ts) on one Redis
 * and one set of topics. One is killed with SIGKILL mid-order: its vehicle
 * reconnects to the survivor and finishes, nothing is executed twice, and the
 * once-per-cluster lease watchdog carries on on the survivor.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafka, createLogger, type KafkaPort } from '@kera/platform';
import type { ControlMessage } from '@kera/proto/fleet/v1/vehicle_link';
import { testInfra, uniqueName, waitFor } from '@kera/testkit';
import { asAdmin } from './auth.js';
import { fleetClient, PICKUP } from './fleet-client.js';
import { watchFleetTopics } from './fleet-topics.js';
import { ActionStatus, ScriptedVehicle } from './scripted-vehicle.js';
import { createFleetNames, deleteFleetNames, startFleetProcess, startStraightLineRouting, type FleetNames, type FleetProcess } from './support.js';

const ordersIn = (items: readonly ControlMessage[]) =>
  items.flatMap((m) => (m.body?.$case === 'order' ? [`${m.body.value.orderId}#${m.body.value.orderUpdateId}`] : []));

describe('fleet failover: a replica killed with SIGKILL mid-order', { timeout: 120_000 }, () => {
  let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
  let kafka: KafkaPort;
  let names: FleetNames;
  const processes: FleetProcess[] = [];
  let watch: Awaited<ReturnType<typeof watchFleetTopics>>;
  const settings = { LEASE_MS: '4000', HEARTBEAT_MS: '200', REPLICA_TTL_MS: '1000', CLUSTER_LOCK_TTL_MS: '1500', LEASE_CHECK_MS: '200', COMMAND_RESEND_MS: '500' };

  before(async () => {
    routing = await startStraightLineRouting();
    const infra = await testInfra();
    kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'fleet-test', log: createLogger({ name: 'fleet-test', level: 'warn' }) });
    names = await createFleetNames(kafka);
    processes.push(...(await Promise.all([startFleetProcess(routing.address, names, settings), startFleetProcess(routing.address, names, settings)])));
    watch = await watchFleetTopics(kafka, names.topics);
  });

  after(async () => {
    await watch.stop();
    await Promise.all(processes.map((p) => p.stop()));
    await deleteFleetNames(kafka, names);
    routing.close();
    if (process.env.TEST_SHOW_LOGS === '1') for (const p of processes) console.log(p.logs.join('\n'));
  });

  it('the vehicle finishes its delivery on the survivor, the order is executed once, and leases still expire', async () => {
    const [doomed, survivor] = processes as [FleetProcess, FleetProcess];
    const id = uniqueName('robot');
    const robot = new ScriptedVehicle(doomed.address, id, PICKUP).connect();
    const bystander = new ScriptedVehicle(doomed.address, uniqueName('bystander')).connect();
    await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    await bystander.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    robot.report(undefined);
    bystander.report(undefined);

    const operator = fleetClient(survivor.address, asAdmin());
    const job = await operator.submit();
    const { commandId, body } = await robot.nextOrder();
    const order = body.value;
    robot.ack(commandId);
    robot.report(order, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
    robot.keepReporting(500);
    await watch.waitForStatus(job.id, 'PICKED_UP');

    await doomed.kill();
    robot.drop();
    bystander.drop(); // never comes back: its lease must still run out, on the survivor

    const back = new ScriptedVehicle(survivor.address, id, PICKUP).connect().keepReporting(500);
    await back.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
    back.report(order, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
    back.report(order, [[`${job.id}:pick`, ActionStatus.FINISHED], [`${job.id}:drop`, ActionStatus.FINISHED]]);
    await watch.waitForStatus(job.id, 'DELIVERED');

    assert.deepEqual(watch.statusesOf(job.id), ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED']);
    const received = [...ordersIn(robot.received.items), ...ordersIn(back.received.items)];
    assert.deepEqual(new Set(received), new Set([`${order.orderId}#0`]), 'one order, never a second one for the same job');

    await watch.messages.waitUntil('the bystander OFFLINE', () => watch.vehicleEventsOf(bystander.id).some((e) => e.type === 'OFFLINE'), 30_000);
    assert.ok(!watch.vehicleEventsOf(id).some((e) => e.type === 'OFFLINE'), 'the vehicle that reconnected was never taken offline');

    const metrics = await waitFor('the survivor exports its link metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${survivor.opsPort}/metrics`)).text();
      return text.includes(`fleet_vehicles_connected{replica="${survivor.replicaId}"} 1`) && text.includes('fleet_lease_expiries_total') ? text : undefined;
    });
    assert.match(metrics, /fleet_commands_pending \d+/);
    operator.close();
    back.close();
  });
});
