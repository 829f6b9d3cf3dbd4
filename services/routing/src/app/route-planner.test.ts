import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, ValidationError } from '@kera/platform';
import { readOsmPbfFile } from '../adapters/osm/pbf-reader.js';
import { DEFAULT_MAP_PATH } from '../config.js';
import { OTANIEMI } from '../demo-places.js';
import type { ProfileName } from '../domain/profiles.js';
import { freeFlowStore, otaniemiNetworks, seededRandom } from '../testing/networks.js';
import { WeightStore } from '../domain/weights.js';
import { createRoutePlanner, type PlannedRoute, type RoutePlanner } from './route-planner.js';
import pointOnLine from '@turf/along';
import booleanIntersects from '@turf/boolean-intersects';
import circle from '@turf/circle';
import { lineString } from '@turf/helpers';
import length from '@turf/length';
import { loadNetworks } from '../adapters/osm/network-loader.js';
import { noGoZonesFromGeoJson } from '../domain/no-go.js';

const networks = otaniemiNetworks();
const osm = readOsmPbfFile(DEFAULT_MAP_PATH, { keepWay: (tags) => tags.highway !== undefined });
const tagsOfWay = new Map(osm.ways.map((w) => [w.id, w.tags]));
const departure = new Date('2026-01-15T08:00:00Z');
const planner = (store = freeFlowStore(networks)) => createRoutePlanner({ networks, weights: store, snapRadiusM: 250 });
const route = (profile: ProfileName, waypoints: Array<{ lat: number; lon: number }>, store = freeFlowStore(networks)) =>
  planner(store).planRoute({ profile, waypoints, departure });
const wayOfEdge = (profile: ProfileName, edge: number) => {
  const { graph } = networks[profile];
  return graph.geometryWay[graph.edgeGeometry[edge]!]!;
};

/** A planned route as a GeoJSON LineString. */
const wayOf = (planned: PlannedRoute) => lineString(planned.coordinates.map(([lon, lat]) => [lon, lat]));

function assertFollowsStreets(planned: PlannedRoute) {
  const coordinates = planned.coordinates;
  assert.ok(coordinates.length >= 2);
  const [lon0, lat0] = coordinates[0]!;
  const from = planned.legs[0]!.from.snapped;
  assert.ok(Math.abs(lon0 - from.lon) < 1e-9 && Math.abs(lat0 - from.lat) < 1e-9, 'starts at the snapped start');
  // Consecutive shape points are OSM nodes of the streets, never long jumps across blocks.
  for (let i = 1; i < coordinates.length; i++) {
    const [lonA, latA] = coordinates[i - 1]!;
    const [lonB, latB] = coordinates[i]!;
    const metres = Math.hypot((lonB - lonA) * 55_600, (latB - latA) * 111_200);
    assert.ok(metres < 400, `jump of ${metres.toFixed(0)} m at point ${i}`);
  }
}

