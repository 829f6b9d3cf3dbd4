import type { SearchEntry } from '../search/shortest-path.js';
import type { CchMetric } from './customize.js';
import type { CchSpace } from './query.js';

export type MatrixEntry = SearchEntry & { readonly lengthM: number };

export interface CchMatrix {
  /** Row-major travel times (Infinity: no route) and the lengths of those routes. */
  readonly durations: Float64Array;
  readonly distances: Float64Array;
}

/**
 * Bucket many-to-many on the hierarchy: one upward search per destination
 * leaves (destination, time, length) in a bucket at every rank it reaches;
 * one upward search per source then scans the buckets of its own ranks. Every
 * shortest path has its highest rank on both searches' paths, so the minimum
 * over shared ranks is exact.
 */
export function cchManyToMany(
  space: CchSpace,
  metric: CchMetric,
  sources: ReadonlyArray<readonly MatrixEntry[]>,
  destinations: ReadonlyArray<readonly MatrixEntry[]>,
): CchMatrix {
  const matrix = emptyMatrix(sources.length, destinations.length);
  scanRows(space, metric, fillBuckets(space, metric, destinations), sources, 0, sources.length, matrix);
  return matrix;
}

export function emptyMatrix(rows: number, cols: number): CchMatrix {
  return { durations: new Float64Array(rows * cols).fill(Infinity), distances: new Float64Array(rows * cols).fill(Infinity) };
}

/**
 * Rows fromRow .. toRow-1: each source's upward search scans the buckets of
 * its ranks. Each row is complete in itself (the buckets are their own
 * arrays), so other queries may use the space between two calls.
 */
export function scanRows(
  space: CchSpace,
  metric: CchMetric,
  buckets: Buckets,
  sources: ReadonlyArray<readonly MatrixEntry[]>,
  fromRow: number,
  toRow: number,
  matrix: CchMatrix,
): void {
  const { topology, forward } = space;
  const { first, target, time, length } = buckets;
  const { durations, distances } = matrix;
  const cols = durations.length / sources.length;
  for (let row = fromRow; row < toRow; row++) {
    forward.start(topology, sources[row]!);
    forward.relax(topology, metric.up, metric.upLength);
    const offset = row * cols;
    for (let i = 0; i < forward.count; i++) {
      const x = forward.nodes[i]!;
      const d = forward.distance[x]!;
      if (d === Infinity) continue;
      const l = forward.length[x]!;
      for (let k = first[x]!, end = first[x + 1]!; k < end; k++) {
        const candidate = d + time[k]!;
        const slot = offset + target[k]!;
        if (candidate < durations[slot]!) {
          durations[slot] = candidate;
          distances[slot] = l + length[k]!;
        }
      }
    }
  }
}

export interface Buckets {
  /** Entries of rank x: first[x] .. first[x+1]-1. */
  readonly first: Uint32Array;
  readonly target: Int32Array;
  readonly time: Float64Array;
  readonly length: Float64Array;
}

export function fillBuckets(space: CchSpace, metric: CchMetric, destinations: ReadonlyArray<readonly MatrixEntry[]>): Buckets {
  const { topology, backward } = space;
  const ranks: number[] = [];
  const targets: number[] = [];
  const times: number[] = [];
  const lengths: number[] = [];
  destinations.forEach((entries, t) => {
    backward.start(topology, entries);
    backward.relax(topology, metric.down, metric.downLength);
    for (let i = 0; i < backward.count; i++) {
      const x = backward.nodes[i]!;
      const d = backward.distance[x]!;
      if (d === Infinity) continue;
      ranks.push(x);
      targets.push(t);
      times.push(d);
      lengths.push(backward.length[x]!);
    }
  });
  const first = new Uint32Array(topology.nodeCount + 1);
  for (const x of ranks) first[x + 1]!++;
  for (let x = 0; x < topology.nodeCount; x++) first[x + 1]! += first[x]!;
  const fill = first.slice(0, topology.nodeCount);
  const target = new Int32Array(ranks.length);
  const time = new Float64Array(ranks.length);
  const length = new Float64Array(ranks.length);
  ranks.forEach((x, i) => {
    const slot = fill[x]!++;
    target[slot] = targets[i]!;
    time[slot] = times[i]!;
    length[slot] = lengths[i]!;
  });
  return { first, target, time, length };
}
