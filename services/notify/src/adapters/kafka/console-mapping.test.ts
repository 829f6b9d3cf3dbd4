import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, wrap, type IncomingMessage } from '@kera/platform';
import { OrderEventType, VehicleEventType } from '@kera/proto/fleet/v1/fleet';
import { VehicleKind, VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { Profile } from '@kera/proto/traffic/v1/events';
import { compareIds } from '../console/event-hub.js';
import { toConsoleInput, type ConsoleTopics } from './console-mapping.js';

const topics: ConsoleTopics = { jobEvents: 'j', vehicleEvents: 'v', orders: 'o', incidents: 'i', feedStatus: 'f', ingestDlq: 'd', trafficChanges: 't' };
const message = (topic: string, value: Uint8Array | null): IncomingMessage => ({ topic, partition: 0, offset: '1', key: null, value: value ? Buffer.from(value) : null, headers: {}, timestamp: 0 }) as IncomingMessage;

describe('console mapping', () => {
  it('turns a sent order into its base and horizon lines', () => {
    const p = (lat: number) => ({ lat, lon: 24 });
    const order = {
      orderId: 'o1', orderUpdateId: 0, jobId: 'job-1', trafficVersion: 1,
      nodes: [
        { nodeId: 'n0', sequenceId: 0, released: true, position: p(60.0), actions: [] },
        { nodeId: 'n2', sequenceId: 2, released: false, position: p(60.2), actions: [] },
      ],
      edges: [{ edgeId: 'e1', sequenceId: 1, released: true, startNodeId: 'n0', endNodeId: 'n2', maxSpeed: 1, lengthM: 1, trajectory: [p(60.1)], actions: [] }],
    };
    const value = wrap(EVENTS.orderEvent, { type: OrderEventType.SENT, vehicleId: 'robot-1', commandId: 'c', order, graphEdgeIds: [], durationS: 0 }, { source: 'fleet' });
    const input = toConsoleInput(topics, message('o', value));
    assert.ok(input?.kind === 'order');
    assert.deepEqual(input.route.base, [[24, 60.0], [24, 60.1]]);
    assert.deepEqual(input.route.horizon, [[24, 60.1], [24, 60.2]]);
    const acked = wrap(EVENTS.orderEvent, { type: OrderEventType.ACKED, vehicleId: 'robot-1', commandId: 'c', order, graphEdgeIds: [], durationS: 0 }, { source: 'fleet' });
    assert.equal(toConsoleInput(topics, message('o', acked)), undefined, 'an ack draws nothing new');
  });

  it('marks a vehicle OFFLINE on an offline event whatever its last state, and maps traffic changes', () => {
    const vehicle = { id: 'robot-1', kind: VehicleKind.ROBOT, profile: Profile.SIDEWALK, capacity: 1, batteryPct: 40, position: { lat: 60, lon: 24 }, headingDeg: 0, status: VehicleStatus.EN_ROUTE, orderId: '', jobId: '' };
    const value = wrap(EVENTS.vehicleEvent, { type: VehicleEventType.OFFLINE, vehicle, reason: 'silent' }, { source: 'fleet' });
    const input = toConsoleInput(topics, message('v', value));
    assert.equal(input?.kind === 'vehicle' && input.data.status, 'OFFLINE');
    const change = wrap(EVENTS.trafficChange, { areaCell: 'c', profile: Profile.ROAD, trafficVersion: 7, edgeIds: [1, 2] }, { source: 'routing' });
    assert.deepEqual(toConsoleInput(topics, message('t', change)), { kind: 'traffic', data: { profile: 'ROAD', trafficVersion: 7, edgeIds: [1, 2] } });
  });

  it('rejects empty messages and unknown topics with the reason', () => {
    assert.throws(() => toConsoleInput(topics, message('v', null)), /empty message/);
    assert.throws(() => toConsoleInput(topics, message('x', new Uint8Array([1]))), /unexpected topic x/);
  });

  it('orders stream ids numerically', () => {
    assert.equal(compareIds('10-0', '9-5'), 1);
    assert.equal(compareIds('9-5', '9-10'), -1);
    assert.equal(compareIds('9-5', '9-5'), 0);
  });
});
