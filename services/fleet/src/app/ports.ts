import type { JobChange } from '../domain/job.js';
import type { Job, JobStatus, LatLon, Order, Profile, Vehicle } from '../domain/types.js';
import type { RoutePlan } from '../domain/order.js';
import type { EtaCause } from '../domain/eta.js';

/** Events fleet publishes; written to an outbox atomically with the state change. */
export type FleetEvent =
  | { kind: 'job'; change: JobChange; etaChanged?: EtaChanged }
  | { kind: 'vehicle'; type: 'CONNECTED' | 'DISCONNECTED' | 'STATE' | 'OFFLINE'; vehicle: Vehicle; reason?: string }
  | { kind: 'order'; type: 'SENT' | 'ACKED' | 'REJECTED'; order: Order; commandId: string; ack?: CommandResult };

/** A job event that reports only a new ETA (ETA_CHANGED): the one before, and why it moved. */
export interface EtaChanged {
  previousEta: Date;
  cause: EtaCause;
  trafficVersion: number;
}

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
  /** Vehicles not OFFLINE last seen before `at`: the lease watchdog's candidates, without reading the whole fleet. */
  seenBefore(at: Date): Promise<Vehicle[]>;
  /** Up to `count` idle, free vehicles of a profile, nearest (straight line) first: dispatch's prefilter. */
  idleNear(profile: Profile, position: LatLon, count: number): Promise<Vehicle[]>;
  /** Every idle, free vehicle of a profile (to say why a job waits). */
  idle(profile: Profile): Promise<Vehicle[]>;
  /** The largest capacity of any registered vehicle, per profile (absent: none registered). */
  largestCapacity(): Promise<Map<Profile, number>>;
  /**
   * Compare-and-set on version (a new vehicle has version 0 before its first save).
   * `quiet`: a sampled position update that need not be published on its own.
   */
  save(vehicle: Vehicle, expectedVersion: number, events: FleetEvent[], options?: { quiet?: boolean }): Promise<boolean>;
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
  /**
   * One dispatch entry per time a job is queued; held back until its earliest
   * pickup, and by the retry delay when a dispatch attempt just put it back.
   */
  enqueue(job: Job, options?: { afterFailedAttempt?: boolean }): Promise<void>;
  /** Make sure a queued job has a live dispatch entry; true when one had to be added. */
  ensureEntry(job: Job): Promise<boolean>;
}

/** Sends commands to vehicles wherever they are connected; resends until acked. */
export interface VehicleCommands {
  /** Connected to any live replica (a view refreshed every second or so). */
  isConnected(vehicleId: string): boolean;
  sendOrder(order: Order): Promise<string>;
  sendInstantAction(vehicleId: string, type: InstantActionType): Promise<string>;
}

export type InstantActionType = 'PAUSE' | 'RESUME' | 'CANCEL_ORDER' | 'STATE_REQUEST';

/** A command for one vehicle, as recorded before it is sent. */
export type Command =
  | { commandId: string; kind: 'order'; order: Order }
  | { commandId: string; kind: 'instant'; actionType: InstantActionType; cancels?: { orderId: string | undefined; requeueJob: boolean } };

export interface LedgerEntry {
  vehicleId: string;
  command: Command;
  issuedAt: Date;
  /** How many times it was written to a vehicle stream, by any replica. */
  sends: number;
}

/**
 * Commands not yet acked, per vehicle, shared by every replica. `record`
 * comes before the first send; `clear` returns the entry only to the one
 * caller that removed it, so an ack's effects happen once cluster-wide even
 * when a duplicate ack arrives on another replica.
 */
export interface CommandLedgerStore {
  record(entry: LedgerEntry): Promise<void>;
  /** Oldest first. */
  pending(vehicleId: string): Promise<LedgerEntry[]>;
  /** Count one more send; returns the new total. */
  countSend(vehicleId: string, commandId: string): Promise<number>;
  clear(vehicleId: string, commandId: string): Promise<LedgerEntry | undefined>;
  clearAll(vehicleId: string): Promise<LedgerEntry[]>;
  /** Vehicles with at least one pending command. */
  vehiclesWithPending(): Promise<string[]>;
}

/**
 * Which replica holds each vehicle's stream, and a wake-up to that replica
 * when a command for one of its vehicles was recorded elsewhere.
 */
export interface SessionDirectory {
  /** `sessionId` tells this stream from a newer one of the same vehicle, on any replica. */
  claim(vehicleId: string, sessionId: string): Promise<void>;
  /** Only if this session still holds it (a newer stream wins). */
  release(vehicleId: string, sessionId: string): Promise<void>;
  /** Tell the replica holding the vehicle (if any) to deliver its pending commands. */
  nudge(vehicleId: string): Promise<void>;
  /** Vehicles connected to a replica whose heartbeat is fresh. */
  connected(): Promise<Set<string>>;
}

/**
 * Liveness of the fleet as a whole: each replica beats; `aliveSince` is when
 * the current unbroken stretch of "some replica was alive" began. A vehicle's
 * lease only runs while the fleet was alive to hear it.
 */
export interface ReplicaHeartbeats {
  beat(now: Date): Promise<void>;
  aliveSince(): Promise<Date | undefined>;
}

/**
 * Work that must run on one replica of the cluster at a time (lease watchdog,
 * reconciler sweeps, batch assignment). `every` runs `work` every
 * `intervalMs` on whichever replica holds the lock `name`; when that replica
 * dies, a survivor takes over within the lock's TTL. Runs never overlap on one
 * replica; `work` should re-check state through compare-and-set writes, since
 * a stalled former holder may still be finishing a run (the fencing token
 * grows with every change of holder, for work that wants to tell).
 */
export interface ClusterSingletons {
  every(name: string, intervalMs: number, work: (lease: { fencingToken: number }) => Promise<void>): void;
}

/** What the vehicle link counts (exported on /metrics). */
export interface LinkMetrics {
  commandSent(kind: Command['kind'], resend: boolean): void;
  commandRejected(kind: Command['kind']): void;
  commandAbandoned(kind: Command['kind']): void;
  leaseExpired(): void;
  orderRepaired(outcome: 'resent' | 'ended'): void;
  /** One vehicle state report handled (stored, progress applied). */
  stateHandled(): void;
}

export interface Clock {
  now(): Date;
}

export interface Ids {
  jobId(): string;
  orderId(): string;
  commandId(): string;
}
