import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readOsmPbfFile } from '../adapters/osm/pbf-reader.js';
import { DEFAULT_MAP_PATH } from '../config.js';
import { OTANIEMI } from '../demo-places.js';
import { otaniemiNetworks } from '../testing/networks.js';
import { matchEdges } from './edge-matching.js';

const { road, sidewalk } = otaniemiNetworks();
const osm = readOsmPbfFile(DEFAULT_MAP_PATH, { keepWay: (tags) => tags.highway !== undefined });
const nameOfWay = new Map(osm.ways.map((w) => [w.id, w.tags.name]));

describe('mapping traffic geometry onto edges', () => {
  it('maps a line along a street onto that street in both directions', () => {
    const edges = matchEdges(road.graph, road.snap, { kind: 'line', points: OTANIEMI.otakaariLine });
    const names = new Set(edges.map((e) => nameOfWay.get(road.graph.geometryWay[road.graph.edgeGeometry[e]!]!)));
    assert.ok(edges.length >= 4, `${edges.length} edges`);
    assert.deepEqual([...names], ['Otakaari'], 'only Otakaari, not the streets crossing it');
    const reversed = edges.filter((e) => road.graph.edgeReversed[e] === 1).length;
    assert.ok(reversed > 0 && reversed < edges.length);
  });

  it('maps a point to the nearest street, and a bearing to one direction', () => {
    const point = OTANIEMI.otakaariLine[1];
    const both = matchEdges(road.graph, road.snap, { kind: 'point', point });
    assert.equal(both.length, 2);
    const one = matchEdges(road.graph, road.snap, { kind: 'point', point }, 220);
    assert.equal(one.length, 1);
    assert.ok(both.includes(one[0]!));
    assert.deepEqual(matchEdges(road.graph, road.snap, { kind: 'point', point: { lat: 60.3, lon: 24.9 } }), []);
  });

  it('maps a polygon to every edge inside it', () => {
    const ring = [{ lat: 60.186, lon: 24.826 }, { lat: 60.186, lon: 24.83 }, { lat: 60.188, lon: 24.83 }, { lat: 60.188, lon: 24.826 }];
    const edges = matchEdges(sidewalk.graph, sidewalk.snap, { kind: 'polygon', ring });
    assert.ok(edges.length > 10);
    for (const edge of edges) {
      const g = sidewalk.graph.edgeGeometry[edge]!;
      let inside = false;
      for (let i = sidewalk.graph.geometryFirst[g]!; i < sidewalk.graph.geometryFirst[g + 1]!; i++) {
        const lat = sidewalk.graph.pointLat[i]!;
        const lon = sidewalk.graph.pointLon[i]!;
        inside ||= lat > 60.186 && lat < 60.188 && lon > 24.826 && lon < 24.83;
      }
      assert.ok(inside, `edge ${edge} has a point inside`);
    }
  });
});
