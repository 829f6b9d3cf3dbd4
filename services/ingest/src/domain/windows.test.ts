import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from './reading.js';
import { lateReason, observationOf, stableEventId, windowStartOf } from './windows.js';

const policy = { windowMs: 60_000, latenessMs: 120_000 };
const sample: Reading = {
  locationId: 'tms:23901:1',
  geometry: { kind: 'point', point: { lat: 60.18719, lon: 24.8336 } },
  bearingDeg: 225,
  eventTime: new Date('2026-12-02T08:00:20Z'),
  source: 'digitraffic-tms',
  sourceId: 'tms-v2/23901/5116',
  readingKey: 'k',
  values: { speedKmh: 40 },
};

describe('event-time windows', () => {
  it('aligns windows to the minute', () => {
    assert.equal(windowStartOf(Date.parse('2026-12-02T08:00:59.999Z'), 60_000), Date.parse('2026-12-02T08:00:00Z'));
  });

  it('turns a window aggregate into an observation: means, the lowest friction, the worst surface, the real sample count', () => {
    const o = observationOf(
      { locationId: 'tms:23901:1', windowStartMs: Date.parse('2026-12-02T08:00:00Z'), sampleCount: 3, emittedCount: 1, sums: { speedKmh: { sum: 90, n: 2 }, flowVph: { sum: 480, n: 1 } }, frictionMin: 0.2, surfaceRank: 4 },
      sample,
      policy,
    );
    assert.equal(o.speedKmh, 45);
    assert.equal(o.flowVph, 480);
    assert.equal(o.friction, 0.2);
    assert.equal(o.surface, 'icy');
    assert.equal(o.sampleCount, 3);
    assert.equal(o.windowEnd.toISOString(), '2026-12-02T08:01:00.000Z');
    assert.equal(o.bearingDeg, 225);
  });

  it('explains a late reading with its window, the closing time and the watermark', () => {
    const reason = lateReason(sample, Date.parse('2026-12-02T08:00:00Z'), Date.parse('2026-12-02T08:05:00Z'), policy);
    assert.equal(reason, 'event time 2026-12-02T08:00:20.000Z falls in the window 2026-12-02T08:00:00.000Z..2026-12-02T08:01:00.000Z of tms:23901:1, closed at 2026-12-02T08:03:00.000Z (allowed lateness 120 s; newest event time at this location 2026-12-02T08:05:00.000Z)');
  });

  it('derives the same UUID-shaped event id from the same identity', () => {
    assert.equal(stableEventId('a'), stableEventId('a'));
    assert.notEqual(stableEventId('a'), stableEventId('b'));
    assert.match(stableEventId('a'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
