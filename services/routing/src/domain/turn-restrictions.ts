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
  /** Via a node (a junction) or via one or more ways. */
  readonly viaJunction?: number;
  readonly viaWays?: ReadonlySet<number>;
}

/**
 * A restriction resolved to edges: arriving on `from`, then driving `path`
 * (empty for a via node), the turn onto `targets` is banned (no_) or the only
 * one allowed (only_).
 */
interface EdgeRule {
  readonly from: number;
  readonly path: readonly number[];
  readonly targets: readonly number[];
  readonly only: boolean;
}

/** A state of "arrived on `from` and drove the path so far": one copy of the junction reached. */
interface TrieNode {
  readonly junction: number;
  /** The edge this state was entered by (`from` at the root). */
  readonly entered: number;
  readonly children: Map<number, TrieNode>;
  readonly ending: EdgeRule[];
  /** only_ rules passing through: the path must go on by this edge. */
  forcedNext: number | undefined;
  copy: number;
}

/**
 * OSM turn restrictions (no_* and only_*, via a node or via ways), applied by
 * node splitting: an edge arriving on the `from` way is redirected into a copy
 * of the junction whose out-arcs are just the allowed turns; for a via way,
 * each junction along the via path gets such a copy too, so only vehicles that
 * came from `from` are held to the rule at its end. Plain node-based search
 * then respects every restriction exactly.
 */
export function applyTurnRestrictions(osm: OsmExtract, draft: DraftGraph): DraftArcs {
  const junctionOfNode = new Map<number, number>();
  draft.junctionNode.forEach((node, junction) => junctionOfNode.set(node, junction));
  const parsed = osm.restrictions
    .map((r) => parseRestriction(r, osm, junctionOfNode))
    .filter((r): r is ParsedRestriction => r !== null);
  const outEdges = new EdgesByJunction(draft, (edge) => edge.tail);
  const inEdges = new EdgesByJunction(draft, (edge) => edge.head);
  const rules: EdgeRule[] = [];
  for (const restriction of parsed) {
    if (restriction.viaJunction !== undefined) rules.push(...viaNodeRules(draft, restriction, restriction.viaJunction, inEdges, outEdges));
    else rules.push(...viaWayRules(draft, restriction, outEdges));
  }
  return splitNodes(draft, buildTries(draft, rules), outEdges);
}

function viaNodeRules(
  draft: DraftGraph,
  restriction: ParsedRestriction,
  via: number,
  inEdges: EdgesByJunction,
  outEdges: EdgesByJunction,
): EdgeRule[] {
  const rules: EdgeRule[] = [];
  for (const incoming of inEdges.get(via)) {
    const inEdge = draft.edges[incoming]!;
    if (inEdge.way !== restriction.fromWay) continue;
    const targets = outEdges.get(via).filter((o) => isTarget(draft, inEdge.geometry, o, restriction));
    if (targets.length > 0) rules.push({ from: incoming, path: [], targets, only: restriction.only });
  }
  return rules;
}

function isTarget(draft: DraftGraph, inGeometry: number, out: number, restriction: ParsedRestriction): boolean {
  const outEdge = draft.edges[out]!;
  if (outEdge.way !== restriction.toWay) return false;
  // from = to (a U-turn ban): only turning back onto the same piece counts, not going straight on.
  return restriction.fromWay !== restriction.toWay || outEdge.geometry === inGeometry;
}

/**
 * Via ways: for every edge of `from` that ends on a via way, the shortest
 * drive (fewest edges) along the via ways to a junction where `to` leaves.
 */
function viaWayRules(draft: DraftGraph, restriction: ParsedRestriction, outEdges: EdgesByJunction): EdgeRule[] {
  const viaWays = restriction.viaWays!;
  const onVia = new Set<number>();
  draft.edges.forEach((edge) => {
    if (viaWays.has(edge.way)) onVia.add(edge.tail).add(edge.head);
  });
  const rules: EdgeRule[] = [];
  draft.edges.forEach((edge, from) => {
    if (edge.way !== restriction.fromWay || !onVia.has(edge.head)) return;
    const found = viaPath(draft, edge.head, viaWays, restriction.toWay, outEdges);
    if (found) rules.push({ from, path: found.path, targets: found.targets, only: restriction.only });
  });
  return rules;
}

function viaPath(
  draft: DraftGraph,
  start: number,
  viaWays: ReadonlySet<number>,
  toWay: number,
  outEdges: EdgesByJunction,
): { path: number[]; targets: number[] } | null {
  const reachedBy = new Map<number, number>([[start, -1]]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const junction of frontier) {
      for (const out of outEdges.get(junction)) {
        const head = headOf(draft, out);
        if (!viaWays.has(draft.edges[out]!.way) || reachedBy.has(head)) continue;
        reachedBy.set(head, out);
        const targets = outEdges.get(head).filter((o) => draft.edges[o]!.way === toWay);
        if (targets.length > 0) return { path: walkBack(draft, reachedBy, head), targets };
        next.push(head);
      }
    }
    frontier = next;
  }
  return null;
}

