import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseKinds, splitRoute, visibleTo, type ConsoleEvent } from './console-events.js';

const job = (operatorId: string): ConsoleEvent => ({
  kind: 'job',
  data: { id: 'j1', operatorId, status: 'QUEUED', vehicleId: '', eta: null, reason: '', pickup: null, dropoff: null, updatedAt: null, version: 1 },
});
const vehicle: ConsoleEvent = {
  kind: 'vehicle',
  data: { id: 'robot-1', kind: 'ROBOT', status: 'EN_ROUTE', batteryPct: 80, position: { lat: 60, lon: 24 }, headingDeg: 0, jobId: 'j1', orderId: 'o1', lastSeen: null },
};

describe('console visibility', () => {
  it('an operator sees its own jobs only, an admin all', () => {
    assert.ok(visibleTo(job('acme'), { admin: false, operatorId: 'acme' }));
    assert.equal(visibleTo(job('other'), { admin: false, operatorId: 'acme' }), undefined);
    assert.ok(visibleTo(job('other'), { admin: true }));
  });

  it('an operator sees vehicles without their job and order ids, and no ingest dead letters', () => {
    const seen = visibleTo(vehicle, { admin: false, operatorId: 'acme' });
    assert.equal(seen?.kind === 'vehicle' && seen.data.jobId, '');
    assert.equal(seen?.kind === 'vehicle' && seen.data.orderId, '');
    const dlq: ConsoleEvent = { kind: 'ingest-dead-letter', data: { sourceTopic: 't', sourcePartition: 0, sourceOffset: '1', errorCode: 'x', reason: 'y', rejectedAt: null } };
    assert.equal(visibleTo(dlq, { admin: false, operatorId: 'acme' }), undefined);
  });
});

describe('splitRoute', () => {
  it('orders parts by sequence and joins the horizon to the end of the base', () => {
    const { base, horizon } = splitRoute([
      { sequenceId: 2, released: true, points: [{ lat: 2, lon: 2 }] },
      { sequenceId: 0, released: true, points: [{ lat: 0, lon: 0 }] },
      { sequenceId: 4, released: false, points: [{ lat: 4, lon: 4 }] },
    ]);
    assert.deepEqual(base, [[0, 0], [2, 2]]);
    assert.deepEqual(horizon, [[2, 2], [4, 4]]);
  });
});

describe('parseKinds', () => {
  it('names the unknown kinds', () => {
    assert.deepEqual([...parseKinds('job,vehicle')], ['job', 'vehicle']);
    assert.throws(() => parseKinds('job,planes'), /unknown planes/);
    assert.equal(parseKinds(undefined).size, 7);
  });
});
