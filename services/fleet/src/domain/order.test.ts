import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildOrder, dropActionId, pickActionId, progressOf } from './order.js';
import type { Job, StateReport, Vehicle } from './types.js';

const now = new Date('2026-11-27T10:00:00Z');
const job = { id: 'job-1', pickup: { lat: 60.185, lon: 24.827 }, dropoff: { lat: 60.188, lon: 24.833 } } as Job;
const vehicle = { id: 'robot-1', position: { lat: 60.18, lon: 24.82 } } as Vehicle;
const plan = {
  legs: [
    { distanceM: 800, durationS: 500, points: [{ lat: 60.18, lon: 24.82 }, { lat: 60.183, lon: 24.824 }, { lat: 60.185, lon: 24.827 }] },
    { distanceM: 450, durationS: 300, points: [{ lat: 60.185, lon: 24.827 }, { lat: 60.188, lon: 24.833 }] },
  ],
  durationS: 800,
  trafficVersion: 3,
  edgeIds: [10, 11, 12],
};
const report = (actions: StateReport['actions']): StateReport => ({
  orderId: 'o1',
  orderUpdateId: 0,
  headingDeg: 0,
  batteryPct: 80,
  driving: true,
  paused: false,
  charging: false,
  actions,
  at: now,
});

describe('orders', () => {
  it('turns a two-leg plan into start → pickup (pick) → drop-off (drop) with VDA 5050 sequence ids', () => {
    const order = buildOrder(job, vehicle, 'o1', plan);
    assert.deepEqual(order.nodes.map((n) => [n.sequenceId, n.actions.map((a) => a.actionType)]), [[0, []], [2, ['pick']], [4, ['drop']]]);
    assert.deepEqual(order.edges.map((e) => [e.sequenceId, e.startNodeId, e.endNodeId]), [[1, 'o1:start', 'o1:pickup'], [3, 'o1:pickup', 'o1:dropoff']]);
    assert.deepEqual(order.edges[0]!.trajectory, plan.legs[0]!.points);
    assert.ok(order.nodes.every((n) => n.released) && order.edges.every((e) => e.released));
    assert.deepEqual(order.graphEdgeIds, [10, 11, 12]);
  });

  it('reads pick and drop progress from the action states', () => {
    assert.deepEqual(progressOf('job-1', report([{ actionId: pickActionId('job-1'), status: 'RUNNING' }])), { kind: 'none' });
    assert.deepEqual(progressOf('job-1', report([{ actionId: pickActionId('job-1'), status: 'FINISHED' }])), { kind: 'picked_up' });
    assert.deepEqual(
      progressOf('job-1', report([{ actionId: pickActionId('job-1'), status: 'FINISHED' }, { actionId: dropActionId('job-1'), status: 'FINISHED' }])),
      { kind: 'delivered' },
    );
    assert.deepEqual(progressOf('job-1', report([{ actionId: dropActionId('job-1'), status: 'FAILED', description: 'door jammed' }])), {
      kind: 'failed',
      reason: 'job-1:drop failed: door jammed',
    });
  });
});
