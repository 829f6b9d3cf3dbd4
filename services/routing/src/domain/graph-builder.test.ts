import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOsmPbfFile } from '../adapters/osm/pbf-reader.js';
import { DEFAULT_MAP_PATH } from '../config.js';
import { SHARED_OSM_DIR } from '../testing/networks.js';
import { buildRoadGraph } from './graph-builder.js';
import { freeFlowArcWeights, type RoadGraph } from './graph.js';
import type { OsmExtract, OsmWay } from './osm.js';
import { isRoutableWay } from './profiles.js';
import { NodeHeap } from './search/min-heap.js';
import booleanIntersects from '@turf/boolean-intersects';
import circle from '@turf/circle';
import { featureCollection, lineString } from '@turf/helpers';
import type { Feature, Polygon, Position } from 'geojson';
import { noGoZonesFromGeoJson } from './no-go.js';

const otaniemi = readOsmPbfFile(DEFAULT_MAP_PATH, { keepWay: () => true });
const tagsOfWay = new Map(otaniemi.ways.map((w) => [w.id, w.tags]));
const road = buildRoadGraph(otaniemi, 'road');
const sidewalk = buildRoadGraph(otaniemi, 'sidewalk');

function reachableFrom(graph: RoadGraph, root: number): number {
  const distance = new Float64Array(graph.nodeCount).fill(Infinity);
  const heap = new NodeHeap(graph.nodeCount);
  const weights = freeFlowArcWeights(graph);
  distance[root] = 0;
  heap.push(root, 0);
  let count = 0;
  while (heap.size > 0) {
    const u = heap.pop();
    count++;
    for (let a = graph.firstOut[u]!; a < graph.firstOut[u + 1]!; a++) {
      const v = graph.arcHead[a]!;
      if (distance[u]! + weights[a]! < distance[v]!) {
        distance[v] = distance[u]! + weights[a]!;
        heap.push(v, distance[v]!);
      }
    }
  }
  return count;
}

describe('reading OSM PBF', () => {
  it('reads every node and the highway ways of the Otaniemi extract', () => {
    assert.equal(otaniemi.nodes.ids.length, 12_282);
    assert.equal(otaniemi.ways.filter((w) => w.tags.highway !== undefined).length, 1_075);
    const sorted = otaniemi.nodes.ids.every((id, i, ids) => i === 0 || ids[i - 1]! < id);
    assert.ok(sorted, 'node ids sorted for lookup');
    // Ways crossing the bbox keep all their nodes, so most (not all) nodes lie inside it.
    const inBox = otaniemi.nodes.lats.filter((lat, i) => lat > 60.1798 && lat < 60.1923 && otaniemi.nodes.lons[i]! > 24.8122 && otaniemi.nodes.lons[i]! < 24.8494);
    assert.ok(inBox.length > 0.8 * otaniemi.nodes.ids.length, `${inBox.length} nodes inside the Otaniemi bbox`);
  });
});

describe('building profile graphs from Otaniemi', () => {
  it('keeps one strongly connected network per profile', () => {
    assert.ok(road.nodeCount > 300 && sidewalk.nodeCount > 1000, `${road.nodeCount} road, ${sidewalk.nodeCount} sidewalk nodes`);
    assert.equal(reachableFrom(road, 0), road.nodeCount);
    assert.equal(reachableFrom(sidewalk, 0), sidewalk.nodeCount);
  });

  it('gives robots no steps, trunk roads or motorways', () => {
    for (let g = 0; g < sidewalk.geometryCount; g++) {
      const highway = tagsOfWay.get(sidewalk.geometryWay[g]!)?.highway;
      assert.ok(highway && !['steps', 'motorway', 'motorway_link', 'trunk', 'trunk_link'].includes(highway), `way ${sidewalk.geometryWay[g]} is ${highway}`);
    }
  });

  it('gives shuttles no footways and only the allowed direction of oneway streets', () => {
    let oneways = 0;
    for (let g = 0; g < road.geometryCount; g++) {
      const tags = tagsOfWay.get(road.geometryWay[g]!)!;
      assert.ok(!['footway', 'path', 'steps', 'cycleway', 'pedestrian'].includes(tags.highway!), tags.highway);
      if (tags.oneway === 'yes') {
        oneways++;
        assert.equal(road.geometryEdges[2 * g + 1], -1, `oneway way ${road.geometryWay[g]} has no backward edge`);
      }
    }
    assert.ok(oneways > 20, `${oneways} oneway pieces checked`);
  });

  it('stores consistent CSR arrays, lengths and free-flow times', () => {
    for (const graph of [road, sidewalk]) {
      assert.equal(graph.firstOut[graph.nodeCount], graph.arcCount);
      for (let a = 0; a < graph.arcCount; a++) {
        const e = graph.arcEdge[a]!;
        assert.equal(graph.arcHead[a], graph.edgeHead[e]);
        assert.ok(graph.arcTail[a]! >= 0 && graph.firstOut[graph.arcTail[a]!]! <= a && a < graph.firstOut[graph.arcTail[a]! + 1]!);
      }
      for (let e = 0; e < graph.edgeCount; e++) {
        const expected = graph.edgeLengthM[e]! / (graph.edgeSpeedKmh[e]! / 3.6);
        assert.ok(Math.abs(graph.edgeFreeFlowS[e]! - expected) < 1e-6 * (1 + expected));
      }
    }
  });
});

