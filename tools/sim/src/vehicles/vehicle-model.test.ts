import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { distanceM, type LatLon } from './geo.js';
import type { Order, OrderAction, StateReport, VehicleState } from './model-types.js';
import {
  advance,
  applyInstantAction,
  applyInstantActions,
  applyOrder,
  initialVehicleState,
  reportOf,
  vehicleSpec,
} from './vehicle-model.js';

// Three points ~100 m apart on Otaniemi streets: start → pickup (east) → drop-off (north).
const START = { lat: 60.185, lon: 24.827 };
const MID = { lat: 60.185, lon: 24.8279 };
const PICKUP = { lat: 60.185, lon: 24.8288 };
const DROPOFF = { lat: 60.1859, lon: 24.8288 };
const AT = new Date('2025-05-01T10:00:00Z');

const action = (actionId: string, actionType: string, parameters: Record<string, string> = {}): OrderAction => ({
  actionId,
  actionType,
  parameters,
});

function deliveryOrder(options: { orderId?: string; orderUpdateId?: number; releasedUpTo?: number; maxSpeedMps?: number } = {}): Order {
  const { orderId = 'o1', orderUpdateId = 0, releasedUpTo = 4, maxSpeedMps = 0 } = options;
  return {
    orderId,
    orderUpdateId,
    jobId: 'job-1',
    nodes: [
      { nodeId: 'start', sequenceId: 0, released: true, position: START, actions: [] },
      { nodeId: 'pickup', sequenceId: 2, released: releasedUpTo >= 2, position: PICKUP, actions: [action('pick-1', 'pick')] },
      { nodeId: 'dropoff', sequenceId: 4, released: releasedUpTo >= 4, position: DROPOFF, actions: [action('drop-1', 'drop')] },
    ],
    edges: [
      { edgeId: 'leg0', sequenceId: 1, released: releasedUpTo >= 2, startNodeId: 'start', endNodeId: 'pickup', maxSpeedMps, trajectory: [START, MID, PICKUP], actions: [] },
      { edgeId: 'leg1', sequenceId: 3, released: releasedUpTo >= 4, startNodeId: 'pickup', endNodeId: 'dropoff', maxSpeedMps, trajectory: [PICKUP, DROPOFF], actions: [] },
    ],
  };
}

const robot = (position: LatLon = START, battery = 100): VehicleState =>
  initialVehicleState(vehicleSpec('robot-1', 'ROBOT'), position, battery);

function accepted(state: VehicleState, order: Order): VehicleState {
  const result = applyOrder(state, order);
  assert.deepEqual(result.ack, { accepted: true });
  return result.state;
}

/** Run in 0.2 s steps, collecting the reports that would have gone out. */
function runFor(state: VehicleState, seconds: number): { state: VehicleState; reports: StateReport[] } {
  const reports: StateReport[] = [];
  let current = state;
  for (let t = 0; t < seconds; t += 0.2) {
    const result = advance(current, 0.2);
    current = result.state;
    if (result.reportDue) reports.push(reportOf(current, AT));
  }
  return { state: current, reports };
}

const actionStatus = (state: VehicleState, id: string) => reportOf(state, AT).actionStates.find((a) => a.actionId === id)?.status;

