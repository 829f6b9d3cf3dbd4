import type { DraftGraph } from './graph-builder.js';
import { findNode, type OsmExtract, type OsmRestriction } from './osm.js';

/** The arcs the search walks, before packing: parallel arrays. */
export interface DraftArcs {
  tails: number[];
  heads: number[];
  edges: number[];
}

interface ParsedRestriction {
  readonly only: boolean;
  readonly fromWay: number;
  readonly toWay: number;
  readonly viaJunction: number;
}

/**
 * OSM turn restrictions via a node (no_* and only_*), applied by node splitting:
 * an edge arriving on the `from` way is redirected into a copy of the via node
 * whose out-arcs are just the allowed turns. Plain node-based search then
 * respects the restriction exactly. Restrictions via ways are not applied.
 */
export function applyTurnRestrictions(osm: OsmExtract, draft: DraftGraph): DraftArcs {
  const junctionOfNode = new Map<number, number>();
  draft.junctionNode.forEach((node, junction) => junctionOfNode.set(node, junction));
  const parsed = osm.restrictions
    .map((r) => parseRestriction(r, osm, junctionOfNode))
    .filter((r): r is ParsedRestriction => r !== null);
  const viaSet = new Set(parsed.map((r) => r.viaJunction));
  const inEdges = new Map<number, number[]>();
  const outEdges = new Map<number, number[]>();
  draft.edges.forEach((edge, index) => {
    if (viaSet.has(edge.head)) push(inEdges, edge.head, index);
    if (viaSet.has(edge.tail)) push(outEdges, edge.tail, index);
  });

  const allowedAfter = new Map<number, Set<number>>();
  for (const restriction of parsed) {
    const outs = outEdges.get(restriction.viaJunction) ?? [];
    for (const incoming of inEdges.get(restriction.viaJunction) ?? []) {
      const inEdge = draft.edges[incoming]!;
      if (inEdge.way !== restriction.fromWay) continue;
      const targets = outs.filter((o) => isTarget(draft, inEdge.geometry, o, restriction));
      if (targets.length === 0) continue;
      const allowed = allowedAfter.get(incoming) ?? new Set(outs);
      for (const out of outs) {
        const isTo = targets.includes(out);
        if (restriction.only ? !isTo : isTo) allowed.delete(out);
      }
      allowedAfter.set(incoming, allowed);
    }
  }
  return splitNodes(draft, allowedAfter);
}

function isTarget(draft: DraftGraph, inGeometry: number, out: number, restriction: ParsedRestriction): boolean {
  const outEdge = draft.edges[out]!;
  if (outEdge.way !== restriction.toWay) return false;
  // from = to (a U-turn ban): only turning back onto the same piece counts, not going straight on.
  return restriction.fromWay !== restriction.toWay || outEdge.geometry === inGeometry;
}

function splitNodes(draft: DraftGraph, allowedAfter: ReadonlyMap<number, ReadonlySet<number>>): DraftArcs {
  const copies: Array<{ node: number; allowed: ReadonlySet<number> }> = [];
  for (const [incoming, allowed] of allowedAfter) {
    const edge = draft.edges[incoming]!;
    const copy = draft.junctionNode.length;
    draft.junctionNode.push(draft.junctionNode[edge.head]!);
    edge.head = copy;
    copies.push({ node: copy, allowed });
  }
  // Heads are final only now, so arcs (and copies) read them after every redirect.
  const arcs: DraftArcs = { tails: [], heads: [], edges: [] };
  draft.edges.forEach((edge, index) => {
    arcs.tails.push(edge.tail);
    arcs.heads.push(edge.head);
    arcs.edges.push(index);
  });
  for (const { node, allowed } of copies) {
    for (const out of allowed) {
      arcs.tails.push(node);
      arcs.heads.push(draft.edges[out]!.head);
      arcs.edges.push(out);
    }
  }
  return arcs;
}

function parseRestriction(
  restriction: OsmRestriction,
  osm: OsmExtract,
  junctionOfNode: ReadonlyMap<number, number>,
): ParsedRestriction | null {
  const { tags } = restriction;
  const value = tags.restriction ?? tags['restriction:motorcar'] ?? tags['restriction:motor_vehicle'];
  if (value === undefined || !/^(no|only)_/.test(value)) return null;
  if ((tags.except ?? '').split(';').some((v) => v.trim() === 'motorcar' || v.trim() === 'psv')) return null;
  const from = restriction.members.filter((m) => m.role === 'from' && m.type === 'way');
  const to = restriction.members.filter((m) => m.role === 'to' && m.type === 'way');
  const via = restriction.members.filter((m) => m.role === 'via');
  if (from.length !== 1 || to.length !== 1 || via.length !== 1 || via[0]!.type !== 'node') return null;
  const viaNode = findNode(osm.nodes, via[0]!.ref);
  const viaJunction = viaNode === -1 ? undefined : junctionOfNode.get(viaNode);
  if (viaJunction === undefined) return null;
  return { only: value.startsWith('only_'), fromWay: from[0]!.ref, toWay: to[0]!.ref, viaJunction };
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
