import type { JobChange } from '../domain/job.js';
import type { Job, JobStatus, LatLon, Order, Profile, Vehicle } from '../domain/types.js';
import type { RoutePlan } from '../domain/order.js';

/** Events fleet publishes; written to an outbox atomically with the state change. */
export type FleetEvent =
  | { kind: 'job'; change: JobChange }
  | { kind: 'vehicle'; type: 'CONNECTED' | 'DISCONNECTED' | 'STATE' | 'OFFLINE'; vehicle: Vehicle; reason?: string }
  | { kind: 'order'; type: 'SENT' | 'ACKED' | 'REJECTED'; order: Order; commandId: string; ack?: CommandResult };

export interface CommandResult {
  accepted: boolean;
  errorType: string;
  description: string;
}

/** Events to publish that go with no stored state change. */
export interface Outbox {
  append(events: FleetEvent[]): Promise<void>;
}

export interface JobStore {
  get(id: string): Promise<Job | undefined>;
  /** Job id already created for this idempotency key, if any. */
  byRequestId(requestId: string): Promise<string | undefined>;
  /** Create a job (and remember its request id) with its events; false when the request id exists. */
  create(change: JobChange, events: FleetEvent[]): Promise<boolean>;
  /** Compare-and-set on version; false when someone else changed the job first. */
  save(change: JobChange, events: FleetEvent[]): Promise<boolean>;
  list(filter: { statuses: JobStatus[]; operatorId?: string | undefined; limit: number }): Promise<Job[]>;
  /** How many jobs are in each status. */
  countByStatus(): Promise<Map<JobStatus, number>>;
  /** Jobs in one status, oldest first (the reconciler's scan). */
  inStatus(status: JobStatus, limit: number): Promise<Job[]>;
  /** Remember why a queued job waits; forgotten on its next status change. */
  setWaitReason(jobId: string, reason: string): Promise<void>;
  waitReasons(jobIds: string[]): Promise<Array<string | undefined>>;
}

export interface VehicleStore {
  get(id: string): Promise<Vehicle | undefined>;
  list(): Promise<Vehicle[]>;
  /** Up to `count` idle, free vehicles of a profile, nearest (straight line) first: dispatch's prefilter. */
  idleNear(profile: Profile, position: LatLon, count: number): Promise<Vehicle[]>;
  /** Every idle, free vehicle of a profile (to say why a job waits). */
  idle(profile: Profile): Promise<Vehicle[]>;
  /** The largest capacity of any registered vehicle, per profile (absent: none registered). */
  largestCapacity(): Promise<Map<Profile, number>>;
  /** Compare-and-set on version (a new vehicle has version 0 before its first save). */
  save(vehicle: Vehicle, expectedVersion: number, events: FleetEvent[]): Promise<boolean>;
  saveOrder(order: Order): Promise<void>;
  getOrder(orderId: string): Promise<Order | undefined>;
}

export interface RoutePlanner {
  /** Route through the waypoints; throws ValidationError/NotFoundError for unroutable input. */
  planRoute(profile: Profile, waypoints: LatLon[]): Promise<RoutePlan>;
  /** Durations (s) from each source to each destination; undefined where unreachable. */
  planMatrix(profile: Profile, sources: LatLon[], destinations: LatLon[]): Promise<Array<Array<number | undefined>>>;
}

export interface DispatchQueue {
  /** One dispatch entry per time a job is queued; held back until its earliest pickup. */
  enqueue(job: Job): Promise<void>;
  /** Make sure a queued job has a live dispatch entry; true when one had to be added. */
  ensureEntry(job: Job): Promise<boolean>;
}

/** Sends commands to connected vehicles; resends until acked. */
export interface VehicleCommands {
  isConnected(vehicleId: string): boolean;
  sendOrder(order: Order): Promise<string>;
  sendInstantAction(vehicleId: string, type: InstantActionType): Promise<string>;
}

export type InstantActionType = 'PAUSE' | 'RESUME' | 'CANCEL_ORDER' | 'STATE_REQUEST';

export interface Clock {
  now(): Date;
}

export interface Ids {
  jobId(): string;
  orderId(): string;
  commandId(): string;
}