/** Heads are read before any redirect (buildTries records them), so this is the original junction. */
const headOf = (draft: DraftGraph, edge: number): number => draft.edges[edge]!.head;

function walkBack(draft: DraftGraph, reachedBy: ReadonlyMap<number, number>, end: number): number[] {
  const path: number[] = [];
  for (let edge = reachedBy.get(end)!; edge !== -1; edge = reachedBy.get(draft.edges[edge]!.tail)!) path.push(edge);
  return path.reverse();
}

/** One trie per `from` edge: shared path prefixes share their junction copies. */
function buildTries(draft: DraftGraph, rules: readonly EdgeRule[]): Map<number, TrieNode> {
  const tries = new Map<number, TrieNode>();
  const node = (junction: number, entered: number): TrieNode => ({
    junction, entered, children: new Map(), ending: [], forcedNext: undefined, copy: -1,
  });
  for (const rule of rules) {
    let at = tries.get(rule.from);
    if (!at) tries.set(rule.from, (at = node(draft.edges[rule.from]!.head, rule.from)));
    for (const edge of rule.path) {
      if (rule.only) at.forcedNext = edge;
      let child = at.children.get(edge);
      if (!child) at.children.set(edge, (child = node(draft.edges[edge]!.head, edge)));
      at = child;
    }
    at.ending.push(rule);
  }
  return tries;
}

function splitNodes(draft: DraftGraph, tries: ReadonlyMap<number, TrieNode>, outEdges: EdgesByJunction): DraftArcs {
  const states: TrieNode[] = [];
  const visit = (state: TrieNode) => {
    state.copy = draft.junctionNode.length;
    draft.junctionNode.push(draft.junctionNode[state.junction]!);
    states.push(state);
    for (const child of state.children.values()) visit(child);
  };
  for (const root of tries.values()) visit(root);
  // Redirect last: the tries recorded original heads, the arcs below read the redirected ones.
  for (const [from, root] of tries) draft.edges[from]!.head = root.copy;
  const arcs: DraftArcs = { tails: [], heads: [], edges: [] };
  draft.edges.forEach((edge, index) => {
    arcs.tails.push(edge.tail);
    arcs.heads.push(edge.head);
    arcs.edges.push(index);
  });
  for (const state of states) {
    for (const out of allowedTurns(state, tries, outEdges)) {
      arcs.tails.push(state.copy);
      arcs.heads.push(state.children.get(out)?.copy ?? draft.edges[out]!.head);
      arcs.edges.push(out);
    }
  }
  return arcs;
}

/** The out-edges a state may take: its own rules, and the via-node rules of the edge it was entered by. */
function allowedTurns(state: TrieNode, tries: ReadonlyMap<number, TrieNode>, outEdges: EdgesByJunction): number[] {
  let allowed = outEdges.get(state.junction);
  const entryRules = tries.get(state.entered)?.ending ?? [];
  for (const rule of [...state.ending, ...(entryRules === state.ending ? [] : entryRules)]) {
    allowed = allowed.filter((o) => rule.targets.includes(o) === rule.only);
  }
  if (state.forcedNext !== undefined) allowed = allowed.filter((o) => o === state.forcedNext);
  return allowed;
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
  if (from.length !== 1 || to.length !== 1 || via.length === 0) return null;
  const common = { only: value.startsWith('only_'), fromWay: from[0]!.ref, toWay: to[0]!.ref };
  if (via.every((m) => m.type === 'way')) return { ...common, viaWays: new Set(via.map((m) => m.ref)) };
  if (via.length !== 1 || via[0]!.type !== 'node') return null;
  const viaNode = findNode(osm.nodes, via[0]!.ref);
  const viaJunction = viaNode === -1 ? undefined : junctionOfNode.get(viaNode);
  if (viaJunction === undefined) return null;
  return { ...common, viaJunction };
}

/** Edges grouped by one of their junctions (CSR): cheap to build for every junction of a city. */
class EdgesByJunction {
  private readonly first: Uint32Array;
  private readonly items: Uint32Array;

  constructor(draft: DraftGraph, junctionOf: (edge: DraftGraph['edges'][number]) => number) {
    const count = draft.junctionNode.length;
    this.first = new Uint32Array(count + 1);
    for (const edge of draft.edges) this.first[junctionOf(edge) + 1]!++;
    for (let j = 0; j < count; j++) this.first[j + 1]! += this.first[j]!;
    const fill = this.first.slice(0, count);
    this.items = new Uint32Array(draft.edges.length);
    draft.edges.forEach((edge, index) => {
      this.items[fill[junctionOf(edge)]!++] = index;
    });
  }

  get(junction: number): number[] {
    if (junction >= this.first.length - 1) return [];
    return Array.from(this.items.subarray(this.first[junction]!, this.first[junction + 1]!));
  }
}
