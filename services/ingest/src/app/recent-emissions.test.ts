import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRecentEmissions } from './recent-emissions.js';

describe('recent emissions', () => {
  it('knows a window version is out once it or a larger one was emitted', () => {
    const recent = createRecentEmissions();
    assert.equal(recent.windowOut('tms:1:1', 60_000, 3), false);
    recent.remember([{ locationId: 'tms:1:1', windowStartMs: 60_000, sampleCount: 3 }], []);
    assert.equal(recent.windowOut('tms:1:1', 60_000, 3), true);
    assert.equal(recent.windowOut('tms:1:1', 60_000, 2), true);
    assert.equal(recent.windowOut('tms:1:1', 60_000, 4), false, 'a window with more samples is news');
    assert.equal(recent.windowOut('tms:1:1', 120_000, 1), false, 'another window of the same place');
    recent.remember([{ locationId: 'tms:1:1', windowStartMs: 60_000, sampleCount: 2 }], []);
    assert.equal(recent.windowOut('tms:1:1', 60_000, 3), true, 'an older version does not move it back');
  });

  it('knows an incident version is out by the order and fingerprint rule of the marks in Redis', () => {
    const recent = createRecentEmissions();
    recent.remember([], [{ incidentId: 'GUID-1', orderMs: 1_000, fingerprint: 'a' }]);
    assert.equal(recent.incidentOut({ incidentId: 'GUID-1', orderMs: 1_000, fingerprint: 'a' }), true);
    assert.equal(recent.incidentOut({ incidentId: 'GUID-1', orderMs: 500, fingerprint: 'z' }), true, 'older than what is out');
    assert.equal(recent.incidentOut({ incidentId: 'GUID-1', orderMs: 1_000, fingerprint: 'b' }), false, 'same time, other content');
    assert.equal(recent.incidentOut({ incidentId: 'GUID-1', orderMs: 2_000, fingerprint: 'a' }), false, 'newer');
    assert.equal(recent.incidentOut({ incidentId: 'GUID-2', orderMs: 1_000, fingerprint: 'a' }), false);
  });

  it('forgets the oldest entries beyond its limit, so it only ever under-reports', () => {
    const recent = createRecentEmissions(2);
    recent.remember(['a', 'b', 'c'].map((locationId) => ({ locationId, windowStartMs: 0, sampleCount: 1 })), []);
    assert.equal(recent.windowOut('a', 0, 1), false);
    assert.equal(recent.windowOut('b', 0, 1), true);
    assert.equal(recent.windowOut('c', 0, 1), true);
  });
});
