/**
 * The virtual vehicles over real gRPC: a VehicleLink server in the test plays
 * the fleet (welcome, orders, instant actions) on a real socket.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createLogger, createTokenVerifier, generateKeyPair, parseSigningKey, parseVerificationKeys } from '@kera/platform';
import { Inbox, waitFor } from '@kera/testkit';
import { VehicleKind, VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import {
  ActionStatus,
  CommandErrorType,
  InstantActionType,
  VehicleLinkService,
  type CommandAck,
  type ControlMessage,
  type Order,
  type VehicleMessage,
  type VehicleState,
} from '@kera/proto/fleet/v1/vehicle_link';
import { Profile } from '@kera/proto/traffic/v1/events';
import { issueVehicleTokens, startFleetSim, type FleetSim } from './fleet-sim.js';
import type { OrderReceipt } from './vehicle-client.js';

const log = createLogger({ name: 'sim-test', level: process.env.LOG_LEVEL ?? 'silent' });

interface Session {
  call: grpc.ServerDuplexStream<VehicleMessage, ControlMessage>;
  received: Inbox<VehicleMessage>;
}

async function startFakeFleet(port = 0) {
  const sessions = new Inbox<Session>();
  const server = new grpc.Server();
  server.addService(VehicleLinkService, {
    connect: (call: grpc.ServerDuplexStream<VehicleMessage, ControlMessage>) => {
      const session: Session = { call, received: new Inbox() };
      call.on('data', session.received.push);
      call.on('end', () => call.end());
      call.on('error', () => undefined);
      sessions.push(session);
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port: bound, sessions, server };
}

const helloOf = (m: VehicleMessage) => (m.body?.$case === 'hello' ? m.body.value : undefined);
const stateOf = (m: VehicleMessage) => (m.body?.$case === 'state' ? m.body.value : undefined);
const ackOf = (m: VehicleMessage) => (m.body?.$case === 'ack' ? m.body.value : undefined);

function welcome(session: Session, stateIntervalMs = 1_000): void {
  session.call.write({ commandId: 'w', body: { $case: 'welcome', value: { vehicleId: 'x', sessionId: 's1', stateIntervalMs, leaseMs: 10_000 } } });
}

async function awaitAck(session: Session, commandId: string): Promise<CommandAck> {
  const message = await session.received.waitFor(`ack of ${commandId}`, (m) => ackOf(m)?.commandId === commandId);
  return ackOf(message)!;
}

async function awaitState(session: Session, what: string, match: (s: VehicleState) => boolean): Promise<VehicleState> {
  const message = await session.received.waitFor(what, (m) => {
    const state = stateOf(m);
    return state !== undefined && match(state);
  });
  return stateOf(message)!;
}

const status = (s: VehicleState, actionId: string) => s.actionStates.find((a) => a.actionId === actionId)?.status;

// Start → pickup (~40 m east) → drop-off (~40 m north), on Otakaari.
const START = { lat: 60.1855, lon: 24.829 };
const PICKUP = { lat: 60.1855, lon: 24.82972 };
const DROPOFF = { lat: 60.18586, lon: 24.82972 };

function deliveryOrder(orderId: string): Order {
  const action = (actionId: string, actionType: string) => ({ actionId, actionType, blockingType: 3, parameters: [{ key: 'durationS', value: '4' }] });
  return {
    orderId,
    orderUpdateId: 0,
    jobId: 'job-1',
    trafficVersion: 7,
    nodes: [
      { nodeId: 'start', sequenceId: 0, released: true, position: START, actions: [] },
      { nodeId: 'pickup', sequenceId: 2, released: true, position: PICKUP, actions: [action('job-1:pick', 'pick')] },
      { nodeId: 'dropoff', sequenceId: 4, released: true, position: DROPOFF, actions: [action('job-1:drop', 'drop')] },
    ],
    edges: [
      { edgeId: 'leg0', sequenceId: 1, released: true, startNodeId: 'start', endNodeId: 'pickup', maxSpeed: 5, lengthM: 40, trajectory: [START, PICKUP], actions: [] },
      { edgeId: 'leg1', sequenceId: 3, released: true, startNodeId: 'pickup', endNodeId: 'dropoff', maxSpeed: 5, lengthM: 40, trajectory: [PICKUP, DROPOFF], actions: [] },
    ],
  };
}

const sendOrder = (session: Session, commandId: string, order: Order) =>
  session.call.write({ commandId, body: { $case: 'order', value: order } });

describe('virtual vehicles over VehicleLink (real gRPC)', () => {
  const sims: FleetSim[] = [];
  const servers: grpc.Server[] = [];
  after(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    for (const server of servers) server.forceShutdown();
  });

  async function setUp(
    speedup: number,
    vehicles: Parameters<typeof startFleetSim>[0]['vehicles'],
    token: string | ((id: string) => string) = 'demo-token',
    observer?: Parameters<typeof startFleetSim>[0]['observer'],
  ) {
    const fleet = await startFakeFleet();
    servers.push(fleet.server);
    const sim = startFleetSim({
      ...(observer ? { observer } : {}),
      fleetAddr: `127.0.0.1:${fleet.port}`,
      vehicles,
      speedup,
      token,
      log,
      tickMs: 50,
      reconnect: { initialMs: 50, maxMs: 500 },
    });
    sims.push(sim);
    return { fleet, sim };
  }

  it('gives every vehicle its own vehicle token, issued from the signing key', async () => {
    const keys = generateKeyPair('sim-test');
    const vehicles = [
      { id: 'robot-1', kind: 'ROBOT' as const, start: START },
      { id: 'shuttle-1', kind: 'SHUTTLE' as const, start: START },
    ];
    const tokens = await issueVehicleTokens(vehicles, { key: parseSigningKey(keys.signingKey), issuer: 'kera', audience: 'kera', ttlSeconds: 600 });
    const { fleet } = await setUp(1, vehicles, tokens);
    const sessions = await fleet.sessions.waitUntil('both vehicles connect', (s) => s.length === 2);
    const verifier = createTokenVerifier({ keys: parseVerificationKeys(keys.publicKeys), issuer: 'kera', audience: 'kera' });
    for (const session of sessions) {
      const hello = helloOf(await session.received.waitFor('hello', (m) => helloOf(m) !== undefined))!;
      assert.deepEqual(await verifier.verify(hello.token), { scope: 'vehicle', vehicleId: hello.vehicleId });
    }
  });

  it('says hello, acks an order, and reports pick then drop FINISHED at the final node', async () => {
    const { fleet } = await setUp(40, [{ id: 'robot-7', kind: 'ROBOT', start: START }]);
    const session = (await fleet.sessions.waitUntil('a vehicle connects', (s) => s.length === 1))[0]!;
    const hello = helloOf(await session.received.waitFor('hello', (m) => helloOf(m) !== undefined))!;
    assert.deepEqual(hello, { vehicleId: 'robot-7', token: 'demo-token', kind: VehicleKind.ROBOT, profile: Profile.SIDEWALK, capacity: 2, softwareVersion: 'kera-sim/0.1.0' });
    assert.equal(session.received.items[0]?.body?.$case, 'hello', 'hello comes first');

    welcome(session);
    const idle = await awaitState(session, 'state after welcome', () => true);
    assert.equal(idle.status, VehicleStatus.IDLE);
    assert.ok(idle.timestamp instanceof Date);

    sendOrder(session, 'c1', deliveryOrder('o1'));
    assert.deepEqual(await awaitAck(session, 'c1'), { commandId: 'c1', accepted: true, errorType: CommandErrorType.UNSPECIFIED, description: '' });
    const started = await awaitState(session, 'state with the order', (s) => s.orderId === 'o1');
    assert.equal(started.status, VehicleStatus.EN_ROUTE);
    assert.deepEqual(started.nodeStates.map((n) => n.nodeId), ['pickup', 'dropoff']);

    const picked = await awaitState(session, 'pick finished', (s) => status(s, 'job-1:pick') === ActionStatus.FINISHED);
    assert.equal(picked.lastNodeId, 'pickup');
    assert.notEqual(status(picked, 'job-1:drop'), ActionStatus.FINISHED);
    const delivered = await awaitState(session, 'drop finished', (s) => status(s, 'job-1:drop') === ActionStatus.FINISHED);
    assert.equal(delivered.lastNodeId, 'dropoff');
    assert.equal(delivered.lastNodeSequenceId, 4);
    assert.deepEqual(delivered.nodeStates, []);
    assert.ok(Math.abs(delivered.position!.lat - DROPOFF.lat) < 1e-6 && Math.abs(delivered.position!.lon - DROPOFF.lon) < 1e-6);
    assert.ok(delivered.batteryPct < 100);
    const final = await awaitState(session, 'idle after delivery', (s) => s.status === VehicleStatus.IDLE && s.orderId === 'o1');
    assert.equal(final.driving, false);
  });

  it('acks instant actions and rejects a second order while one is active, over the wire', async () => {
    const { fleet } = await setUp(1, [{ id: 'robot-8', kind: 'ROBOT', start: START }]);
    const session = (await fleet.sessions.waitUntil('a vehicle connects', (s) => s.length === 1))[0]!;
    welcome(session);
    sendOrder(session, 'c1', deliveryOrder('o1'));
    assert.equal((await awaitAck(session, 'c1')).accepted, true);

    sendOrder(session, 'c2', deliveryOrder('o2'));
    const busy = await awaitAck(session, 'c2');
    assert.equal(busy.accepted, false);
    assert.equal(busy.errorType, CommandErrorType.OTHER_ORDER_ACTIVE);
    assert.match(busy.description, /o1/);

    session.call.write({ commandId: 'c3', body: { $case: 'instantActions', value: { actions: [{ actionId: 'i1', type: InstantActionType.PAUSE }] } } });
    assert.equal((await awaitAck(session, 'c3')).accepted, true);
    const paused = await awaitState(session, 'paused state', (s) => s.paused);
    assert.equal(paused.status, VehicleStatus.PAUSED);
    assert.equal(paused.driving, false);

    session.call.write({ commandId: 'c4', body: { $case: 'instantActions', value: { actions: [{ actionId: 'i2', type: InstantActionType.CANCEL_ORDER }] } } });
    assert.equal((await awaitAck(session, 'c4')).accepted, true);
    const cancelled = await awaitState(session, 'cancelled order', (s) => s.actionStates.every((a) => a.status === ActionStatus.FAILED));
    assert.deepEqual(cancelled.nodeStates, []);
  });

  it('reconnects after the fleet restarts, says hello again and continues its order', async () => {
    const { fleet, sim } = await setUp(10, [{ id: 'robot-9', kind: 'ROBOT', start: START }]);
    const first = (await fleet.sessions.waitUntil('a vehicle connects', (s) => s.length === 1))[0]!;
    welcome(first);
    sendOrder(first, 'c1', deliveryOrder('o1'));
    assert.equal((await awaitAck(first, 'c1')).accepted, true);
    await awaitState(first, 'on the way', (s) => s.orderId === 'o1');

    fleet.server.forceShutdown();
    await waitUntilDisconnected(sim);
    const restarted = await startFakeFleet(fleet.port);
    servers.push(restarted.server);

    const second = (await restarted.sessions.waitUntil('the vehicle reconnects', (s) => s.length === 1))[0]!;
    assert.equal(helloOf(await second.received.waitFor('hello again', (m) => helloOf(m) !== undefined))?.vehicleId, 'robot-9');
    welcome(second);
    const resumed = await awaitState(second, 'state after reconnect', () => true);
    assert.equal(resumed.orderId, 'o1', 'the vehicle kept its order');
    assert.ok(resumed.nodeStates.length > 0, 'and is still on its way');

    // The fleet resends what it never saw acked: harmless.
    sendOrder(second, 'c1-again', deliveryOrder('o1'));
    assert.equal((await awaitAck(second, 'c1-again')).accepted, true);
    const delivered = await awaitState(second, 'drop finished after reconnect', (s) => status(s, 'job-1:drop') === ActionStatus.FINISHED);
    assert.equal(delivered.lastNodeId, 'dropoff');
  });

  it('tells an observer every order it receives, executing a resend never but an old order given again after another one', async () => {
    const receipts = new Inbox<OrderReceipt>();
    let statesSent = 0;
    const { fleet } = await setUp(40, [{ id: 'robot-5', kind: 'ROBOT', start: START }], 'demo-token', { orderReceived: receipts.push, stateSent: () => statesSent++ });
    const session = (await fleet.sessions.waitUntil('a vehicle connects', (s) => s.length === 1))[0]!;
    welcome(session);
    const before = Date.now();
    sendOrder(session, 'c1', deliveryOrder('o1'));
    sendOrder(session, 'c1-again', deliveryOrder('o1'));
    await awaitAck(session, 'c1-again');
    await awaitState(session, 'o1 delivered', (s) => s.orderId === 'o1' && status(s, 'job-1:drop') === ActionStatus.FINISHED);
    sendOrder(session, 'c2', deliveryOrder('o2'));
    await awaitAck(session, 'c2');
    await awaitState(session, 'o2 delivered', (s) => s.orderId === 'o2' && status(s, 'job-1:drop') === ActionStatus.FINISHED && !s.driving);
    sendOrder(session, 'c1-late', deliveryOrder('o1'));
    assert.equal((await awaitAck(session, 'c1-late')).accepted, true, 'an idle vehicle takes an old order again: a duplicate execution');

    const seen = await receipts.waitUntil('four receipts', (r) => r.length === 4);
    assert.deepEqual(
      seen.map((r) => [r.commandId, r.orderId, r.orderUpdateId, r.jobId, r.executed]),
      [
        ['c1', 'o1', 0, 'job-1', true],
        ['c1-again', 'o1', 0, 'job-1', false],
        ['c2', 'o2', 0, 'job-1', true],
        ['c1-late', 'o1', 0, 'job-1', true],
      ],
    );
    assert.ok(seen.every((r) => r.vehicleId === 'robot-5' && r.receivedAt >= before && r.receivedAt <= Date.now()));
    assert.ok(statesSent >= 2, 'state reports are counted');
  });

  it('runs several vehicles, each on its own stream', async () => {
    const { fleet, sim } = await setUp(1, [
      { id: 'robot-1', kind: 'ROBOT', start: START },
      { id: 'shuttle-1', kind: 'SHUTTLE', start: PICKUP },
    ]);
    const sessions = await fleet.sessions.waitUntil('two vehicles connect', (s) => s.length === 2);
    const hellos = await Promise.all(sessions.map(async (s) => helloOf(await s.received.waitFor('hello', (m) => helloOf(m) !== undefined))!));
    assert.deepEqual(hellos.map((h) => [h.vehicleId, h.profile]).sort(), [['robot-1', Profile.SIDEWALK], ['shuttle-1', Profile.ROAD]]);
    await sim.stop();
    assert.ok(sim.vehicles.every((v) => !v.isConnected()));
  });
});

async function waitUntilDisconnected(sim: FleetSim): Promise<void> {
  await waitFor('the vehicle notices the fleet is gone', () => sim.vehicles.every((v) => !v.isConnected()), { timeoutMs: 10_000 });
}
