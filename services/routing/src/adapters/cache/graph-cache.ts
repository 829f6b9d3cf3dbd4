import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRAPH_ARRAY_FIELDS, type RoadGraph } from '../../domain/graph.js';
import type { ProfileName } from '../../domain/profiles.js';
import { TOPOLOGY_ARRAY_FIELDS, type CchTopology } from '../../domain/cch/topology.js';
import type { Landmarks } from '../../domain/search/landmarks.js';

/**
 * A built graph, its landmarks and its hierarchy topology on disk: a JSON header followed by the raw
 * typed arrays (8-byte aligned), so a restart maps them back without parsing
 * the map. The key names everything the build depends on.
 */
const FORMAT = 'kera-routing-graph-v2';

type TypedArray = Float64Array | Float32Array | Uint32Array | Int32Array | Uint8Array;
const CONSTRUCTORS = { Float64Array, Float32Array, Uint32Array, Int32Array, Uint8Array } as const;
type ArrayKind = keyof typeof CONSTRUCTORS;

interface Header {
  format: string;
  key: string;
  profile: ProfileName;
  counts: { nodeCount: number; edgeCount: number; arcCount: number; geometryCount: number };
  landmarks: { count: number; epsilon: number };
  hierarchy: { nodeCount: number; edgeCount: number };
  arrays: Array<{ name: string; kind: ArrayKind; offset: number; length: number }>;
}

export interface CachedNetwork {
  readonly graph: RoadGraph;
  readonly landmarks: Landmarks;
  readonly topology: CchTopology;
}

export const cacheFile = (dir: string, key: string): string => join(dir, `${key}.graph`);

function kindOf(array: TypedArray): ArrayKind {
  for (const [kind, ctor] of Object.entries(CONSTRUCTORS)) if (array instanceof ctor) return kind as ArrayKind;
  throw new Error('unsupported array type');
}

export function writeGraphCache(dir: string, key: string, network: CachedNetwork): void {
  const { graph, landmarks, topology } = network;
  const named: Array<[string, TypedArray]> = [
    ...GRAPH_ARRAY_FIELDS.map((name) => [name, graph[name]] as [string, TypedArray]),
    ['landmarks.nodes', landmarks.nodes],
    ['landmarks.fromLandmark', landmarks.fromLandmark],
    ['landmarks.toLandmark', landmarks.toLandmark],
    ...TOPOLOGY_ARRAY_FIELDS.map((name) => [`hierarchy.${name}`, topology[name]] as [string, TypedArray]),
  ];
  let offset = 0;
  const arrays = named.map(([name, array]) => {
    const entry = { name, kind: kindOf(array), offset, length: array.length };
    offset += Math.ceil(array.byteLength / 8) * 8;
    return entry;
  });
  const header: Header = {
    format: FORMAT,
    key,
    profile: graph.profile,
    counts: { nodeCount: graph.nodeCount, edgeCount: graph.edgeCount, arcCount: graph.arcCount, geometryCount: graph.geometryCount },
    landmarks: { count: landmarks.count, epsilon: landmarks.epsilon },
    hierarchy: { nodeCount: topology.nodeCount, edgeCount: topology.edgeCount },
    arrays,
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const dataStart = Math.ceil((8 + headerBytes.length) / 8) * 8;
  const file = Buffer.alloc(dataStart + offset);
  file.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(file, 8);
  named.forEach(([, array], i) => {
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(file, dataStart + arrays[i]!.offset);
  });
  mkdirSync(dir, { recursive: true });
  // Write then rename: a crash mid-write never leaves a half file under the real name.
  const path = cacheFile(dir, key);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, file);
  renameSync(temporary, path);
}

/** The cached network, or null when there is none (or it does not match the key). */
export function readGraphCache(dir: string, key: string): CachedNetwork | null {
  let file: Buffer;
  try {
    file = readFileSync(cacheFile(dir, key));
  } catch {
    return null;
  }
  const headerLength = file.readUInt32LE(0);
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString()) as Header;
  if (header.format !== FORMAT || header.key !== key) return null;
  const dataStart = Math.ceil((8 + headerLength) / 8) * 8;
  // A fresh, aligned buffer: typed-array views need offsets aligned to their element size.
  const data = new ArrayBuffer(file.length - dataStart);
  new Uint8Array(data).set(file.subarray(dataStart));
  const byName = new Map<string, TypedArray>();
  for (const entry of header.arrays) {
    byName.set(entry.name, new CONSTRUCTORS[entry.kind](data, entry.offset, entry.length));
  }
  const take = <T extends TypedArray>(name: string): T => {
    const array = byName.get(name);
    if (!array) throw new Error(`graph cache ${key} lacks ${name}`);
    return array as T;
  };
  const graph = { profile: header.profile, ...header.counts } as Record<string, unknown>;
  for (const name of GRAPH_ARRAY_FIELDS) graph[name] = take(name);
  const landmarks: Landmarks = {
    count: header.landmarks.count,
    epsilon: header.landmarks.epsilon,
    nodes: take('landmarks.nodes'),
    fromLandmark: take('landmarks.fromLandmark'),
    toLandmark: take('landmarks.toLandmark'),
  };
  const topology = { ...header.hierarchy } as Record<string, unknown>;
  for (const name of TOPOLOGY_ARRAY_FIELDS) topology[name] = take(`hierarchy.${name}`);
  return { graph: graph as unknown as RoadGraph, landmarks, topology: topology as unknown as CchTopology };
}