describe('vehicle model: accepting orders', () => {
  it('takes a new order, stands at its first node and reports what remains', () => {
    const result = applyOrder(robot(), deliveryOrder());
    assert.deepEqual(result.ack, { accepted: true });
    assert.equal(result.reportDue, true);
    const report = reportOf(result.state, AT);
    assert.equal(report.orderId, 'o1');
    assert.equal(report.lastNodeId, 'start');
    assert.equal(report.status, 'EN_ROUTE');
    assert.deepEqual(report.nodeStates.map((n) => n.nodeId), ['pickup', 'dropoff']);
    assert.deepEqual(report.edgeStates.map((e) => e.edgeId), ['leg0', 'leg1']);
    assert.deepEqual(report.actionStates.map((a) => [a.actionId, a.status]), [['pick-1', 'WAITING'], ['drop-1', 'WAITING']]);
  });

  it('acks a resend of the same order update again without restarting it', () => {
    const driving = runFor(accepted(robot(), deliveryOrder()), 20).state;
    const resend = applyOrder(driving, deliveryOrder());
    assert.deepEqual(resend.ack, { accepted: true });
    assert.equal(resend.reportDue, false);
    assert.deepEqual(resend.state.position, driving.position);
    assert.equal(resend.state.edgeProgressM, driving.edgeProgressM);
  });

  it('rejects an update older than the current one as OUTDATED_ORDER_UPDATE', () => {
    const state = accepted(robot(), deliveryOrder({ orderUpdateId: 3 }));
    const result = applyOrder(state, deliveryOrder({ orderUpdateId: 2 }));
    assert.equal(result.ack.accepted, false);
    assert.equal(!result.ack.accepted && result.ack.errorType, 'OUTDATED_ORDER_UPDATE');
    assert.equal(result.state, state);
  });

  it('rejects another order while one is active, and accepts it once the first is done', () => {
    const state = accepted(robot(), deliveryOrder());
    const busy = applyOrder(state, deliveryOrder({ orderId: 'o2' }));
    assert.equal(!busy.ack.accepted && busy.ack.errorType, 'OTHER_ORDER_ACTIVE');
    const done = runFor(state, 400).state;
    assert.equal(reportOf(done, AT).status, 'IDLE');
    const next = applyOrder(done, deliveryOrder({ orderId: 'o2' }));
    assert.deepEqual(next.ack, { accepted: true });
  });

  const invalid: Array<[string, (o: Order) => Order, string]> = [
    ['a node with an odd sequenceId', (o) => ({ ...o, nodes: o.nodes.map((n, i) => (i === 1 ? { ...n, sequenceId: 3 } : n)) }), 'VALIDATION_ERROR'],
    ['a missing edge', (o) => ({ ...o, edges: o.edges.slice(0, 1) }), 'VALIDATION_ERROR'],
    ['an edge that connects the wrong nodes', (o) => ({ ...o, edges: o.edges.map((e, i) => (i === 1 ? { ...e, startNodeId: 'start' } : e)) }), 'VALIDATION_ERROR'],
    ['a released node after the horizon', (o) => ({ ...o, edges: o.edges.map((e, i) => (i === 0 ? { ...e, released: false } : e)) }), 'VALIDATION_ERROR'],
    ['an unknown action type', (o) => ({ ...o, nodes: o.nodes.map((n, i) => (i === 1 ? { ...n, actions: [action('x', 'charge')] } : n)) }), 'UNSUPPORTED_ACTION'],
    ['an action id used twice', (o) => ({ ...o, nodes: o.nodes.map((n, i) => (i === 2 ? { ...n, actions: [action('pick-1', 'drop')] } : n)) }), 'VALIDATION_ERROR'],
    ['an edge without any geometry', (o) => ({ ...o, nodes: o.nodes.map((n) => ({ ...n, position: undefined })), edges: o.edges.map((e) => ({ ...e, trajectory: [] })) }), 'VALIDATION_ERROR'],
    ['no nodes at all', (o) => ({ ...o, nodes: [], edges: [] }), 'VALIDATION_ERROR'],
  ];
  for (const [what, mangle, errorType] of invalid) {
    it(`rejects an order with ${what} as ${errorType}`, () => {
      const state = robot();
      const result = applyOrder(state, mangle(deliveryOrder()));
      assert.equal(result.ack.accepted, false);
      assert.equal(!result.ack.accepted && result.ack.errorType, errorType);
      assert.ok(!result.ack.accepted && result.ack.description.length > 0);
      assert.equal(result.state, state);
    });
  }
});

