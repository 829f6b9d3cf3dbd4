import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearingBetween, lineBearing, readGeoJson } from './geometry.js';
import { RejectedInput } from './rejection.js';

describe('geometry', () => {
  it('reads GeoJSON [lon, lat] positions into lat/lon points', () => {
    assert.deepEqual(readGeoJson({ type: 'Point', coordinates: [24.83, 60.18, 12] }, 'location', ['point']), {
      kind: 'point',
      point: { lat: 60.18, lon: 24.83 },
    });
    const polygon = readGeoJson(
      { type: 'Polygon', coordinates: [[[24.8, 60.1], [24.9, 60.1], [24.9, 60.2], [24.8, 60.1]]] },
      'location',
      ['polygon'],
    );
    assert.equal(polygon.kind === 'polygon' && polygon.ring.length, 4);
  });

  it('names the offending position in its rejection', () => {
    assert.throws(
      () => readGeoJson({ type: 'LineString', coordinates: [[24.8, 60.1], ['24.9', 60.2]] }, 'location', ['line']),
      (err: unknown) => err instanceof RejectedInput && /^location\.coordinates\[1\]\[0\]: expected a longitude/.test(err.message),
    );
  });

  it('computes compass bearings clockwise from north', () => {
    const origin = { lat: 60.18, lon: 24.83 };
    assert.ok(Math.abs(bearingBetween(origin, { lat: 60.19, lon: 24.83 })) < 1e-9);
    assert.ok(Math.abs(bearingBetween(origin, { lat: 60.18, lon: 24.84 }) - 90) < 0.01);
    assert.ok(Math.abs(bearingBetween(origin, { lat: 60.17, lon: 24.83 }) - 180) < 1e-9);
    assert.ok(Math.abs(bearingBetween(origin, { lat: 60.18, lon: 24.82 }) - 270) < 0.01);
  });

  it('takes a line direction from its ends, falling back to the first segment of a loop', () => {
    const north = lineBearing([
      { lat: 60.18, lon: 24.83 },
      { lat: 60.185, lon: 24.84 },
      { lat: 60.19, lon: 24.83 },
    ]);
    assert.ok(north !== undefined && Math.abs(north) < 1e-9);
    const loop = lineBearing([
      { lat: 60.18, lon: 24.83 },
      { lat: 60.18, lon: 24.84 },
      { lat: 60.18, lon: 24.83 },
    ]);
    assert.ok(loop !== undefined && Math.abs(loop - 90) < 0.01);
    assert.equal(lineBearing([{ lat: 1, lon: 1 }, { lat: 1, lon: 1 }]), undefined);
  });
});
