import { primaryArc } from './graph.js';
import type { ProfileNetwork } from './network.js';
import type { SearchEntry } from './search/shortest-path.js';
import type { NetworkPosition } from './snapping.js';

/** One travel direction of the snapped geometry, and how far along it the point lies. */
export interface EdgeSide {
  readonly edge: number;
  /** 0..1 along the edge in its travel direction. */
  readonly fraction: number;
}

/** The directed edges through a snapped position (one or two). */
export function edgeSides(network: ProfileNetwork, position: NetworkPosition): EdgeSide[] {
  const sides: EdgeSide[] = [];
  for (const direction of [0, 1]) {
    const edge = network.graph.geometryEdges[2 * position.geometry + direction]!;
    if (edge >= 0) sides.push({ edge, fraction: direction === 0 ? position.fraction : 1 - position.fraction });
  }
  return sides;
}

export interface StartEntry extends SearchEntry {
  readonly side: EdgeSide;
  readonly lengthM: number;
}

export interface EndEntry extends SearchEntry {
  readonly side: EdgeSide;
  readonly lengthM: number;
}

/** Leaving a snapped start: drive the rest of its edge to the edge's head node. */
export function startEntries(network: ProfileNetwork, position: NetworkPosition, weights: Float64Array): StartEntry[] {
  return edgeSides(network, position).map((side) => {
    const remaining = 1 - side.fraction;
    return {
      node: network.graph.edgeHead[side.edge]!,
      cost: remaining * weights[primaryArc(network.graph, side.edge)]!,
      side,
      lengthM: remaining * network.graph.edgeLengthM[side.edge]!,
    };
  });
}

/** Reaching a snapped end: from the tail of any arc of its edge, drive part of the edge. */
export function endEntries(network: ProfileNetwork, position: NetworkPosition, weights: Float64Array): EndEntry[] {
  const { graph } = network;
  const entries: EndEntry[] = [];
  for (const side of edgeSides(network, position)) {
    for (let i = graph.edgeFirstArc[side.edge]!; i < graph.edgeFirstArc[side.edge + 1]!; i++) {
      const arc = graph.edgeArcs[i]!;
      entries.push({
        node: graph.arcTail[arc]!,
        cost: side.fraction * weights[arc]!,
        side,
        lengthM: side.fraction * graph.edgeLengthM[side.edge]!,
      });
    }
  }
  return entries;
}

/** Start and end on the same geometry: driving straight along it, if its direction allows. */
export function directAlongEdge(
  network: ProfileNetwork,
  from: NetworkPosition,
  to: NetworkPosition,
  weights: Float64Array,
): { side: EdgeSide; toFraction: number; cost: number; lengthM: number } | null {
  if (from.geometry !== to.geometry) return null;
  const toSides = edgeSides(network, to);
  let best: { side: EdgeSide; toFraction: number; cost: number; lengthM: number } | null = null;
  for (const side of edgeSides(network, from)) {
    const target = toSides.find((s) => s.edge === side.edge);
    if (!target || target.fraction < side.fraction) continue;
    const share = target.fraction - side.fraction;
    const cost = share * weights[primaryArc(network.graph, side.edge)]!;
    if (cost < Infinity && (!best || cost < best.cost)) {
      best = { side, toFraction: target.fraction, cost, lengthM: share * network.graph.edgeLengthM[side.edge]! };
    }
  }
  return best;
}