describe('vehicle model: driving and actions', () => {
  it('drives along the trajectory at cruise speed with the heading of the street', () => {
    const { state } = runFor(accepted(robot(), deliveryOrder()), 20);
    const report = reportOf(state, AT);
    assert.equal(report.driving, true);
    assert.ok(Math.abs(distanceM(START, report.position) - 30) < 1, `1.5 m/s for 20 s ≈ 30 m, got ${distanceM(START, report.position)}`);
    assert.ok(Math.abs(report.headingDeg - 90) < 1);
    assert.equal(report.lastNodeId, 'start');
  });

  it('caps the speed at the edge maxSpeed', () => {
    const { state } = runFor(accepted(robot(), deliveryOrder({ maxSpeedMps: 0.5 })), 20);
    assert.ok(Math.abs(distanceM(START, state.position) - 10) < 0.5);
  });

  it('runs pick at the pickup and drop at the drop-off, standing still while they run, then goes idle', () => {
    const { state, reports } = runFor(accepted(robot(), deliveryOrder()), 300);
    const seen = reports.flatMap((r) => r.actionStates.map((a) => `${a.actionId}:${a.status}`));
    const order = ['pick-1:RUNNING', 'pick-1:FINISHED', 'drop-1:RUNNING', 'drop-1:FINISHED'].map((s) => seen.indexOf(s));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), `saw ${seen.join(', ')}`);
    const picking = reports.filter((r) => r.actionStates[0]?.status === 'RUNNING');
    assert.ok(picking.every((r) => r.lastNodeId === 'pickup' && !r.driving));
    const final = reportOf(state, AT);
    assert.equal(final.lastNodeId, 'dropoff');
    assert.equal(final.status, 'IDLE');
    assert.deepEqual(final.nodeStates, []);
    assert.ok(distanceM(final.position, DROPOFF) < 0.01);
  });

  it('takes the action duration from the durationS parameter', () => {
    const order = deliveryOrder();
    order.nodes[0]!.actions = [action('wait-1', 'wait', { durationS: '30' })];
    const state = accepted(robot(), order);
    assert.equal(actionStatus(runFor(state, 29).state, 'wait-1'), 'RUNNING');
    assert.ok(distanceM(runFor(state, 29).state.position, START) < 0.01);
    assert.equal(actionStatus(runFor(state, 31).state, 'wait-1'), 'FINISHED');
  });

  it('drains the battery with distance', () => {
    const { state } = runFor(accepted(robot(), deliveryOrder()), 300);
    // ~200 m at 2.5 %/km
    assert.ok(Math.abs(100 - state.batteryPct - 0.5) < 0.05, `battery ${state.batteryPct}`);
  });

  it('stops with a fatal error when the battery runs empty', () => {
    const { state } = runFor(accepted(robot(START, 0.05), deliveryOrder()), 100);
    const report = reportOf(state, AT);
    assert.equal(report.status, 'ERROR');
    assert.deepEqual(report.errors.map((e) => [e.errorType, e.level]), [['BATTERY_EMPTY', 'FATAL']]);
    assert.equal(report.driving, false);
  });

  it('charges where it stands when idle and low, and stops charging for a new order', () => {
    const low = runFor(robot(START, 10), 60).state;
    assert.equal(reportOf(low, AT).status, 'CHARGING');
    assert.ok(low.batteryPct > 10);
    const busy = accepted(low, deliveryOrder());
    assert.equal(reportOf(busy, AT).status, 'EN_ROUTE');
    assert.equal(busy.charging, false);
  });
});