describe('PlanRoute on the Otaniemi map', () => {
  it('routes shuttles between the demo places along real streets', () => {
    const planned = route('road', [OTANIEMI.roadA, OTANIEMI.roadB]);
    assertFollowsStreets(planned);
    assert.ok(planned.distanceM > 1000 && planned.distanceM < 2500, `${planned.distanceM} m`);
    // Campus streets at 30-40 km/h: between 25 and 60 km/h on average.
    const kmh = planned.distanceM / planned.durationS * 3.6;
    assert.ok(kmh > 25 && kmh < 60, `${kmh} km/h`);
    assert.ok(Math.abs(planned.arrival.getTime() - (departure.getTime() + planned.durationS * 1000)) < 1);
    assert.deepEqual(planned.edgeIds, planned.legs[0]!.edgeIds);
  });

  it('routes robots between the demo places at walking pace', () => {
    const planned = route('sidewalk', [OTANIEMI.sidewalkA, OTANIEMI.sidewalkB]);
    assertFollowsStreets(planned);
    const kmh = planned.distanceM / planned.durationS * 3.6;
    assert.ok(kmh >= 5 && kmh <= 6.0001, `${kmh} km/h`);
    for (const edge of planned.edgeIds) {
      const highway = tagsOfWay.get(wayOfEdge('sidewalk', edge))?.highway;
      assert.ok(highway !== 'steps' && highway !== 'trunk', `robot route uses ${highway}`);
    }
  });

  it('walks robots around steps instead of down them', () => {
    const steps = osm.ways.find((w) => w.tags.highway === 'steps' && w.tags.name === 'Amfi')!;
    const ends = [steps.refs[0]!, steps.refs[steps.refs.length - 1]!].map((id) => {
      const i = osm.nodes.ids.indexOf(id);
      return { lat: osm.nodes.lats[i]!, lon: osm.nodes.lons[i]! };
    });
    const planned = route('sidewalk', ends);
    assert.ok(!planned.edgeIds.some((edge) => wayOfEdge('sidewalk', edge) === steps.id));
    assert.ok(planned.edgeIds.every((edge) => tagsOfWay.get(wayOfEdge('sidewalk', edge))?.highway !== 'steps'));
  });

  it('routes robots around a no-go zone set on their usual way', () => {
    const usual = route('sidewalk', [OTANIEMI.sidewalkA, OTANIEMI.sidewalkB]);
    const usualWay = wayOf(usual);
    // 40 m around the middle of that way, for robots, as a NO_GO_ZONES file would give it.
    const middle = pointOnLine(usualWay, length(usualWay, { units: 'meters' }) / 2, { units: 'meters' });
    const works = circle(middle, 40, { units: 'meters', properties: { name: 'campus works', profiles: ['sidewalk'] } });
    assert.ok(booleanIntersects(usualWay, works));
    const fenced = loadNetworks({ mapPath: DEFAULT_MAP_PATH, profiles: ['sidewalk'], noGoZones: noGoZonesFromGeoJson(works) }).networks;
    const withZone = { road: networks.road, sidewalk: fenced.sidewalk };
    const detour = createRoutePlanner({ networks: withZone, weights: freeFlowStore(withZone), snapRadiusM: 250 })
      .planRoute({ profile: 'sidewalk', waypoints: [OTANIEMI.sidewalkA, OTANIEMI.sidewalkB], departure });
    assertFollowsStreets(detour);
    assert.equal(booleanIntersects(wayOf(detour), works), false, 'the detour stays out of the zone');
    assert.ok(detour.distanceM > usual.distanceM, `detour ${detour.distanceM} m vs ${usual.distanceM} m`);
  });

  it('keeps shuttles to the legal direction of oneway streets', () => {
    const { graph } = networks.road;
    // A long oneway piece: driving it backwards needs a detour, walking it does not.
    let best = -1;
    for (let g = 0; g < graph.geometryCount; g++) {
      const oneway = graph.geometryEdges[2 * g]! >= 0 && graph.geometryEdges[2 * g + 1]! < 0;
      if (oneway && (best === -1 || graph.edgeLengthM[graph.geometryEdges[2 * g]!]! > graph.edgeLengthM[graph.geometryEdges[2 * best]!]!)) best = g;
    }
    const forwardEdge = graph.geometryEdges[2 * best]!;
    const first = graph.geometryFirst[best]!;
    const last = graph.geometryFirst[best + 1]! - 1;
    const start = { lat: graph.pointLat[first]!, lon: graph.pointLon[first]! };
    const end = { lat: graph.pointLat[last]!, lon: graph.pointLon[last]! };
    const along = route('road', [start, end]);
    const against = route('road', [end, start]);
    assert.ok(along.edgeIds.includes(forwardEdge));
    assert.ok(!against.edgeIds.includes(forwardEdge), 'never drives the oneway backwards');
    assert.ok(against.distanceM > along.distanceM * 1.2, `detour ${against.distanceM} m vs ${along.distanceM} m`);
  });

  it('plans multi-leg routes on one traffic version', () => {
    const planned = route('road', [OTANIEMI.roadA, OTANIEMI.roadB, OTANIEMI.roadA], freeFlowStore(networks, 42));
    assert.equal(planned.legs.length, 2);
    assert.equal(planned.trafficVersion, 42);
    const sum = planned.legs.reduce((s, leg) => s + leg.durationS, 0);
    assert.ok(Math.abs(sum - planned.durationS) < 1e-9);
    assert.deepEqual(planned.edgeIds, [...planned.legs[0]!.edgeIds, ...planned.legs[1]!.edgeIds]);
    const geojson = planned.coordinates;
    assert.deepEqual(geojson[0], geojson[geojson.length - 1], 'the round trip ends where it started');
  });

  it('drives straight along one street when both points are on it', () => {
    const planned = route('sidewalk', [OTANIEMI.sidewalkA, { lat: OTANIEMI.sidewalkA.lat + 0.00005, lon: OTANIEMI.sidewalkA.lon }]);
    assert.ok(planned.distanceM < 50, `${planned.distanceM} m`);
  });
});

