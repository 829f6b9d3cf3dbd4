import { jobEventType, type EventType, type JobStatus } from './event-types.js';

export interface GeoPoint {
  lat: number;
  lon: number;
}

/** A job as notify receives it from fleet, free of protobuf types. */
export interface JobSnapshot {
  id: string;
  operatorId: string;
  status: JobStatus;
  pickup: GeoPoint | undefined;
  dropoff: GeoPoint | undefined;
  size: number;
  priority: number;
  earliestPickup: Date | undefined;
  latestDelivery: Date | undefined;
  vehicleId: string | undefined;
  orderId: string | undefined;
  eta: Date | undefined;
  reason: string | undefined;
  createdAt: Date | undefined;
  updatedAt: Date | undefined;
  version: number;
}

/** Why fleet moved a job's ETA, on an ETA-only job event (ETA_CHANGED). */
export type EtaCause = 'traffic' | 'progress';

/** One job change (a lifecycle step, or a new ETA only), with the envelope facts a webhook repeats. */
export interface JobChanged {
  eventId: string;
  occurredAt: Date;
  job: JobSnapshot;
  previousStatus: JobStatus | undefined;
  /** Set when fleet announced an ETA change (the event changes nothing else). */
  etaCause?: EtaCause | undefined;
}

/** A job as every webhook shows it. Absent values are null, times are ISO 8601. */
export interface JobView {
  id: string;
  operatorId: string;
  status: JobStatus;
  pickup: GeoPoint | null;
  dropoff: GeoPoint | null;
  size: number;
  priority: number;
  earliestPickup: string | null;
  latestDelivery: string | null;
  vehicleId: string | null;
  orderId: string | null;
  eta: string | null;
  reason: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  version: number;
}

/**
 * One event for an operator about one of its jobs: a lifecycle step or an
 * alert. Every event concerns one job, so all of them share the job's lane
 * and reach a subscription in order.
 */
export interface OutgoingEvent {
  /** Deterministic for a given input event, so a Kafka redelivery maps to the same webhook. */
  id: string;
  type: EventType;
  occurredAt: Date;
  operatorId: string;
  jobId: string;
  /** Always carries `job`; alerts add their own fields (docs/webhooks.md). */
  data: { job: JobView } & Record<string, unknown>;
}

/** The JSON body a receiver gets. */
export interface WebhookEvent {
  id: string;
  type: EventType;
  occurredAt: string;
  data: { job: JobView; previousStatus?: JobStatus | null } & Record<string, unknown>;
}

export const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);
const textOrNull = (text: string | undefined): string | null => (text ? text : null);
const point = (p: GeoPoint | undefined): GeoPoint | null => (p ? { lat: p.lat, lon: p.lon } : null);

export function jobView(job: JobSnapshot): JobView {
  return {
    id: job.id,
    operatorId: job.operatorId,
    status: job.status,
    pickup: point(job.pickup),
    dropoff: point(job.dropoff),
    size: job.size,
    priority: job.priority,
    earliestPickup: iso(job.earliestPickup),
    latestDelivery: iso(job.latestDelivery),
    vehicleId: textOrNull(job.vehicleId),
    orderId: textOrNull(job.orderId),
    eta: iso(job.eta),
    reason: textOrNull(job.reason),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    version: job.version,
  };
}

/**
 * A lifecycle step. `job.failed` and `job.cancelled` repeat the reason at the
 * top of `data` so a receiver does not need to know where the job keeps it.
 */
export function jobChangedEvent(change: JobChanged): OutgoingEvent {
  const { job } = change;
  const type = jobEventType(job.status, change.previousStatus);
  const reason = type === 'job.failed' || type === 'job.cancelled' ? { reason: job.reason ?? 'unknown' } : {};
  return {
    id: change.eventId,
    type,
    occurredAt: change.occurredAt,
    operatorId: job.operatorId,
    jobId: job.id,
    data: { job: jobView(job), previousStatus: change.previousStatus ?? null, ...reason },
  };
}

/** The exact body that is signed and POSTed. */
export function webhookBody(event: OutgoingEvent): string {
  const body: WebhookEvent = { id: event.id, type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data };
  return JSON.stringify(body);
}