describe('vehicle model: base and horizon, order updates', () => {
  it('never drives into the horizon: waits at the last released node for an update', () => {
    const { state } = runFor(accepted(robot(), deliveryOrder({ releasedUpTo: 2 })), 300);
    const report = reportOf(state, AT);
    assert.equal(report.lastNodeId, 'pickup');
    assert.equal(report.driving, false);
    assert.equal(report.status, 'EN_ROUTE');
    assert.ok(distanceM(report.position, PICKUP) < 0.01);
    assert.deepEqual(report.nodeStates, [{ nodeId: 'dropoff', sequenceId: 4, released: false }]);
    assert.equal(actionStatus(state, 'pick-1'), 'FINISHED');
    assert.equal(actionStatus(state, 'drop-1'), 'WAITING');
  });

  it('continues once an update releases the horizon, stitched at the node it waits at', () => {
    const waiting = runFor(accepted(robot(), deliveryOrder({ releasedUpTo: 2 })), 300).state;
    const full = deliveryOrder({ orderUpdateId: 1 });
    const update = { ...full, nodes: full.nodes.slice(1), edges: full.edges.slice(1) };
    const result = applyOrder(waiting, update);
    assert.deepEqual(result.ack, { accepted: true });
    assert.equal(result.reportDue, true);
    const done = reportOf(runFor(result.state, 200).state, AT);
    assert.equal(done.lastNodeId, 'dropoff');
    assert.equal(done.orderUpdateId, 1);
    assert.deepEqual(done.actionStates.map((a) => a.status), ['FINISHED', 'FINISHED']);
  });

  it('replaces the not-yet-traversed part while driving and keeps going on the new route', () => {
    const driving = runFor(accepted(robot(), deliveryOrder()), 20).state;
    const detour = { lat: 60.1862, lon: 24.8275 };
    const update = deliveryOrder({ orderUpdateId: 1 });
    update.nodes[2] = { ...update.nodes[2]!, nodeId: 'dropoff-b', position: detour };
    update.edges[1] = { ...update.edges[1]!, edgeId: 'leg1-b', endNodeId: 'dropoff-b', trajectory: [PICKUP, detour] };
    const result = applyOrder(driving, update);
    assert.deepEqual(result.ack, { accepted: true });
    assert.equal(result.state.edgeProgressM, driving.edgeProgressM, 'same edge: progress kept');
    const done = reportOf(runFor(result.state, 400).state, AT);
    assert.equal(done.lastNodeId, 'dropoff-b');
    assert.ok(distanceM(done.position, detour) < 0.01);
  });

  it('continues a replanned current edge from the nearest point to where the vehicle is', () => {
    const driving = runFor(accepted(robot(), deliveryOrder()), 20).state;
    const update = deliveryOrder({ orderUpdateId: 1 });
    update.edges[0] = { ...update.edges[0]!, edgeId: 'leg0-b', trajectory: [START, PICKUP] };
    const result = applyOrder(driving, update);
    assert.ok(Math.abs(result.state.edgeProgressM - driving.edgeProgressM) < 1);
  });

  it('rejects an update that starts behind the vehicle or at a node it does not know', () => {
    const atPickup = runFor(accepted(robot(), deliveryOrder({ releasedUpTo: 2 })), 300).state;
    const behind = applyOrder(atPickup, deliveryOrder({ orderUpdateId: 1 }));
    assert.equal(!behind.ack.accepted && behind.ack.errorType, 'VALIDATION_ERROR');
    assert.match(!behind.ack.accepted ? behind.ack.description : '', /last node is pickup/);
    const stranger = deliveryOrder({ orderUpdateId: 1 });
    const unknown = applyOrder(atPickup, { ...stranger, nodes: [{ ...stranger.nodes[1]!, nodeId: 'elsewhere' }], edges: [] });
    assert.equal(!unknown.ack.accepted && unknown.ack.errorType, 'VALIDATION_ERROR');
  });

  it('accepts an update to a finished order stitched at its last node', () => {
    const done = runFor(accepted(robot(), deliveryOrder()), 400).state;
    const more = { ...deliveryOrder({ orderUpdateId: 1 }), nodes: [{ ...deliveryOrder().nodes[2]!, actions: [action('wait-9', 'wait')] }], edges: [] };
    const result = applyOrder(done, more);
    assert.deepEqual(result.ack, { accepted: true });
    assert.equal(reportOf(result.state, AT).status, 'EN_ROUTE');
    assert.equal(actionStatus(runFor(result.state, 10).state, 'wait-9'), 'FINISHED');
  });
});

