import type { AlertEventType, JobStatus } from './event-types.js';
import { iso, jobView, type GeoPoint, type JobSnapshot, type OutgoingEvent } from './webhook-event.js';

/**
 * Alert rules: when a job, vehicle, order or incident event is worth telling
 * an operator about beyond the lifecycle step itself. Pure: the caller brings
 * the stored state, the time and the event ids.
 */

const ACTIVE: readonly JobStatus[] = ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP'];
const CARRIED: readonly JobStatus[] = ['ASSIGNED', 'DISPATCHED', 'PICKED_UP'];

export const isActive = (job: JobSnapshot): boolean => ACTIVE.includes(job.status);
/** A vehicle is on its way with the job: its state matters to the job's operator. */
export const carrierOf = (job: JobSnapshot): string | undefined =>
  CARRIED.includes(job.status) && job.vehicleId ? job.vehicleId : undefined;

export function alertEvent(
  id: string,
  type: AlertEventType,
  occurredAt: Date,
  job: JobSnapshot,
  details: Record<string, unknown>,
): OutgoingEvent {
  return { id, type, occurredAt, operatorId: job.operatorId, jobId: job.id, data: { job: jobView(job), ...details } };
}

// --- job.eta_changed -------------------------------------------------------

/** The ETA last told to receivers (or the first one seen) and when it was told. */
export interface EtaState {
  sentEta: string | null;
  sentAt: string | null;
}

export interface EtaPolicy {
  thresholdS: number;
  minIntervalS: number;
}

export interface EtaChange {
  previousEta: string;
  eta: string;
  /** Positive: later than before. */
  shiftSeconds: number;
}

/**
 * An ETA change is told when it moved at least the threshold away from the
 * last ETA told, and not sooner than the minimum interval after the last one
 * (event time, so a replay decides the same). The first ETA is the baseline.
 * A suppressed change keeps the baseline, so a later event still reports it.
 */
export function decideEta(
  previous: EtaState | undefined,
  eta: Date | undefined,
  at: Date,
  policy: EtaPolicy,
): { state: EtaState; change?: EtaChange } {
  const state = previous ?? { sentEta: null, sentAt: null };
  if (!eta) return { state };
  if (!state.sentEta) return { state: { ...state, sentEta: eta.toISOString() } };
  const shiftSeconds = Math.round((eta.getTime() - Date.parse(state.sentEta)) / 1000);
  if (Math.abs(shiftSeconds) < policy.thresholdS) return { state };
  if (state.sentAt && at.getTime() - Date.parse(state.sentAt) < policy.minIntervalS * 1000) return { state };
  return {
    state: { sentEta: eta.toISOString(), sentAt: at.toISOString() },
    change: { previousEta: state.sentEta, eta: eta.toISOString(), shiftSeconds },
  };
}

// --- job.delayed -----------------------------------------------------------

/** When a job counts as delayed: past its latest delivery while still active. */
export const delayDeadline = (job: JobSnapshot): Date | undefined => (isActive(job) ? job.latestDelivery : undefined);

export const delayedDetails = (job: JobSnapshot, now: Date) => ({
  latestDelivery: iso(job.latestDelivery),
  overdueSeconds: job.latestDelivery ? Math.max(0, Math.round((now.getTime() - job.latestDelivery.getTime()) / 1000)) : 0,
});

// --- job.arriving ----------------------------------------------------------

export type Stop = 'pickup' | 'dropoff';

/** The stop the job's vehicle is heading to next, if any. */
export function nextStop(job: JobSnapshot): { stop: Stop; point: GeoPoint } | undefined {
  if ((job.status === 'ASSIGNED' || job.status === 'DISPATCHED') && job.pickup) return { stop: 'pickup', point: job.pickup };
  if (job.status === 'PICKED_UP' && job.dropoff) return { stop: 'dropoff', point: job.dropoff };
  return undefined;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine); cheap enough for every position report. */
export function distanceM(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

// --- vehicle.offline / vehicle.error ----------------------------------------

/** How long after fleet takes a job off a vehicle an alert about that vehicle still concerns the job. */
export const RELEASE_GRACE_MS = 10 * 60_000;

/** The vehicle a job was last taken off, and when (event time). */
export interface ReleasedCarrier {
  vehicleId: string;
  at: string;
}

/**
 * Whether a vehicle's alert concerns a job: the vehicle carries it, or the
 * job is still waiting for another vehicle, taken off this one moments ago. Fleet
 * hands a job back in the same step that marks its vehicle offline, and the
 * two events travel on different topics, so either may be read first.
 */
export function concernsVehicle(job: JobSnapshot, released: ReleasedCarrier | undefined, vehicleId: string, at: Date): boolean {
  const carrier = carrierOf(job);
  if (carrier === vehicleId) return true;
  // Back in the queue, not yet on another vehicle.
  if (carrier !== undefined || !isActive(job) || released?.vehicleId !== vehicleId) return false;
  return at.getTime() - Date.parse(released.at) <= RELEASE_GRACE_MS;
}

export type VehicleStatusName = 'OFFLINE' | 'IDLE' | 'EN_ROUTE' | 'CHARGING' | 'ERROR' | 'PAUSED' | 'UNKNOWN';

/** A vehicle alert fires on the transition into OFFLINE or ERROR, once per episode. */
export function vehicleAlert(
  previous: VehicleStatusName | undefined,
  current: VehicleStatusName,
): 'vehicle.offline' | 'vehicle.error' | undefined {
  if (current === previous) return undefined;
  if (current === 'OFFLINE') return 'vehicle.offline';
  if (current === 'ERROR') return 'vehicle.error';
  return undefined;
}
