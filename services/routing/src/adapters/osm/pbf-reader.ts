import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { PbfReader } from 'pbf';
import type { OsmExtract, OsmRestriction, OsmWay } from '../../domain/osm.js';

/**
 * A lean reader for the OSM PBF format (https://wiki.openstreetmap.org/wiki/PBF_Format).
 * It keeps every node's coordinates in typed arrays (16-24 bytes a node) and
 * only the ways and relations the caller wants, so a city extract stays small.
 */
export interface ReadOptions {
  /** Keep a way only if this returns true for its tags. */
  keepWay: (tags: Readonly<Record<string, string>>) => boolean;
}

class GrowableFloat64 {
  data = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  trimmed(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

interface BlockContext {
  strings: string[];
  granularity: number;
  latOffset: number;
  lonOffset: number;
}

interface Collector {
  ids: GrowableFloat64;
  lats: GrowableFloat64;
  lons: GrowableFloat64;
  ways: OsmWay[];
  restrictions: OsmRestriction[];
  options: ReadOptions;
}

const textDecoder = new TextDecoder();

export function readOsmPbfFile(path: string, options: ReadOptions): OsmExtract {
  return readOsmPbf(readFileSync(path), options);
}

export function readOsmPbf(file: Uint8Array, options: ReadOptions): OsmExtract {
  const collector: Collector = {
    ids: new GrowableFloat64(),
    lats: new GrowableFloat64(),
    lons: new GrowableFloat64(),
    ways: [],
    restrictions: [],
    options,
  };
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let pos = 0;
  while (pos + 4 <= file.length) {
    const headerLength = view.getUint32(pos);
    pos += 4;
    const header = readBlobHeader(file.subarray(pos, pos + headerLength));
    pos += headerLength;
    const blob = file.subarray(pos, pos + header.dataSize);
    pos += header.dataSize;
    // OSMHeader blocks carry only metadata; unknown block types are skipped as the format allows.
    if (header.type === 'OSMData') readPrimitiveBlock(decodeBlob(blob), collector);
  }
  if (pos !== file.length) throw new Error(`truncated OSM PBF: ${file.length - pos} trailing bytes`);
  return sortedExtract(collector);
}

function sortedExtract(collector: Collector): OsmExtract {
  const ids = collector.ids.trimmed();
  let lats = collector.lats.trimmed();
  let lons = collector.lons.trimmed();
  let sorted = true;
  for (let i = 1; i < ids.length && sorted; i++) sorted = ids[i - 1]! < ids[i]!;
  if (!sorted) {
    // Extracts are normally sorted by id; binary search needs it, so sort when one is not.
    const order = Array.from(ids.keys()).sort((a, b) => ids[a]! - ids[b]!);
    const sortedIds = Float64Array.from(order, (i) => ids[i]!);
    lats = Float64Array.from(order, (i) => lats[i]!);
    lons = Float64Array.from(order, (i) => lons[i]!);
    return { nodes: { ids: sortedIds, lats, lons }, ways: collector.ways, restrictions: collector.restrictions };
  }
  return { nodes: { ids, lats, lons }, ways: collector.ways, restrictions: collector.restrictions };
}

function readBlobHeader(bytes: Uint8Array): { type: string; dataSize: number } {
  const header = { type: '', dataSize: 0 };
  new PbfReader(bytes).readFields((tag, h, pbf) => {
    if (tag === 1) h.type = pbf.readString();
    else if (tag === 3) h.dataSize = pbf.readVarint();
  }, header);
  return header;
}

function decodeBlob(bytes: Uint8Array): Uint8Array {
  const blob: { raw?: Uint8Array; zlib?: Uint8Array; unsupported?: number } = {};
  new PbfReader(bytes).readFields((tag, b, pbf) => {
    if (tag === 1) b.raw = pbf.readBytes();
    else if (tag === 3) b.zlib = pbf.readBytes();
    else if (tag >= 4 && tag <= 7) b.unsupported = tag;
  }, blob);
  if (blob.raw) return blob.raw;
  if (blob.zlib) return inflateSync(blob.zlib);
  throw new Error(`unsupported OSM PBF blob compression (field ${blob.unsupported ?? 'none'}); only raw and zlib are read`);
}

function readPrimitiveBlock(bytes: Uint8Array, collector: Collector): void {
  const pbf = new PbfReader(bytes);
  const context: BlockContext = { strings: [], granularity: 100, latOffset: 0, lonOffset: 0 };
  const groups: Array<[number, number]> = [];
  // Offsets and the string table may follow the groups on the wire: read them first.
  pbf.readFields((tag, ctx, p) => {
    if (tag === 1) ctx.strings = readStringTable(p);
    else if (tag === 2) {
      const end = p.readVarint() + p.pos;
      groups.push([p.pos, end]);
      p.pos = end;
    } else if (tag === 17) ctx.granularity = p.readVarint();
    else if (tag === 19) ctx.latOffset = p.readVarint(true);
    else if (tag === 20) ctx.lonOffset = p.readVarint(true);
  }, context);
  for (const [start, end] of groups) {
    pbf.pos = start;
    pbf.readFields((tag, _unused: null, p) => readGroupField(tag, p, context, collector), null, end);
  }
}

function readStringTable(pbf: PbfReader): string[] {
  const strings: string[] = [];
  const end = pbf.readVarint() + pbf.pos;
  pbf.readFields((tag, list, p) => {
    if (tag === 1) list.push(textDecoder.decode(p.readBytes()));
  }, strings, end);
  return strings;
}

function readGroupField(tag: number, pbf: PbfReader, context: BlockContext, collector: Collector): void {
  if (tag === 1) readPlainNode(pbf, context, collector);
  else if (tag === 2) readDenseNodes(pbf, context, collector);
  else if (tag === 3) readWay(pbf, context, collector);
  else if (tag === 4) readRelation(pbf, context, collector);
}

function readPlainNode(pbf: PbfReader, context: BlockContext, collector: Collector): void {
  const node = { id: 0, lat: 0, lon: 0 };
  pbf.readMessage((tag, n, p) => {
    if (tag === 1) n.id = p.readSVarint();
    else if (tag === 8) n.lat = p.readSVarint();
    else if (tag === 9) n.lon = p.readSVarint();
  }, node);
  collector.ids.push(node.id);
  collector.lats.push(1e-9 * (context.latOffset + context.granularity * node.lat));
  collector.lons.push(1e-9 * (context.lonOffset + context.granularity * node.lon));
}

function readDenseNodes(pbf: PbfReader, context: BlockContext, collector: Collector): void {
  const dense: { ids: number[]; lats: number[]; lons: number[] } = { ids: [], lats: [], lons: [] };
  pbf.readMessage((tag, d, p) => {
    if (tag === 1) p.readPackedSVarint(d.ids);
    else if (tag === 8) p.readPackedSVarint(d.lats);
    else if (tag === 9) p.readPackedSVarint(d.lons);
  }, dense);
  let id = 0;
  let lat = 0;
  let lon = 0;
  const scale = context.granularity;
  for (let i = 0; i < dense.ids.length; i++) {
    id += dense.ids[i]!;
    lat += dense.lats[i] ?? 0;
    lon += dense.lons[i] ?? 0;
    collector.ids.push(id);
    collector.lats.push(1e-9 * (context.latOffset + scale * lat));
    collector.lons.push(1e-9 * (context.lonOffset + scale * lon));
  }
}

function tagsOf(keys: number[], vals: number[], strings: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) tags[strings[keys[i]!] ?? ''] = strings[vals[i] ?? 0] ?? '';
  return tags;
}

function readWay(pbf: PbfReader, context: BlockContext, collector: Collector): void {
  const way = { id: 0, keys: [] as number[], vals: [] as number[], refs: [] as number[] };
  pbf.readMessage((tag, w, p) => {
    if (tag === 1) w.id = p.readVarint();
    else if (tag === 2) p.readPackedVarint(w.keys);
    else if (tag === 3) p.readPackedVarint(w.vals);
    else if (tag === 8) p.readPackedSVarint(w.refs);
  }, way);
  const tags = tagsOf(way.keys, way.vals, context.strings);
  if (!collector.options.keepWay(tags)) return;
  const refs = new Float64Array(way.refs.length);
  let ref = 0;
  for (let i = 0; i < way.refs.length; i++) refs[i] = ref += way.refs[i]!;
  collector.ways.push({ id: way.id, tags, refs });
}

const memberTypes = ['node', 'way', 'relation'] as const;

function readRelation(pbf: PbfReader, context: BlockContext, collector: Collector): void {
  const rel = { id: 0, keys: [] as number[], vals: [] as number[], roles: [] as number[], memids: [] as number[], types: [] as number[] };
  pbf.readMessage((tag, r, p) => {
    if (tag === 1) r.id = p.readVarint();
    else if (tag === 2) p.readPackedVarint(r.keys);
    else if (tag === 3) p.readPackedVarint(r.vals);
    else if (tag === 8) p.readPackedVarint(r.roles, true);
    else if (tag === 9) p.readPackedSVarint(r.memids);
    else if (tag === 10) p.readPackedVarint(r.types);
  }, rel);
  const tags = tagsOf(rel.keys, rel.vals, context.strings);
  if (tags.type !== 'restriction') return;
  let memberId = 0;
  const members = rel.memids.map((delta, i) => {
    memberId += delta;
    return { type: memberTypes[rel.types[i] ?? 0] ?? 'node', ref: memberId, role: context.strings[rel.roles[i] ?? 0] ?? '' };
  });
  collector.restrictions.push({ id: rel.id, tags, members });
}
