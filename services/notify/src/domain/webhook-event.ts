import { jobEventType, type JobEventType, type JobStatus } from './event-types.js';

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

/** One job lifecycle change, with the envelope facts a webhook repeats. */
export interface JobChanged {
  eventId: string;
  occurredAt: Date;
  job: JobSnapshot;
  previousStatus: JobStatus | undefined;
}

/** The JSON body a receiver gets. Absent values are null, times are ISO 8601. */
export interface WebhookEvent {
  id: string;
  type: JobEventType;
  occurredAt: string;
  data: {
    job: {
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
    };
    previousStatus: JobStatus | null;
  };
}

const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);
const textOrNull = (text: string | undefined): string | null => (text ? text : null);
const point = (p: GeoPoint | undefined): GeoPoint | null => (p ? { lat: p.lat, lon: p.lon } : null);

export function toWebhookEvent(change: JobChanged): WebhookEvent {
  const { job } = change;
  return {
    id: change.eventId,
    type: jobEventType(job.status, change.previousStatus),
    occurredAt: change.occurredAt.toISOString(),
    data: {
      job: {
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
      },
      previousStatus: change.previousStatus ?? null,
    },
  };
}
