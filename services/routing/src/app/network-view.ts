import type { RoadGraph } from '../domain/graph.js';
import { primaryArc } from '../domain/graph.js';

export interface BoundingBox {
  minLat: number;
  minLon: number;
  maxLat: number;
  maxLon: number;
}

/** A profile's street geometries as parallel arrays, plus the edges slower than free flow. */
export interface NetworkView {
  pointCounts: number[];
  forwardEdgeIds: number[];
  backwardEdgeIds: number[];
  latE6: number[];
  lonE6: number[];
  congestedEdgeIds: number[];
  /** Live travel time over free-flow time; 0 when the edge is closed (infinite weight). */
  congestionFactors: number[];
}

/** Below this ratio an edge counts as flowing freely (rounding, tiny live changes). */
const CONGESTION_MIN = 1.05;

function insideBox(graph: RoadGraph, g: number, box: BoundingBox): boolean {
  for (let p = graph.geometryFirst[g]!; p < graph.geometryFirst[g + 1]!; p++) {
    const lat = graph.pointLat[p]!;
    const lon = graph.pointLon[p]!;
    if (lat >= box.minLat && lat <= box.maxLat && lon >= box.minLon && lon <= box.maxLon) return true;
  }
  return false;
}

function addCongestion(view: NetworkView, graph: RoadGraph, arcWeights: Float64Array, edge: number): void {
  if (edge < 0) return;
  const weight = arcWeights[primaryArc(graph, edge)]!;
  const freeFlow = graph.edgeFreeFlowS[edge]!;
  const factor = Number.isFinite(weight) ? weight / freeFlow : 0;
  if (factor === 0 || factor >= CONGESTION_MIN) {
    view.congestedEdgeIds.push(edge);
    view.congestionFactors.push(factor);
  }
}

/** The geometries of `graph` (those with a point in `box` when given) and their congestion under `arcWeights`. */
export function networkView(graph: RoadGraph, arcWeights: Float64Array, box?: BoundingBox): NetworkView {
  const view: NetworkView = { pointCounts: [], forwardEdgeIds: [], backwardEdgeIds: [], latE6: [], lonE6: [], congestedEdgeIds: [], congestionFactors: [] };
  for (let g = 0; g < graph.geometryCount; g++) {
    if (box && !insideBox(graph, g, box)) continue;
    const first = graph.geometryFirst[g]!;
    const end = graph.geometryFirst[g + 1]!;
    view.pointCounts.push(end - first);
    for (let p = first; p < end; p++) {
      view.latE6.push(Math.round(graph.pointLat[p]! * 1e6));
      view.lonE6.push(Math.round(graph.pointLon[p]! * 1e6));
    }
    const forward = graph.geometryEdges[2 * g]!;
    const backward = graph.geometryEdges[2 * g + 1]!;
    view.forwardEdgeIds.push(forward);
    view.backwardEdgeIds.push(backward);
    addCongestion(view, graph, arcWeights, forward);
    addCongestion(view, graph, arcWeights, backward);
  }
  return view;
}