describe('PlanRoute errors', () => {
  it('rejects points beyond the snap radius with a precise message', () => {
    assert.throws(
      () => route('road', [OTANIEMI.roadA, { lat: 60.3, lon: 24.9 }]),
      (err: unknown) => err instanceof ValidationError && /waypoint 1 \(60.3, 24.9\) is farther than the snap radius of 250 m from the road network/.test(err.message),
    );
  });

  it('rejects fewer than two waypoints and invalid coordinates', () => {
    assert.throws(() => route('road', [OTANIEMI.roadA]), ValidationError);
    assert.throws(() => route('road', [OTANIEMI.roadA, { lat: 91, lon: 0 }]), /waypoint 1: \(91, 0\) is not a WGS84 coordinate/);
    assert.throws(() => route('road', [OTANIEMI.roadA, { lat: Number.NaN, lon: 24.8 }]), ValidationError);
  });

  it('answers NOT_FOUND when closures cut the destination off', () => {
    const store = freeFlowStore(networks);
    const { graph } = networks.road;
    const target = networks.road.snap.nearest(OTANIEMI.roadB.lat, OTANIEMI.roadB.lon, 250)!;
    const closed = networks.road.freeFlow.slice();
    // Close every arc into both ends of the destination's street, and the street itself.
    const heads = new Set<number>();
    for (const dir of [0, 1]) {
      const edge = graph.geometryEdges[2 * target.geometry + dir]!;
      if (edge >= 0) heads.add(graph.edgeHead[edge]!);
    }
    for (let a = 0; a < graph.arcCount; a++) if (heads.has(graph.arcHead[a]!)) closed[a] = Infinity;
    store.swap({ version: 2, arcWeights: { ...store.current.arcWeights, road: closed } });
    assert.throws(() => route('road', [OTANIEMI.roadA, OTANIEMI.roadB], store), (err: unknown) =>
      err instanceof NotFoundError && /no road route from waypoint 0 to waypoint 1 on traffic version 2/.test(err.message));
  });
});

/** Live weights: a third of the edges slowed up to 4x, 2% closed. */
function liveWeights(profile: ProfileName, random: () => number): Float64Array {
  const { graph, freeFlow } = networks[profile];
  const weights = freeFlow.slice();
  for (let e = 0; e < graph.edgeCount; e++) {
    const roll = random();
    if (roll < 0.66) continue;
    const factor = roll > 0.98 ? Infinity : 1 + 3 * random();
    for (let i = graph.edgeFirstArc[e]!; i < graph.edgeFirstArc[e + 1]!; i++) weights[graph.edgeArcs[i]!]! *= factor;
  }
  return weights;
}

