import type { DraftGraph } from './graph-builder.js';
import type { RoadGraph } from './graph.js';
import type { OsmExtract } from './osm.js';
import type { ProfileName } from './profiles.js';
import type { DraftArcs } from './turn-restrictions.js';

/**
 * Packs the kept part of a draft into typed arrays. Nodes are renumbered along a
 * Hilbert curve so that nodes near each other on the map sit near each other in
 * memory: searches touch fewer cache lines.
 */
export function compactGraph(
  osm: OsmExtract,
  profile: ProfileName,
  draft: DraftGraph,
  arcs: DraftArcs,
  keep: Uint8Array,
): RoadGraph {
  const nodeIds = renumberNodes(osm, draft, keep);
  const arcKept = arcs.tails.map((tail, a) => keep[tail] === 1 && keep[arcs.heads[a]!] === 1);
  const edgeId = new Int32Array(draft.edges.length).fill(-1);
  arcKept.forEach((kept, a) => {
    if (kept) edgeId[arcs.edges[a]!] = 0;
  });
  const geometryId = new Int32Array(draft.geometries.length).fill(-1);
  let edgeCount = 0;
  draft.edges.forEach((edge, e) => {
    if (edgeId[e] === -1) return;
    edgeId[e] = edgeCount++;
    geometryId[edge.geometry] = 0;
  });
  let geometryCount = 0;
  geometryId.forEach((id, g) => {
    if (id !== -1) geometryId[g] = geometryCount++;
  });

  const csr = packArcs(arcs, arcKept, nodeIds, edgeId);
  const edges = packEdges(draft, edgeId, geometryId, nodeIds.newId, edgeCount);
  const geometries = packGeometries(osm, draft, geometryId, geometryCount, edgeId);
  return {
    profile,
    nodeCount: nodeIds.count,
    edgeCount,
    arcCount: csr.arcHead.length,
    geometryCount,
    nodeLat: nodeIds.lat,
    nodeLon: nodeIds.lon,
    ...csr,
    ...edgeArcIndex(csr.arcEdge, edgeCount),
    ...edges,
    ...geometries,
  };
}

function renumberNodes(osm: OsmExtract, draft: DraftGraph, keep: Uint8Array) {
  const kept: number[] = [];
  for (let v = 0; v < keep.length; v++) if (keep[v]) kept.push(v);
  const lat = (v: number) => osm.nodes.lats[draft.junctionNode[v]!]!;
  const lon = (v: number) => osm.nodes.lons[draft.junctionNode[v]!]!;
  let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (const v of kept) {
    minLat = Math.min(minLat, lat(v));
    maxLat = Math.max(maxLat, lat(v));
    minLon = Math.min(minLon, lon(v));
    maxLon = Math.max(maxLon, lon(v));
  }
  const scale = (value: number, min: number, max: number) => Math.floor(((value - min) / (max - min || 1)) * 65535);
  const key = new Map<number, number>();
  for (const v of kept) key.set(v, hilbertIndex(scale(lon(v), minLon, maxLon), scale(lat(v), minLat, maxLat)));
  kept.sort((a, b) => key.get(a)! - key.get(b)! || a - b);
  const newId = new Int32Array(keep.length).fill(-1);
  const latOut = new Float64Array(kept.length);
  const lonOut = new Float64Array(kept.length);
  kept.forEach((v, i) => {
    newId[v] = i;
    latOut[i] = lat(v);
    lonOut[i] = lon(v);
  });
  return { newId, count: kept.length, lat: latOut, lon: lonOut };
}

/** Position of (x, y) on a Hilbert curve over a 65536 x 65536 grid. */
export function hilbertIndex(x: number, y: number): number {
  let d = 0;
  for (let s = 1 << 15; s > 0; s >>>= 1) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      const t = x;
      x = y;
      y = t;
    }
  }
  return d;
}

