import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noGoTestFor, noGoZonesFromGeoJson, pointInPolygon } from './no-go.js';
import booleanIntersects from '@turf/boolean-intersects';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import circle from '@turf/circle';
import { featureCollection, lineString, multiPolygon, point, polygon } from '@turf/helpers';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { seededRandom } from '../testing/networks.js';

const square = [[[24.82, 60.18], [24.83, 60.18], [24.83, 60.19], [24.82, 60.19], [24.82, 60.18]]];

describe('no-go zones from GeoJSON', () => {
  it('reads Polygon and MultiPolygon features with optional profiles', () => {
    const zones = noGoZonesFromGeoJson(
      featureCollection<Polygon | MultiPolygon>([
        polygon(square, { name: 'school yard', profiles: ['sidewalk'] }),
        multiPolygon([square, square]),
      ]),
    );
    assert.equal(zones.length, 2);
    assert.deepEqual(zones[0]!.profiles, ['sidewalk']);
    assert.equal(zones[1]!.profiles, undefined);
    assert.equal(zones[1]!.polygons.length, 2);
    assert.equal(noGoTestFor(zones.slice(0, 1), 'road').isEmpty, true);
    assert.equal(noGoTestFor(zones, 'road').isEmpty, false);
  });

  it('rejects documents that are not polygons, with the zone named', () => {
    assert.throws(() => noGoZonesFromGeoJson(point([1, 2]).geometry), /FeatureCollection/);
    assert.throws(
      () => noGoZonesFromGeoJson(lineString([[24.82, 60.18], [24.83, 60.18]], { name: 'x' })),
      /no-go zone "x": geometry must be a Polygon/,
    );
    assert.throws(() => noGoZonesFromGeoJson(polygon(square, { name: 'y', profiles: ['boat'] })), /unknown profile "boat"/);
  });

  it('finds polylines inside a zone or crossing its edge, and respects holes', () => {
    const [zone] = noGoZonesFromGeoJson(polygon(square).geometry);
    const test = noGoTestFor([zone!], 'road');
    assert.equal(test.touches([60.185, 60.186], [24.825, 24.826], 0, 2), true, 'inside');
    assert.equal(test.touches([60.185, 60.185], [24.81, 24.84], 0, 2), true, 'crossing through');
    assert.equal(test.touches([60.2, 60.21], [24.81, 24.84], 0, 2), false, 'outside');
    const holed = [square[0]!, [[24.824, 60.184], [24.826, 60.184], [24.826, 60.186], [24.824, 60.186]]] as Array<Array<[number, number]>>;
    assert.equal(pointInPolygon(holed, 24.825, 60.185), false);
    assert.equal(pointInPolygon(holed, 24.821, 60.181), true);
  });

  it('agrees with Turf on random polylines around a zone with a hole and a round zone', () => {
    const holed = polygon([square[0]!, [[24.824, 60.184], [24.826, 60.184], [24.826, 60.186], [24.824, 60.186], [24.824, 60.184]]]);
    const round = circle([24.84, 60.185], 300, { units: 'meters' });
    const random = seededRandom(10);
    for (const zone of [holed, round] as Array<Feature<Polygon>>) {
      // Short polylines over the zone's box and around it: inside, in the hole, crossing an edge, outside.
      const outer = zone.geometry.coordinates[0]!;
      const [minLon, maxLon] = [Math.min(...outer.map((p) => p[0]!)), Math.max(...outer.map((p) => p[0]!))];
      const [minLat, maxLat] = [Math.min(...outer.map((p) => p[1]!)), Math.max(...outer.map((p) => p[1]!))];
      const [width, height] = [maxLon - minLon, maxLat - minLat];
      const somewhere = (): Position => [minLon - width / 2 + random() * 2 * width, minLat - height / 2 + random() * 2 * height];
      const near = ([lon, lat]: Position): Position => [lon! + (random() - 0.5) * width * 0.3, lat! + (random() - 0.5) * height * 0.3];
      const test = noGoTestFor(noGoZonesFromGeoJson(zone), 'road');
      let touching = 0;
      for (let trial = 0; trial < 400; trial++) {
        const line = [somewhere()];
        for (let i = 1 + Math.floor(random() * 3); i > 0; i--) line.push(near(line.at(-1)!));
        const lats = line.map(([, lat]) => lat!);
        const lons = line.map(([lon]) => lon!);
        const expected = booleanIntersects(lineString(line), zone);
        assert.equal(test.touches(lats, lons, 0, line.length), expected, `polyline ${JSON.stringify(line)}`);
        assert.equal(pointInPolygon(zone.geometry.coordinates as Array<Array<[number, number]>>, lons[0]!, lats[0]!), booleanPointInPolygon(line[0]!, zone));
        if (expected) touching++;
      }
      assert.ok(touching > 40 && touching < 360, `${touching} of 400 polylines touch the zone: both answers are exercised`);
    }
  });
});
