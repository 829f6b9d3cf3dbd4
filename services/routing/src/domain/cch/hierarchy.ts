import { customize, recustomize, triangleTargets, type CchMetric } from './customize.js';
import { CchSpace } from './query.js';
import type { CchTopology } from './topology.js';

/**
 * A profile's hierarchy: the topology (fixed per map), scratch space, and the
 * metric of each weight array it has been customized for. A metric is keyed
 * by the very weight array it was computed from, so a query that took one
 * snapshot reads the matching metric or customizes it itself: it can never
 * mix two traffic versions.
 */
export class Hierarchy {
  readonly space: CchSpace;
  readonly #metrics = new WeakMap<Float64Array, CchMetric>();
  #triangles: Uint32Array | undefined;

  constructor(
    readonly topology: CchTopology,
    /** Length of every graph arc (m): customized along, for matrix distances. */
    private readonly arcLengthM: Float64Array,
  ) {
    this.space = new CchSpace(topology);
  }

  /** The metric for these arc weights (customized on first use). */
  metricFor(weights: Float64Array): CchMetric {
    let metric = this.#metrics.get(weights);
    if (!metric) this.#metrics.set(weights, (metric = customize(this.topology, weights, this.arcLengthM, this.triangles())));
    return metric;
  }

  /** The triangle index full customizations share, made on the first one. */
  private triangles(): Uint32Array {
    this.#triangles ??= triangleTargets(this.topology);
    return this.#triangles;
  }

  /**
   * The metric for `next`, which differs from `previous` only on `changedArcs`:
   * re-customizes just what depends on them when the batch is small, or
   * customizes afresh when a batch touches so much that starting over is
   * cheaper. Either way the previous metric is left untouched.
   */
  derive(previous: Float64Array, next: Float64Array, changedArcs: readonly number[]): CchMetric {
    const known = this.#metrics.get(next);
    if (known) return known;
    const base = this.#metrics.get(previous);
    const metric =
      base && changedArcs.length * PARTIAL_COST_FACTOR < this.topology.edgeCount
        ? recustomize(this.topology, base, next, this.arcLengthM, changedArcs)
        : customize(this.topology, next, this.arcLengthM, this.triangles());
    this.#metrics.set(next, metric);
    return metric;
  }
}

/**
 * A changed arc costs about this many edges' worth of a full customization
 * (its cascade through the triangles above it). Measured on Porto (288k
 * hierarchy edges): 100 changed edges re-customize in ~12 ms, 1,000 in about
 * the time of a full pass (~60 ms CPU), 10,000 take twice as long as one.
 */
const PARTIAL_COST_FACTOR = 256;
