import type { ProfileName } from './profiles.js';

/**
 * One profile's road network as compact typed arrays.
 *
 * - A *geometry* is a piece of one OSM way between two junctions (nodes shared by
 *   ways, way ends, turn-restriction via nodes), with all its shape points.
 * - An *edge* is one travel direction of a geometry: the public edge id that
 *   PlanRoute returns and TrafficChange names. Ids are stable for a given map
 *   file and rules version.
 * - An *arc* is what the search walks: CSR-ordered by tail node. An edge has one
 *   arc, plus copies where a turn restriction split its tail node.
 */
export interface RoadGraph {
  readonly profile: ProfileName;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly arcCount: number;
  readonly geometryCount: number;
  readonly nodeLat: Float64Array;
  readonly nodeLon: Float64Array;
  /** Arcs out of node v are firstOut[v] .. firstOut[v+1]-1. */
  readonly firstOut: Uint32Array;
  readonly arcHead: Uint32Array;
  readonly arcTail: Uint32Array;
  readonly arcEdge: Uint32Array;
  /** Arcs of edge e are edgeArcs[edgeFirstArc[e] .. edgeFirstArc[e+1]-1]. */
  readonly edgeFirstArc: Uint32Array;
  readonly edgeArcs: Uint32Array;
  /** The node an edge leads to (the same for all its arcs). */
  readonly edgeHead: Uint32Array;
  readonly edgeLengthM: Float64Array;
  readonly edgeFreeFlowS: Float64Array;
  readonly edgeSpeedKmh: Float32Array;
  readonly edgeGeometry: Uint32Array;
  /** 1 when the edge runs against its geometry's point order. */
  readonly edgeReversed: Uint8Array;
  /** OSM way id of each geometry, for debugging and restrictions. */
  readonly geometryWay: Float64Array;
  /** Points of geometry g are geometryFirst[g] .. geometryFirst[g+1]-1. */
  readonly geometryFirst: Uint32Array;
  readonly pointLat: Float64Array;
  readonly pointLon: Float64Array;
  /** Forward and backward edge of geometry g at [2g] and [2g+1]; -1 when that direction is not allowed. */
  readonly geometryEdges: Int32Array;
}

/** The typed arrays of a graph, by name: what the disk cache stores. */
export const GRAPH_ARRAY_FIELDS = [
  'nodeLat', 'nodeLon', 'firstOut', 'arcHead', 'arcTail', 'arcEdge', 'edgeFirstArc', 'edgeArcs', 'edgeHead',
  'edgeLengthM', 'edgeFreeFlowS', 'edgeSpeedKmh', 'edgeGeometry', 'edgeReversed', 'geometryWay',
  'geometryFirst', 'pointLat', 'pointLon', 'geometryEdges',
] as const satisfies ReadonlyArray<keyof RoadGraph>;

/** Free-flow travel time of every arc, in CSR order. */
export function freeFlowArcWeights(graph: RoadGraph): Float64Array {
  const weights = new Float64Array(graph.arcCount);
  for (let arc = 0; arc < graph.arcCount; arc++) weights[arc] = graph.edgeFreeFlowS[graph.arcEdge[arc]!]!;
  return weights;
}

/** One arc of an edge (its first); every arc of an edge has the same weight. */
export const primaryArc = (graph: RoadGraph, edge: number): number => graph.edgeArcs[graph.edgeFirstArc[edge]!]!;
