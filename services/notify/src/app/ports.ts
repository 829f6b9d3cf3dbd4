import type { Geometry } from 'geojson';
import type { EtaState, ReleasedCarrier, VehicleStatusName } from '../domain/alerts.js';
import type { Delivery } from '../domain/delivery.js';
import type { Subscription } from '../domain/subscription.js';
import type { GeoPoint, JobSnapshot } from '../domain/webhook-event.js';

export interface SubscriptionStore {
  save(subscription: Subscription): Promise<void>;
  /** False when there was no such subscription. */
  delete(id: string): Promise<boolean>;
  get(id: string): Promise<Subscription | undefined>;
  /** Oldest first. */
  listByOperator(operatorId: string): Promise<Subscription[]>;
}

/** Takes deliveries in lane order; a delivery seen before is ignored. */
export interface DeliveryQueue {
  /** Resolves once every delivery is durable; returns how many were new. */
  enqueue(deliveries: readonly Delivery[]): Promise<number>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type WebhookResponse =
  | { kind: 'response'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network-error'; message: string }
  /** The destination policy refused the resolved address (SSRF guard); retrying does not help. */
  | { kind: 'refused'; message: string };

export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

/** Signature headers of one request; the message id stays the same across retries and replays. */
export interface WebhookSigner {
  headers(secret: string, messageId: string, at: Date, body: string): Record<string, string>;
}

/** Checks a webhook URL's destination before it is accepted. */
export interface DestinationCheck {
  /** Why the URL's host may not receive webhooks ("… resolves to 127.0.0.1, a loopback address …"), or undefined. */
  problem(url: string): Promise<string | undefined>;
}

export interface Clock {
  now(): Date;
}

/** What notify remembers of a job between events, to raise alerts about it. */
export interface TrackedJob {
  job: JobSnapshot;
  eta: EtaState;
  /** The vehicle the job was last taken off, for vehicle alerts that arrive just after. */
  released?: ReleasedCarrier | undefined;
}

/**
 * notify's own projection of the jobs it has seen, rebuilt from
 * fleet.job-events.v1. Written only by the job-events handler (one writer per
 * job, since job events are keyed by job id).
 */
export interface JobTracker {
  get(jobId: string): Promise<TrackedJob | undefined>;
  /** Stores the job and lists it under the vehicle carrying it (it stays listed until unindexed). */
  put(tracked: TrackedJob, carrier: string | undefined): Promise<void>;
  /** Every job listed under the vehicle; the caller decides which still concern it. */
  jobsOfVehicle(vehicleId: string): Promise<TrackedJob[]>;
  unindex(vehicleId: string, jobIds: readonly string[]): Promise<void>;
}

/**
 * Markers of alerts already raised, so a condition that holds for many
 * events (a vehicle inside the arrival radius) raises one webhook. Set only
 * after the alert is enqueued: a crash in between raises it again, and the
 * deterministic event id makes that a no-op.
 */
export interface Latches {
  isSet(key: string): Promise<boolean>;
  set(key: string, ttlSeconds: number): Promise<void>;
}

/** The last known status of each vehicle, to see transitions. */
export interface VehicleStatuses {
  get(vehicleId: string): Promise<VehicleStatusName | undefined>;
  set(vehicleId: string, status: VehicleStatusName): Promise<void>;
}

/**
 * Per-endpoint concurrency: a delivery holds one of its endpoint's slots
 * while its request is in flight. Slots expire on their own, so a crashed
 * worker cannot hold them for good.
 */
export interface EndpointSlots {
  acquire(endpoint: string, holder: string, ttlMs: number): Promise<boolean>;
  release(endpoint: string, holder: string): Promise<void>;
}

/** Latest-delivery deadlines of active jobs, taken once they are due. */
export interface Deadlines {
  set(jobId: string, at: Date): Promise<void>;
  clear(jobId: string): Promise<void>;
  /** Removes and returns the jobs whose deadline is at or before `now`. */
  takeDue(now: Date, limit: number): Promise<string[]>;
}

export interface ActiveIncident {
  id: string;
  kind: string;
  severity: string;
  description: string;
  validFrom: string | null;
  validUntil: string | null;
  /** GeoJSON geometry of the closure. */
  geometry: Geometry;
}

/** Routes of active orders (from fleet.orders.v1) and active closures (from traffic.incidents.v1). */
export interface RouteWatch {
  setRoute(jobId: string, route: readonly GeoPoint[]): Promise<void>;
  removeRoute(jobId: string): Promise<void>;
  routes(): AsyncIterable<{ jobId: string; route: GeoPoint[] }>;
  route(jobId: string): Promise<GeoPoint[] | undefined>;
  putIncident(incident: ActiveIncident): Promise<void>;
  removeIncident(incidentId: string): Promise<void>;
  incidents(): Promise<ActiveIncident[]>;
}
