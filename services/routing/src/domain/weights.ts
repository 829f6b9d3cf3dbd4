import type { ProfileName } from './profiles.js';

/**
 * One immutable set of live edge weights (per arc, seconds) for every profile,
 * with the traffic version it was published as. A query takes one snapshot at
 * its start and uses it throughout, so it sees the old set or the new one,
 * never a mix.
 */
export interface WeightSnapshot {
  readonly version: number;
  readonly arcWeights: Readonly<Record<ProfileName, Float64Array>>;
}

/** Holds the current snapshot; swapping is a single reference assignment. */
export class WeightStore {
  #current: WeightSnapshot;

  constructor(initial: WeightSnapshot) {
    this.#current = initial;
  }

  get current(): WeightSnapshot {
    return this.#current;
  }

  swap(next: WeightSnapshot): void {
    if (next.version <= this.#current.version) {
      throw new Error(`traffic version must grow: ${next.version} after ${this.#current.version}`);
    }
    this.#current = next;
  }
}

/**
 * Traffic versions keep growing across restarts: each swap takes the larger of
 * "previous + 1" and the wall clock in milliseconds.
 */
export const nextVersion = (previous: number, nowMs: number): number => Math.max(previous + 1, Math.floor(nowMs));