describe('building from other maps', () => {
  it('loads Helsinki centre, skipping way references to nodes outside the file', () => {
    const helsinki = readOsmPbfFile(join(SHARED_OSM_DIR, 'helsinki-centre.osm.pbf'), { keepWay: isRoutableWay });
    assert.equal(helsinki.restrictions.length >= 45, true);
    const graph = buildRoadGraph(helsinki, 'sidewalk');
    assert.ok(graph.nodeCount > 1000, `${graph.nodeCount} sidewalk nodes`);
    assert.ok(buildRoadGraph(helsinki, 'road').nodeCount > 300);
  });

  it('loads Columbus (highway ways only, no metadata)', () => {
    const columbus = readOsmPbfFile(join(SHARED_OSM_DIR, 'columbus.osm.pbf'), { keepWay: isRoutableWay });
    assert.ok(buildRoadGraph(columbus, 'road').nodeCount > 5000);
  });
});

/** A plus-shaped junction: node 5 in the middle, arms to 1 (west), 2 (north), 3 (east), 4 (south). */
function crossroads(restriction?: { type: string; from: number; to: number }): OsmExtract {
  const ids = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const lats = Float64Array.from([60.18, 60.181, 60.18, 60.179, 60.18, 60.181, 60.181, 60.179]);
  const lons = Float64Array.from([24.818, 24.82, 24.822, 24.82, 24.82, 24.818, 24.822, 24.822]);
  const way = (id: number, refs: number[]): OsmWay => ({ id, tags: { highway: 'residential' }, refs: Float64Array.from(refs) });
  // Arms 10..13 meet at 5; an outer ring 20 links the arm ends so every turn has a detour.
  const ways = [way(10, [1, 5]), way(11, [5, 2]), way(12, [5, 3]), way(13, [5, 4]), way(20, [1, 6, 2, 7, 3, 8, 4, 1])];
  const restrictions = restriction
    ? [{ id: 99, tags: { type: 'restriction', restriction: restriction.type }, members: [
        { type: 'way' as const, ref: restriction.from, role: 'from' },
        { type: 'node' as const, ref: 5, role: 'via' },
        { type: 'way' as const, ref: restriction.to, role: 'to' },
      ] }]
    : [];
  return { nodes: { ids, lats, lons }, ways, restrictions };
}

/** Whether the graph has a path west arm → node 5 → north arm without leaving the junction. */
function turnAllowed(graph: RoadGraph, fromWay: number, toWay: number): boolean {
  for (let a = 0; a < graph.arcCount; a++) {
    if (graph.geometryWay[graph.edgeGeometry[graph.arcEdge[a]!]!] !== fromWay) continue;
    const via = graph.arcHead[a]!;
    for (let b = graph.firstOut[via]!; b < graph.firstOut[via + 1]!; b++) {
      if (graph.geometryWay[graph.edgeGeometry[graph.arcEdge[b]!]!] === toWay) return true;
    }
  }
  return false;
}

describe('turn restrictions (road profile)', () => {
  it('forbids the turn a no_* restriction names and keeps the others', () => {
    const graph = buildRoadGraph(crossroads({ type: 'no_left_turn', from: 10, to: 11 }), 'road');
    assert.equal(turnAllowed(graph, 10, 11), false);
    assert.equal(turnAllowed(graph, 10, 12), true);
    assert.equal(turnAllowed(graph, 13, 11), true);
  });

  it('allows only the turn an only_* restriction names', () => {
    const graph = buildRoadGraph(crossroads({ type: 'only_straight_on', from: 10, to: 12 }), 'road');
    assert.equal(turnAllowed(graph, 10, 12), true);
    assert.equal(turnAllowed(graph, 10, 11), false);
    assert.equal(turnAllowed(graph, 10, 13), false);
  });

  it('does not apply restrictions to robots', () => {
    const graph = buildRoadGraph(crossroads({ type: 'no_left_turn', from: 10, to: 11 }), 'sidewalk');
    assert.equal(turnAllowed(graph, 10, 11), true);
  });
});

