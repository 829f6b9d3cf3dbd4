import CheapRuler from 'cheap-ruler';
import { largestStronglyConnected } from './components.js';
import type { RoadGraph } from './graph.js';
import { noGoTestFor, type NoGoZone } from './no-go.js';
import { findNode, type OsmExtract } from './osm.js';
import { wayAccess, type ProfileName, type WayAccess } from './profiles.js';
import { applyTurnRestrictions, type DraftArcs } from './turn-restrictions.js';
import { compactGraph } from './graph-compaction.js';

export interface BuildOptions {
  readonly noGoZones?: readonly NoGoZone[];
  /** Apply OSM turn restrictions (road profile only). Default true. */
  readonly turnRestrictions?: boolean;
}

/** A way's run of consecutive nodes present in the file, with the profile's access. */
interface Run {
  readonly way: number;
  readonly access: WayAccess;
  readonly nodes: number[];
}

/** Build-time graph before the largest component is kept and arrays are packed. */
export interface DraftGraph {
  /** OSM node index of each junction (split copies repeat their original's). */
  readonly junctionNode: number[];
  readonly geometries: DraftGeometry[];
  readonly edges: DraftEdge[];
}

export interface DraftGeometry {
  readonly way: number;
  /** OSM node indices, junction to junction. */
  readonly points: number[];
  readonly lengthM: number;
}

export interface DraftEdge {
  readonly geometry: number;
  readonly reversed: boolean;
  readonly tail: number;
  head: number;
  readonly way: number;
  readonly lengthM: number;
  readonly speedKmh: number;
}

export function buildRoadGraph(osm: OsmExtract, profile: ProfileName, options: BuildOptions = {}): RoadGraph {
  const runs = collectRuns(osm, profile);
  if (runs.length === 0) throw new Error(`the map has no ways usable by the ${profile} profile`);
  const ruler = rulerForRuns(osm, runs);
  const viaNodes = profile === 'road' && options.turnRestrictions !== false ? restrictionViaNodes(osm) : new Set<number>();
  const draft = splitAtJunctions(osm, runs, viaNodes, ruler, options.noGoZones ?? [], profile);
  const arcs: DraftArcs =
    profile === 'road' && options.turnRestrictions !== false
      ? applyTurnRestrictions(osm, draft)
      : { tails: draft.edges.map((e) => e.tail), heads: draft.edges.map((e) => e.head), edges: draft.edges.map((_, i) => i) };
  const keep = largestStronglyConnected(draft.junctionNode.length, arcs.tails, arcs.heads);
  return compactGraph(osm, profile, draft, arcs, keep);
}

function collectRuns(osm: OsmExtract, profile: ProfileName): Run[] {
  const runs: Run[] = [];
  for (const way of osm.ways) {
    const access = wayAccess(profile, way.tags);
    if (access === null || (!access.forward && !access.backward)) continue;
    // Nodes missing from the extract split the way: never bridge a gap with a straight line.
    let current: number[] = [];
    for (const ref of way.refs) {
      const node = findNode(osm.nodes, ref);
      if (node === -1) {
        if (current.length >= 2) runs.push({ way: way.id, access, nodes: current });
        current = [];
      } else if (current[current.length - 1] !== node) {
        current.push(node);
      }
    }
    if (current.length >= 2) runs.push({ way: way.id, access, nodes: current });
  }
  return runs;
}

function rulerForRuns(osm: OsmExtract, runs: readonly Run[]): CheapRuler {
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const run of runs) {
    for (const node of run.nodes) {
      const lat = osm.nodes.lats[node]!;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
  }
  return new CheapRuler((minLat + maxLat) / 2, 'meters');
}

function restrictionViaNodes(osm: OsmExtract): Set<number> {
  const via = new Set<number>();
  for (const restriction of osm.restrictions) {
    for (const member of restriction.members) {
      if (member.type !== 'node' || member.role !== 'via') continue;
      const node = findNode(osm.nodes, member.ref);
      if (node !== -1) via.add(node);
    }
  }
  return via;
}

/** Junctions: way ends, nodes used more than once, turn-restriction via nodes. */
function junctionFlags(osm: OsmExtract, runs: readonly Run[], viaNodes: ReadonlySet<number>): Uint8Array {
  const uses = new Uint8Array(osm.nodes.ids.length);
  for (const run of runs) {
    for (const node of run.nodes) if (uses[node]! < 2) uses[node] = uses[node]! + 1;
    uses[run.nodes[0]!] = 2;
    uses[run.nodes[run.nodes.length - 1]!] = 2;
  }
  for (const node of viaNodes) if (uses[node]! > 0) uses[node] = 2;
  return uses;
}

function splitAtJunctions(
  osm: OsmExtract,
  runs: readonly Run[],
  viaNodes: ReadonlySet<number>,
  ruler: CheapRuler,
  zones: readonly NoGoZone[],
  profile: ProfileName,
): DraftGraph {
  const uses = junctionFlags(osm, runs, viaNodes);
  const junctionOf = new Int32Array(osm.nodes.ids.length).fill(-1);
  const draft: DraftGraph = { junctionNode: [], geometries: [], edges: [] };
  const noGo = noGoTestFor(zones, profile);
  const junction = (node: number): number => {
    if (junctionOf[node] === -1) {
      junctionOf[node] = draft.junctionNode.length;
      draft.junctionNode.push(node);
    }
    return junctionOf[node]!;
  };
  const { lats, lons } = osm.nodes;
  for (const run of runs) {
    let start = 0;
    for (let i = 1; i < run.nodes.length; i++) {
      if (uses[run.nodes[i]!]! < 2 && i < run.nodes.length - 1) continue;
      const points = run.nodes.slice(start, i + 1);
      start = i;
      if (!noGo.isEmpty && touchesZone(noGo, lats, lons, points)) continue;
      addGeometry(draft, run, points, junction, pieceLength(ruler, lats, lons, points));
    }
  }
  return draft;
}

function touchesZone(noGo: ReturnType<typeof noGoTestFor>, lats: Float64Array, lons: Float64Array, points: number[]): boolean {
  const pieceLats = points.map((p) => lats[p]!);
  const pieceLons = points.map((p) => lons[p]!);
  return noGo.touches(pieceLats, pieceLons, 0, points.length);
}

function pieceLength(ruler: CheapRuler, lats: Float64Array, lons: Float64Array, points: number[]): number {
  let length = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    length += ruler.distance([lons[a]!, lats[a]!], [lons[b]!, lats[b]!]);
  }
  return length;
}

function addGeometry(draft: DraftGraph, run: Run, points: number[], junction: (node: number) => number, lengthM: number): void {
  const geometry = draft.geometries.length;
  draft.geometries.push({ way: run.way, points, lengthM });
  const from = junction(points[0]!);
  const to = junction(points[points.length - 1]!);
  const common = { geometry, way: run.way, lengthM, speedKmh: run.access.speedKmh };
  if (run.access.forward) draft.edges.push({ ...common, reversed: false, tail: from, head: to });
  if (run.access.backward) draft.edges.push({ ...common, reversed: true, tail: to, head: from });
}