describe('PlanMatrix', () => {
  const random = seededRandom(21);
  const points = (profile: ProfileName, count: number) => {
    const { graph } = networks[profile];
    return Array.from({ length: count }, () => {
      const v = Math.floor(random() * graph.nodeCount);
      return { lat: graph.nodeLat[v]! + 0.0001, lon: graph.nodeLon[v]! };
    });
  };

  it('gives the same durations and distances as PlanRoute for every pair', async () => {
    for (const profile of ['road', 'sidewalk'] as const) {
      const sources = points(profile, 6);
      const destinations = points(profile, 5);
      const matrix = await planner().planMatrix({ profile, sources, destinations, departure });
      assert.equal(matrix.rows, 6);
      assert.equal(matrix.cols, 5);
      sources.forEach((s, r) => destinations.forEach((d, c) => {
        const single = route(profile, [s, d]);
        assert.ok(Math.abs(matrix.durationsS[r * 5 + c]! - single.durationS) < 1e-6, `${profile} ${r},${c}`);
        assert.ok(Math.abs(matrix.distancesM[r * 5 + c]! - single.distanceM) < 1e-6 || matrix.durationsS[r * 5 + c] === single.durationS);
      }));
    }
  });

  it('the hierarchy answers what plain Dijkstra answers, routes and matrices, both profiles, live weights', async () => {
    const weights = new WeightStore({
      version: 5,
      arcWeights: { road: liveWeights('road', random), sidewalk: liveWeights('sidewalk', random) },
    });
    const hierarchy = createRoutePlanner({ networks, weights, snapRadiusM: 250 });
    const dijkstra = createRoutePlanner({ networks, weights, snapRadiusM: 250, search: 'dijkstra' });
    for (const profile of ['road', 'sidewalk'] as const) {
      const sources = points(profile, 12);
      const destinations = points(profile, 9);
      const fast = await hierarchy.planMatrix({ profile, sources, destinations, departure });
      const plain = await dijkstra.planMatrix({ profile, sources, destinations, departure });
      fast.durationsS.forEach((d, i) => assert.ok(Math.abs(d - plain.durationsS[i]!) <= 1e-9 * Math.abs(d), `${profile} cell ${i}: ${d} vs ${plain.durationsS[i]}`));
      sources.forEach((s, r) => {
        const duration = (planned: RoutePlanner) => {
          try {
            return planned.planRoute({ profile, waypoints: [s, destinations[r % 9]!], departure }).durationS;
          } catch (err) {
            assert.ok(err instanceof NotFoundError);
            return -1;
          }
        };
        const expected = duration(dijkstra);
        assert.ok(Math.abs(duration(hierarchy) - expected) <= 1e-9 * Math.abs(expected), `${profile} route ${r}`);
        assert.ok(Math.abs(fast.durationsS[r * 9 + (r % 9)]! - expected) <= 1e-9 * Math.abs(expected), `${profile} route ${r} vs matrix`);
      });
    }
  });

  it('uses one weight snapshot even when weights are swapped while it runs', async () => {
    const store = freeFlowStore(networks, 10);
    const sources = points('road', 150);
    const destinations = points('road', 20);
    const expected = await planner(freeFlowStore(networks, 10)).planMatrix({ profile: 'road', sources, destinations, departure });
    const running = planner(store).planMatrix({ profile: 'road', sources, destinations, departure });
    // The matrix yields between chunks of rows: swap in doubled weights while it is in flight,
    // and route on them in between (the route shares the hierarchy's scratch space).
    const doubled = networks.road.freeFlow.map((w) => w * 2);
    store.swap({ version: 11, arcWeights: { ...store.current.arcWeights, road: doubled } });
    assert.equal(route('road', [OTANIEMI.roadA, OTANIEMI.roadB], store).trafficVersion, 11);
    const matrix = await running;
    assert.equal(matrix.trafficVersion, 10);
    assert.deepEqual(matrix.durationsS, expected.durationsS);
    const after = await planner(store).planMatrix({ profile: 'road', sources, destinations, departure });
    assert.equal(after.trafficVersion, 11);
    assert.ok(Math.abs(after.durationsS[1]! - 2 * expected.durationsS[1]!) < 1e-6);
  });

  it('rejects empty and oversized matrices and unsnappable points', async () => {
    await assert.rejects(planner().planMatrix({ profile: 'road', sources: [], destinations: [OTANIEMI.roadA], departure }), ValidationError);
    await assert.rejects(
      planner().planMatrix({ profile: 'road', sources: [OTANIEMI.roadA], destinations: [{ lat: 61, lon: 25 }], departure }),
      /destination 0 \(61, 25\) is farther than the snap radius/,
    );
  });
});
