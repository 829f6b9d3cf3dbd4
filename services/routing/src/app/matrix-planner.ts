import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ValidationError } from '@kera/platform';
import type { LatLon } from '../domain/edge-matching.js';
import { emptyMatrix, fillBuckets, scanRows } from '../domain/cch/many-to-many.js';
import type { ProfileNetwork } from '../domain/network.js';
import type { ProfileName } from '../domain/profiles.js';
import { directAlongEdge, endEntries, startEntries } from '../domain/route-endpoints.js';
import {
  bucketPlan,
  indexTargetEntries,
  oneToMany,
  type BucketPlan,
  type OneToManyResult,
  type TargetEntries,
} from '../domain/search/one-to-many.js';
import type { SearchEntry } from '../domain/search/shortest-path.js';
import type { NetworkPosition } from '../domain/snapping.js';
import type { WeightStore } from '../domain/weights.js';

export interface MatrixCommand {
  readonly profile: ProfileName;
  readonly sources: readonly LatLon[];
  readonly destinations: readonly LatLon[];
  readonly departure: Date;
}

export interface PlannedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major; -1 where no route exists. */
  readonly durationsS: number[];
  readonly distancesM: number[];
  readonly trafficVersion: number;
}

export type RowSource = ReadonlyArray<SearchEntry & { lengthM: number }>;

/** Rows of one matrix for another thread: everything a row needs besides the static graph. */
export interface RowJob {
  readonly profile: ProfileName;
  readonly weights: Float64Array;
  readonly plan: BucketPlan;
  readonly sources: readonly RowSource[];
  readonly targets: TargetEntries;
}

/** Port: computes matrix rows elsewhere (a worker thread), in parallel with this thread. */
export interface MatrixRowRunner {
  run(job: RowJob): Promise<OneToManyResult[]>;
}

export const MAX_MATRIX_SIDE = 1000;
/** Below this many rows, handing half to another thread costs more than it saves. */
const PARALLEL_MIN_ROWS = 8;

type Snap = (point: LatLon, label: string) => { position: NetworkPosition };

/**
 * A duration matrix on one weight snapshot, taken once: the whole matrix
 * belongs to one traffic version. With the hierarchy, bucket many-to-many;
 * without, one search per source that stops once every destination is
 * settled, the last half of the rows on the runner's thread. Either way the
 * event loop gets a turn between chunks of rows.
 */
export async function planMatrix(
  network: ProfileNetwork,
  store: WeightStore,
  snap: Snap,
  command: MatrixCommand,
  options: { hierarchy: boolean; runner?: MatrixRowRunner },
): Promise<PlannedMatrix> {
  const rows = command.sources.length;
  const cols = command.destinations.length;
  if (rows === 0 || cols === 0) throw new ValidationError('a matrix needs at least one source and one destination');
  if (rows > MAX_MATRIX_SIDE || cols > MAX_MATRIX_SIDE) {
    throw new ValidationError(`a matrix takes at most ${MAX_MATRIX_SIDE} sources and ${MAX_MATRIX_SIDE} destinations`);
  }
  const sources = command.sources.map((p, i) => snap(p, `source ${i}`).position);
  const destinations = command.destinations.map((p, i) => snap(p, `destination ${i}`).position);
  const snapshot = store.current;
  const weights = snapshot.arcWeights[command.profile];
  const rowSources = sources.map((from) => startEntries(network, from, weights));
  const results = options.hierarchy
    ? await hierarchyRows(network, weights, rowSources, destinations)
    : await searchRows(network, command.profile, weights, rowSources, destinations, options.runner);

  const durationsS = new Array<number>(rows * cols);
  const distancesM = new Array<number>(rows * cols);
  results.forEach((row, r) => {
    for (let c = 0; c < cols; c++) {
      let duration = row.durations[c]!;
      let distance = row.distances[c]!;
      const direct = directAlongEdge(network, sources[r]!, destinations[c]!, weights);
      if (direct && direct.cost < duration) {
        duration = direct.cost;
        distance = direct.lengthM;
      }
      durationsS[r * cols + c] = duration < Infinity ? duration : -1;
      distancesM[r * cols + c] = duration < Infinity ? distance : -1;
    }
  });
  return { rows, cols, durationsS, distancesM, trafficVersion: snapshot.version };
}

