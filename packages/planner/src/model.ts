/**
 * The planner's public input and output. Everything is plain numbers and indices so a problem can be
 * posted to a worker thread as it is. Times and durations share one unit (fleet uses seconds), distances
 * another (metres); the planner never converts.
 */

/** One travel profile (road for shuttles, sidewalk for robots): square matrices indexed by location. */
export interface TravelProfile {
  /** durations[from * locations + to]; a negative entry (PlanMatrix's −1) means no route. */
  readonly durations: ArrayLike<number>;
  /** distances[from * locations + to]; defaults to the durations. */
  readonly distances?: ArrayLike<number>;
}

/** A place to stop at, with the hard window its service must start in. */
export interface StopSpec {
  readonly location: number;
  readonly serviceTime?: number;
  /** Service may not start before this; default: no limit. */
  readonly earliest?: number;
  /** Service must start by this; default: no limit. */
  readonly latest?: number;
}

/**
 * A job: either a shipment (pickup then delivery on the same vehicle) or, without a pickup, a delivery
 * whose load is on the vehicle from the start of its route (a VRPTW customer, or a parcel already on board).
 */
export interface JobSpec {
  readonly id: string;
  readonly pickup?: StopSpec;
  readonly delivery: StopSpec;
  /** Load units the job takes; default 0. */
  readonly demand?: number;
  /** Indices of the vehicles allowed to serve it; default: all. */
  readonly vehicles?: readonly number[];
}

/** A stop already released to a vehicle: it stays where it is, in this order, before anything planned. */
export interface FixedStop {
  readonly job: number;
  readonly kind: 'pickup' | 'delivery';
}

export interface VehicleSpec {
  readonly id: string;
  readonly start: number;
  /** Where the route must end; omit for a route that ends at its last stop. */
  readonly end?: number;
  /** Index into `profiles`; default 0. */
  readonly profile?: number;
  readonly capacity: number;
  /** When the vehicle is free to leave `start`; default 0. */
  readonly availableAt?: number;
  /** When it must be at `end` (shift end, depot closing); default: no limit. */
  readonly latestEnd?: number;
  /** Longest route duration counted from `availableAt`; default: no limit. */
  readonly maxDuration?: number;
  /** Longest route distance (battery range); default: no limit. */
  readonly maxDistance?: number;
  /** Cost added when the vehicle is used at all; default 0. */
  readonly fixedCost?: number;
  /** Released stops that must open the route unchanged. */
  readonly fixed?: readonly FixedStop[];
}

/** The objective: weights on the travelled distance and travel time, summed over all routes. */
export interface Objective {
  readonly distance?: number;
  readonly duration?: number;
  /** Cost of leaving a job unassigned; default: far above any route cost. */
  readonly unassigned?: number;
}

export interface PlanProblem {
  readonly locations: number;
  readonly profiles: readonly TravelProfile[];
  readonly vehicles: readonly VehicleSpec[];
  readonly jobs: readonly JobSpec[];
  readonly objective?: Objective;
}

export interface SolveOptions {
  /** Wall-clock budget in milliseconds; default 1,000. */
  readonly timeLimitMs?: number;
  /** Stop after this many ruin-and-recreate iterations (deterministic runs). */
  readonly maxIterations?: number;
  readonly seed?: number;
  /** Called with every new best plan's cost; lets a caller stream progress. */
  readonly onImprovement?: (cost: number, iteration: number) => void;
  /**
   * A previous plan to start from (per vehicle, the stops after its released prefix), so re-planning
   * after a few new jobs keeps what was good. Stops that no longer fit are dropped and re-planned.
   */
  readonly initial?: readonly (readonly FixedStop[])[];
  /** Monotonic milliseconds; injected so tests and workers can control time. Default performance.now. */
  readonly now?: () => number;
}

export interface PlannedStop {
  readonly job: number;
  readonly kind: 'pickup' | 'delivery';
  readonly location: number;
  readonly arrival: number;
  /** Service start (after any wait for the window). */
  readonly start: number;
  readonly departure: number;
  /** Load on board after the stop. */
  readonly load: number;
}

export interface PlannedRoute {
  readonly vehicle: number;
  readonly stops: readonly PlannedStop[];
  readonly distance: number;
  readonly duration: number;
  /** When the vehicle reaches its end (or its last stop for an open route). */
  readonly end: number;
}

export type UnassignedReason =
  | 'no-vehicle-allowed'
  | 'capacity'
  | 'time-window'
  | 'range'
  | 'no-room';

export interface UnassignedJob {
  readonly job: number;
  readonly reason: UnassignedReason;
  readonly detail: string;
}

export interface Plan {
  readonly routes: readonly PlannedRoute[];
  readonly unassigned: readonly UnassignedJob[];
  readonly cost: number;
  readonly distance: number;
  readonly iterations: number;
  readonly elapsedMs: number;
}

/** Bad input, found before any search: the message names the job/vehicle and the field. */
export class InvalidProblemError extends Error {
  readonly code = 'INVALID_PROBLEM';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidProblemError';
  }
}
