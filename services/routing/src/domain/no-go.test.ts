import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noGoTestFor, noGoZonesFromGeoJson, pointInPolygon } from './no-go.js';

const square = [[[24.82, 60.18], [24.83, 60.18], [24.83, 60.19], [24.82, 60.19], [24.82, 60.18]]];

describe('no-go zones from GeoJSON', () => {
  it('reads Polygon and MultiPolygon features with optional profiles', () => {
    const zones = noGoZonesFromGeoJson({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'school yard', profiles: ['sidewalk'] }, geometry: { type: 'Polygon', coordinates: square } },
        { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [square, square] } },
      ],
    });
    assert.equal(zones.length, 2);
    assert.deepEqual(zones[0]!.profiles, ['sidewalk']);
    assert.equal(zones[1]!.profiles, undefined);
    assert.equal(zones[1]!.polygons.length, 2);
    assert.equal(noGoTestFor(zones.slice(0, 1), 'road').isEmpty, true);
    assert.equal(noGoTestFor(zones, 'road').isEmpty, false);
  });

  it('rejects documents that are not polygons, with the zone named', () => {
    assert.throws(() => noGoZonesFromGeoJson({ type: 'Point', coordinates: [1, 2] }), /FeatureCollection/);
    assert.throws(
      () => noGoZonesFromGeoJson({ type: 'Feature', properties: { name: 'x' }, geometry: { type: 'LineString', coordinates: [] } }),
      /no-go zone "x": geometry must be a Polygon/,
    );
    assert.throws(
      () => noGoZonesFromGeoJson({ type: 'Feature', properties: { name: 'y', profiles: ['boat'] }, geometry: { type: 'Polygon', coordinates: square } }),
      /unknown profile "boat"/,
    );
  });

  it('finds polylines inside a zone or crossing its edge, and respects holes', () => {
    const [zone] = noGoZonesFromGeoJson({ type: 'Polygon', coordinates: square });
    const test = noGoTestFor([zone!], 'road');
    assert.equal(test.touches([60.185, 60.186], [24.825, 24.826], 0, 2), true, 'inside');
    assert.equal(test.touches([60.185, 60.185], [24.81, 24.84], 0, 2), true, 'crossing through');
    assert.equal(test.touches([60.2, 60.21], [24.81, 24.84], 0, 2), false, 'outside');
    const holed = [square[0]!, [[24.824, 60.184], [24.826, 60.184], [24.826, 60.186], [24.824, 60.186]]] as Array<Array<[number, number]>>;
    assert.equal(pointInPolygon(holed, 24.825, 60.185), false);
    assert.equal(pointInPolygon(holed, 24.821, 60.181), true);
  });
});