/**
 * Bucket many-to-many on the hierarchy, customized for exactly these weights:
 * buckets first, then source rows in chunks with an event-loop turn between
 * them, so a 1,000 x 1,000 matrix does not stall other calls. The metric and
 * buckets are taken once: the whole matrix stays on one traffic version.
 */
async function hierarchyRows(
  network: ProfileNetwork,
  weights: Float64Array,
  rowSources: readonly RowSource[],
  destinations: readonly NetworkPosition[],
): Promise<OneToManyResult[]> {
  const { hierarchy } = network;
  const metric = hierarchy.metricFor(weights);
  const targets = destinations.map((position) => endEntries(network, position, weights));
  const buckets = fillBuckets(hierarchy.space, metric, targets);
  const matrix = emptyMatrix(rowSources.length, destinations.length);
  for (let from = 0; from < rowSources.length; from += HIERARCHY_ROWS_PER_TURN) {
    if (from > 0) await yieldToEventLoop();
    scanRows(hierarchy.space, metric, buckets, rowSources, from, Math.min(rowSources.length, from + HIERARCHY_ROWS_PER_TURN), matrix);
  }
  const cols = destinations.length;
  return rowSources.map((_, r) => ({
    durations: matrix.durations.subarray(r * cols, (r + 1) * cols),
    distances: matrix.distances.subarray(r * cols, (r + 1) * cols),
  }));
}

/** About 10-20 ms of work on Porto between two event-loop turns. */
const HIERARCHY_ROWS_PER_TURN = 64;

/** One search per source (the pre-hierarchy way, and the benchmark baseline); half the rows on the runner. */
async function searchRows(
  network: ProfileNetwork,
  profile: ProfileName,
  weights: Float64Array,
  rowSources: readonly RowSource[],
  destinations: readonly NetworkPosition[],
  runner?: MatrixRowRunner,
): Promise<OneToManyResult[]> {
  const rows = rowSources.length;
  const targets = targetEntries(network, weights, destinations);
  const plan = planFor(weights);
  const local = runner && rows >= PARALLEL_MIN_ROWS ? Math.ceil(rows / 2) : rows;
  const remote = local < rows ? runner!.run({ profile, weights, plan, sources: rowSources.slice(local), targets }) : Promise.resolve([]);
  const results: OneToManyResult[] = [];
  for (let r = 0; r < local; r++) {
    if (r > 0) await yieldToEventLoop();
    results.push(oneToMany(network.rowScratch, network.graph, weights, plan, rowSources[r]!, targets, network.arcLengthM));
  }
  results.push(...(await remote));
  return results;
}

/** Bucket widths depend only on the weights: computed once per snapshot's array. */
const plans = new WeakMap<Float64Array, BucketPlan>();
function planFor(weights: Float64Array): BucketPlan {
  let plan = plans.get(weights);
  if (!plan) plans.set(weights, (plan = bucketPlan(weights)));
  return plan;
}

function targetEntries(network: ProfileNetwork, weights: Float64Array, destinations: readonly NetworkPosition[]): TargetEntries {
  const perTarget = destinations.map((position) => endEntries(network, position, weights));
  const total = perTarget.reduce((sum, list) => sum + list.length, 0);
  const first = new Int32Array(destinations.length + 1);
  const nodes = new Int32Array(total);
  const costs = new Float64Array(total);
  const lengths = new Float64Array(total);
  let slot = 0;
  perTarget.forEach((list, t) => {
    first[t] = slot;
    for (const entry of list) {
      nodes[slot] = entry.node;
      costs[slot] = entry.cost;
      lengths[slot++] = entry.lengthM;
    }
  });
  first[destinations.length] = slot;
  return indexTargetEntries(network.graph.nodeCount, { first, nodes, costs, lengths }, network.treeParent);
}