/**
 * A street 1-5-9-12 from west to east: from way 10 (1-5), via way 30 (5-9),
 * to way 31 (9-12); side streets 32 (9-13) and 33 (5-14); a ring 34 links the
 * ends so every manoeuvre has a detour.
 */
function viaWayStreet(type: string): OsmExtract {
  const ids = Float64Array.from([1, 5, 9, 12, 13, 14]);
  const lats = Float64Array.from([60.18, 60.18, 60.18, 60.18, 60.181, 60.181]);
  const lons = Float64Array.from([24.81, 24.815, 24.82, 24.825, 24.82, 24.815]);
  const way = (id: number, refs: number[]): OsmWay => ({ id, tags: { highway: 'residential' }, refs: Float64Array.from(refs) });
  const ways = [way(10, [1, 5]), way(30, [5, 9]), way(31, [9, 12]), way(32, [9, 13]), way(33, [5, 14]), way(34, [12, 13, 14, 1])];
  const restrictions = [{ id: 98, tags: { type: 'restriction', restriction: type }, members: [
    { type: 'way' as const, ref: 10, role: 'from' },
    { type: 'way' as const, ref: 30, role: 'via' },
    { type: 'way' as const, ref: 31, role: 'to' },
  ] }];
  return { nodes: { ids, lats, lons }, ways, restrictions };
}

/** Whether the graph lets a vehicle drive the ways in order, each turn taken directly at the junction. */
function drivable(graph: RoadGraph, ways: readonly number[]): boolean {
  const wayOf = (arc: number) => graph.geometryWay[graph.edgeGeometry[graph.arcEdge[arc]!]!];
  let at = new Set<number>();
  for (let a = 0; a < graph.arcCount; a++) if (wayOf(a) === ways[0]) at.add(graph.arcHead[a]!);
  for (const way of ways.slice(1)) {
    const next = new Set<number>();
    for (const v of at) for (let b = graph.firstOut[v]!; b < graph.firstOut[v + 1]!; b++) if (wayOf(b) === way) next.add(graph.arcHead[b]!);
    at = next;
  }
  return at.size > 0;
}

describe('turn restrictions via ways (road profile)', () => {
  it('forbids going on to the to way after driving the via way from the from way, and nothing else', () => {
    const graph = buildRoadGraph(viaWayStreet('no_straight_on'), 'road');
    assert.equal(drivable(graph, [10, 30, 31]), false);
    assert.equal(drivable(graph, [10, 30, 32]), true, 'another exit from the via way');
    assert.equal(drivable(graph, [33, 30, 31]), true, 'the via and to ways from elsewhere');
    assert.equal(drivable(graph, [10, 33]), true);
  });

  it('keeps a vehicle from the from way on the via way and then the to way when only_*', () => {
    const graph = buildRoadGraph(viaWayStreet('only_straight_on'), 'road');
    assert.equal(drivable(graph, [10, 30, 31]), true);
    assert.equal(drivable(graph, [10, 30, 32]), false);
    assert.equal(drivable(graph, [10, 33]), false);
    assert.equal(drivable(graph, [33, 30, 32]), true);
  });

  it('leaves robots free', () => {
    assert.equal(drivable(buildRoadGraph(viaWayStreet('no_straight_on'), 'sidewalk'), [10, 30, 31]), true);
  });
});

describe('no-go zones', () => {
  /** How many street pieces of the graph run into the zone, each piece as a GeoJSON LineString of its shape points. */
  function piecesEntering(graph: RoadGraph, zone: Feature<Polygon>): number {
    let count = 0;
    for (let g = 0; g < graph.geometryCount; g++) {
      const points: Position[] = [];
      for (let p = graph.geometryFirst[g]!; p < graph.geometryFirst[g + 1]!; p++) points.push([graph.pointLon[p]!, graph.pointLat[p]!]);
      if (points.length >= 2 && booleanIntersects(lineString(points), zone)) count++;
    }
    return count;
  }

  it('removes every edge that enters a zone for the profiles it names', () => {
    // 110 m around the middle of the campus, for robots only, read as a NO_GO_ZONES file is.
    const works = circle([24.828, 60.186], 110, { units: 'meters', properties: { name: 'campus works', profiles: ['sidewalk'] } });
    const zones = noGoZonesFromGeoJson(featureCollection([works]));
    const fenced = buildRoadGraph(otaniemi, 'sidewalk', { noGoZones: zones });
    assert.ok(piecesEntering(sidewalk, works) > 10, 'the unfenced network runs through the zone');
    assert.equal(piecesEntering(fenced, works), 0);
    assert.ok(piecesEntering(buildRoadGraph(otaniemi, 'road', { noGoZones: zones }), works) > 0, 'the zone is for robots only');
  });
});
