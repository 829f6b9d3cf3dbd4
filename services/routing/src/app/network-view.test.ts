import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { primaryArc } from '../domain/graph.js';
import { otaniemiNetworks } from '../testing/networks.js';
import { networkView } from './network-view.js';

describe('networkView', () => {
  const { road } = otaniemiNetworks();
  const graph = road.graph;

  it('lists every geometry with its points and edges, and no congestion at free flow', () => {
    const view = networkView(graph, road.freeFlow);
    assert.equal(view.pointCounts.length, graph.geometryCount);
    assert.equal(view.latE6.length, view.pointCounts.reduce((a, b) => a + b, 0));
    assert.equal(view.lonE6.length, view.latE6.length);
    assert.ok(view.latE6.every((lat) => lat > 60_000_000 && lat < 61_000_000), 'Otaniemi latitudes in microdegrees');
    assert.deepEqual(view.congestedEdgeIds, []);
  });

  it('keeps only geometries touching the box', () => {
    const box = { minLat: 60.184, minLon: 24.825, maxLat: 60.187, maxLon: 24.830 };
    const view = networkView(graph, road.freeFlow, box);
    assert.ok(view.pointCounts.length > 0 && view.pointCounts.length < graph.geometryCount);
  });

  it('reports slowed edges with their factor and closed edges as 0', () => {
    const weights = Float64Array.from(road.freeFlow);
    const slow = graph.geometryEdges[0]!;
    const closed = graph.geometryEdges[2]! >= 0 ? graph.geometryEdges[2]! : graph.geometryEdges[3]!;
    weights[primaryArc(graph, slow)] = graph.edgeFreeFlowS[slow]! * 3;
    weights[primaryArc(graph, closed)] = Number.POSITIVE_INFINITY;
    const view = networkView(graph, weights);
    const factor = (edge: number) => view.congestionFactors[view.congestedEdgeIds.indexOf(edge)];
    assert.ok(Math.abs(factor(slow)! - 3) < 1e-9);
    assert.equal(factor(closed), 0);
    assert.equal(view.congestedEdgeIds.length, 2);
  });
});