describe('vehicle model: instant actions', () => {
  it('pause stops motion and running actions; resume continues', () => {
    const moving = runFor(accepted(robot(), deliveryOrder()), 10).state;
    const paused = applyInstantAction(moving, { actionId: 'i1', type: 'PAUSE' });
    assert.deepEqual(paused.ack, { accepted: true });
    assert.equal(paused.reportDue, true);
    const report = reportOf(paused.state, AT);
    assert.equal(report.status, 'PAUSED');
    assert.equal(report.paused, true);
    assert.equal(report.driving, false);
    const later = runFor(paused.state, 60).state;
    assert.deepEqual(later.position, moving.position);
    const resumed = applyInstantAction(later, { actionId: 'i2', type: 'RESUME' }).state;
    assert.ok(distanceM(runFor(resumed, 10).state.position, moving.position) > 10);
  });

  it('pauses a running action and resumes it', () => {
    const picking = runFor(accepted(robot(), deliveryOrder()), 68).state;
    assert.equal(actionStatus(picking, 'pick-1'), 'RUNNING');
    const paused = applyInstantAction(picking, { actionId: 'i1', type: 'PAUSE' }).state;
    assert.equal(actionStatus(paused, 'pick-1'), 'PAUSED');
    assert.equal(actionStatus(runFor(paused, 60).state, 'pick-1'), 'PAUSED');
    const resumed = applyInstantAction(paused, { actionId: 'i2', type: 'RESUME' }).state;
    assert.equal(actionStatus(resumed, 'pick-1'), 'RUNNING');
    assert.equal(actionStatus(runFor(resumed, 10).state, 'pick-1'), 'FINISHED');
  });

  it('cancel order stops the vehicle, fails unfinished actions and goes idle', () => {
    const moving = runFor(accepted(robot(), deliveryOrder()), 10).state;
    const cancelled = applyInstantAction(moving, { actionId: 'i1', type: 'CANCEL_ORDER' });
    assert.deepEqual(cancelled.ack, { accepted: true });
    const report = reportOf(runFor(cancelled.state, 30).state, AT);
    assert.equal(report.status, 'IDLE');
    assert.deepEqual(report.nodeStates, []);
    assert.deepEqual(report.edgeStates, []);
    assert.deepEqual(report.actionStates.map((a) => [a.status, a.resultDescription]), [
      ['FAILED', 'order cancelled'],
      ['FAILED', 'order cancelled'],
    ]);
    assert.deepEqual(report.position, moving.position);
    assert.deepEqual(applyOrder(cancelled.state, deliveryOrder({ orderId: 'o2' })).ack, { accepted: true });
  });

  it('rejects cancel without an order as NO_ORDER_TO_CANCEL', () => {
    const result = applyInstantAction(robot(), { actionId: 'i1', type: 'CANCEL_ORDER' });
    assert.equal(!result.ack.accepted && result.ack.errorType, 'NO_ORDER_TO_CANCEL');
  });

  it('answers a state request with a report even when nothing changed', () => {
    const result = applyInstantAction(robot(), { actionId: 'i1', type: 'STATE_REQUEST' });
    assert.deepEqual(result.ack, { accepted: true });
    assert.equal(result.reportDue, true);
  });

  it('rejects an unknown instant action but still applies the others in the same command', () => {
    const result = applyInstantActions(robot(), [
      { actionId: 'i1', type: 'PAUSE' },
      { actionId: 'i2', type: 'UNKNOWN' },
    ]);
    assert.equal(!result.ack.accepted && result.ack.errorType, 'UNSUPPORTED_ACTION');
    assert.equal(result.state.paused, true);
    assert.equal(applyInstantActions(robot(), []).ack.accepted, false);
  });
});