function packArcs(arcs: DraftArcs, arcKept: boolean[], nodes: { newId: Int32Array; count: number }, edgeId: Int32Array) {
  const firstOut = new Uint32Array(nodes.count + 1);
  let arcCount = 0;
  arcKept.forEach((kept, a) => {
    if (!kept) return;
    firstOut[nodes.newId[arcs.tails[a]!]! + 1]! += 1;
    arcCount++;
  });
  for (let v = 0; v < nodes.count; v++) firstOut[v + 1]! += firstOut[v]!;
  const fill = firstOut.slice(0, nodes.count);
  const arcHead = new Uint32Array(arcCount);
  const arcTail = new Uint32Array(arcCount);
  const arcEdge = new Uint32Array(arcCount);
  arcKept.forEach((kept, a) => {
    if (!kept) return;
    const tail = nodes.newId[arcs.tails[a]!]!;
    const slot = fill[tail]!;
    fill[tail] = slot + 1;
    arcHead[slot] = nodes.newId[arcs.heads[a]!]!;
    arcTail[slot] = tail;
    arcEdge[slot] = edgeId[arcs.edges[a]!]!;
  });
  return { firstOut, arcHead, arcTail, arcEdge };
}

function edgeArcIndex(arcEdge: Uint32Array, edgeCount: number) {
  const edgeFirstArc = new Uint32Array(edgeCount + 1);
  for (const edge of arcEdge) edgeFirstArc[edge + 1]! += 1;
  for (let e = 0; e < edgeCount; e++) edgeFirstArc[e + 1]! += edgeFirstArc[e]!;
  const fill = edgeFirstArc.slice(0, edgeCount);
  const edgeArcs = new Uint32Array(arcEdge.length);
  arcEdge.forEach((edge, arc) => {
    edgeArcs[fill[edge]!] = arc;
    fill[edge] = fill[edge]! + 1;
  });
  return { edgeFirstArc, edgeArcs };
}

function packEdges(draft: DraftGraph, edgeId: Int32Array, geometryId: Int32Array, newNode: Int32Array, edgeCount: number) {
  const edgeHead = new Uint32Array(edgeCount);
  const edgeLengthM = new Float64Array(edgeCount);
  const edgeFreeFlowS = new Float64Array(edgeCount);
  const edgeSpeedKmh = new Float32Array(edgeCount);
  const edgeGeometry = new Uint32Array(edgeCount);
  const edgeReversed = new Uint8Array(edgeCount);
  draft.edges.forEach((edge, e) => {
    const id = edgeId[e]!;
    if (id === -1) return;
    edgeHead[id] = newNode[edge.head]!;
    edgeLengthM[id] = edge.lengthM;
    edgeFreeFlowS[id] = edge.lengthM / (edge.speedKmh / 3.6);
    edgeSpeedKmh[id] = edge.speedKmh;
    edgeGeometry[id] = geometryId[edge.geometry]!;
    edgeReversed[id] = edge.reversed ? 1 : 0;
  });
  return { edgeHead, edgeLengthM, edgeFreeFlowS, edgeSpeedKmh, edgeGeometry, edgeReversed };
}

function packGeometries(osm: OsmExtract, draft: DraftGraph, geometryId: Int32Array, count: number, edgeId: Int32Array) {
  const geometryFirst = new Uint32Array(count + 1);
  const geometryWay = new Float64Array(count);
  const geometryEdges = new Int32Array(count * 2).fill(-1);
  draft.geometries.forEach((geometry, g) => {
    const id = geometryId[g]!;
    if (id !== -1) geometryFirst[id + 1] = geometry.points.length;
  });
  for (let g = 0; g < count; g++) geometryFirst[g + 1]! += geometryFirst[g]!;
  const pointLat = new Float64Array(geometryFirst[count]!);
  const pointLon = new Float64Array(geometryFirst[count]!);
  draft.geometries.forEach((geometry, g) => {
    const id = geometryId[g]!;
    if (id === -1) return;
    geometryWay[id] = geometry.way;
    let slot = geometryFirst[id]!;
    for (const node of geometry.points) {
      pointLat[slot] = osm.nodes.lats[node]!;
      pointLon[slot++] = osm.nodes.lons[node]!;
    }
  });
  draft.edges.forEach((edge, e) => {
    const id = edgeId[e]!;
    if (id !== -1) geometryEdges[2 * geometryId[edge.geometry]! + (edge.reversed ? 1 : 0)] = id;
  });
  return { geometryFirst, geometryWay, pointLat, pointLon, geometryEdges };
}
