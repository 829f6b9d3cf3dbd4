/**
 * What the CLI prints. Wire messages become plain views (the `--json`
 * output) and views become aligned text for people. Pure.
 */
import type { GeoPoint } from '@kera/proto/common/v1/envelope';
import { EtaChangeCause, JobEventKind, JobStatus, type EtaRecord, type Job, type JobEvent } from '@kera/proto/fleet/v1/jobs';
import { VehicleKind, VehicleStatus, type Vehicle } from '@kera/proto/fleet/v1/vehicle';
import type { DeadLetter, Subscription } from '@kera/proto/notify/v1/subscriptions';
import { Profile } from '@kera/proto/traffic/v1/events';

/** The name of a generated enum value; values from a newer contract print as UNKNOWN(n). */
export function enumName(values: Record<number, string>, value: number): string {
  const name = values[value];
  return name === undefined || name === 'UNRECOGNIZED' ? `UNKNOWN(${value})` : name;
}

const iso = (date: Date | undefined): string | undefined => date?.toISOString().replace(/\.000Z$/, 'Z');
const point = (p: GeoPoint | undefined) => (p ? { lat: p.lat, lon: p.lon } : undefined);
const text = (s: string): string | undefined => (s === '' ? undefined : s);

export interface JobView {
  id: string;
  status: string;
  operatorId: string;
  pickup?: { lat: number; lon: number } | undefined;
  dropoff?: { lat: number; lon: number } | undefined;
  size: number;
  priority: number;
  earliestPickup?: string | undefined;
  latestDelivery?: string | undefined;
  vehicleId?: string | undefined;
  orderId?: string | undefined;
  eta?: string | undefined;
  reason?: string | undefined;
  /** Why a queued job still waits for a vehicle. */
  waitReason?: string | undefined;
  createdAt?: string | undefined;
  updatedAt?: string | undefined;
  version: number;
}

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    status: enumName(JobStatus, job.status),
    operatorId: job.operatorId,
    pickup: point(job.pickup),
    dropoff: point(job.dropoff),
    size: job.size,
    priority: job.priority,
    earliestPickup: iso(job.earliestPickup),
    latestDelivery: iso(job.latestDelivery),
    vehicleId: text(job.vehicleId),
    orderId: text(job.orderId),
    eta: iso(job.eta),
    reason: text(job.reason),
    waitReason: text(job.waitReason),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    version: job.version,
  };
}

export interface VehicleView {
  id: string;
  kind: string;
  profile: string;
  status: string;
  capacity: number;
  batteryPct: number;
  position?: { lat: number; lon: number } | undefined;
  headingDeg: number;
  orderId?: string | undefined;
  jobId?: string | undefined;
  lastSeen?: string | undefined;
}

export function vehicleView(vehicle: Vehicle): VehicleView {
  return {
    id: vehicle.id,
    kind: enumName(VehicleKind, vehicle.kind),
    profile: enumName(Profile, vehicle.profile),
    status: enumName(VehicleStatus, vehicle.status),
    capacity: vehicle.capacity,
    batteryPct: vehicle.batteryPct,
    position: point(vehicle.position),
    headingDeg: vehicle.headingDeg,
    orderId: text(vehicle.orderId),
    jobId: text(vehicle.jobId),
    lastSeen: iso(vehicle.lastSeen),
  };
}

export interface SubscriptionView {
  id: string;
  operatorId: string;
  url: string;
  /** Empty: every event. */
  eventTypes: string[];
  createdAt?: string | undefined;
}

export const subscriptionView = (s: Subscription): SubscriptionView => ({
  id: s.id,
  operatorId: s.operatorId,
  url: s.url,
  eventTypes: s.eventTypes,
  createdAt: iso(s.createdAt),
});

export interface DeadLetterView {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  operatorId: string;
  jobId: string;
  reason: string;
  attempts: number;
  replays: number;
  failedAt?: string | undefined;
}

export const deadLetterView = (d: DeadLetter): DeadLetterView => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  subscriptionId: d.subscriptionId,
  operatorId: d.operatorId,
  jobId: d.jobId,
  reason: d.reason,
  attempts: d.attempts,
  replays: d.replays,
  failedAt: iso(d.failedAt),
});

export function formatDeadLetters(letters: readonly DeadLetterView[]): string {
  if (letters.length === 0) return 'no dead letters';
  return table(
    ['ID', 'EVENT', 'JOB', 'OPERATOR', 'ATTEMPTS', 'FAILED AT', 'REASON'],
    letters.map((d) => [d.id, d.eventType, d.jobId, d.operatorId, String(d.attempts), d.failedAt ?? DASH, d.reason]),
  );
}

export interface JobEventView {
  /** STATUS_CHANGED, or ETA_CHANGED (only the ETA moved); UNSPECIFIED from fleets before ETA events. */
  kind: string;
  previousStatus: string;
  /** ETA_CHANGED: the ETA before, and why it moved (TRAFFIC, PROGRESS). */
  previousEta?: string | undefined;
  etaCause?: string | undefined;
  job: JobView | undefined;
}

const isEtaChange = (event: JobEvent): boolean => event.kind === JobEventKind.ETA_CHANGED;

export const jobEventView = (event: JobEvent): JobEventView => ({
  kind: enumName(JobEventKind, event.kind),
  previousStatus: enumName(JobStatus, event.previousStatus),
  previousEta: isEtaChange(event) ? iso(event.previousEta) : undefined,
  etaCause: isEtaChange(event) ? enumName(EtaChangeCause, event.etaCause) : undefined,
  job: event.job ? jobView(event.job) : undefined,
});

export interface EtaRecordView {
  eta?: string | undefined;
  computedAt?: string | undefined;
  /** ORDER_ACCEPTED for the first ETA, else TRAFFIC or PROGRESS. */
  cause: string;
  trafficVersion: number;
  /** Seconds later (+) or earlier (-) than the record before; absent on the first. */
  shiftS?: number | undefined;
}

export const etaHistoryView = (records: readonly EtaRecord[]): EtaRecordView[] =>
  records.map((r, i) => {
    const before = records[i - 1]?.eta;
    return {
      eta: iso(r.eta),
      computedAt: iso(r.computedAt),
      cause: r.cause === EtaChangeCause.UNSPECIFIED ? 'ORDER_ACCEPTED' : enumName(EtaChangeCause, r.cause),
      trafficVersion: r.trafficVersion,
      shiftS: before && r.eta ? Math.round((r.eta.getTime() - before.getTime()) / 1000) : undefined,
    };
  });

// ─── text for people ─────────────────────────────────────────────────────────

const DASH = '-';
const latLon = (p: { lat: number; lon: number } | undefined): string => (p ? `${p.lat.toFixed(5)},${p.lon.toFixed(5)}` : DASH);

/** Columns padded to their widest cell, two spaces apart. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `label  value` lines, labels aligned; undefined values print as '-'. */
export function details(entries: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `${label.padEnd(width)}  ${value ?? DASH}`).join('\n');
}

export function formatJob(job: JobView): string {
  return details([
    ['id', job.id],
    ['status', job.status],
    ['waiting', job.waitReason],
    ['operator', job.operatorId],
    ['pickup', latLon(job.pickup)],
    ['dropoff', latLon(job.dropoff)],
    ['size', job.size],
    ['priority', job.priority],
    ['earliest pickup', job.earliestPickup],
    ['latest delivery', job.latestDelivery],
    ['vehicle', job.vehicleId],
    ['order', job.orderId],
    ['eta', job.eta],
    ['reason', job.reason],
    ['created', job.createdAt],
    ['updated', job.updatedAt],
  ]);
}

export function formatJobs(jobs: readonly JobView[]): string {
  if (jobs.length === 0) return '(no jobs)';
  return table(
    ['ID', 'STATUS', 'OPERATOR', 'PICKUP', 'DROPOFF', 'SIZE', 'VEHICLE', 'ETA', 'UPDATED', 'WAITING'],
    jobs.map((j) => [j.id, j.status, j.operatorId, latLon(j.pickup), latLon(j.dropoff), String(j.size), j.vehicleId ?? DASH, j.eta ?? DASH, j.updatedAt ?? DASH, j.waitReason ?? DASH]),
  );
}

const signedSeconds = (s: number): string => `${s >= 0 ? '+' : ''}${s} s`;

/** One line per event: time, job, status (or ETA_CHANGED), vehicle, eta (and why, when there is a reason). */
export function formatJobEvent(event: JobEventView): string {
  const job = event.job;
  if (!job) return `${DASH}  (event without a job)`;
  if (event.kind === 'ETA_CHANGED') {
    const cause = (event.etaCause ?? DASH).toLowerCase();
    return [job.updatedAt ?? DASH, job.id, 'ETA_CHANGED', `vehicle=${job.vehicleId ?? DASH}`, `eta=${event.previousEta ?? DASH} → ${job.eta ?? DASH}`, `cause=${cause}`].join('  ');
  }
  const parts = [job.updatedAt ?? DASH, job.id, job.status.padEnd(10), `vehicle=${job.vehicleId ?? DASH}`, `eta=${job.eta ?? DASH}`];
  if (job.reason) parts.push(`reason=${JSON.stringify(job.reason)}`);
  return parts.join('  ');
}

/** A job's ETAs, oldest first: when each was computed, the ETA, how far it moved and why. */
export function formatEtaHistory(jobId: string, records: readonly EtaRecordView[]): string {
  if (records.length === 0) return `no ETA history for job ${jobId} yet (its ETA has not changed since the vehicle accepted the order)`;
  return table(
    ['COMPUTED AT', 'ETA', 'SHIFT', 'CAUSE', 'TRAFFIC VERSION'],
    records.map((r) => [r.computedAt ?? DASH, r.eta ?? DASH, r.shiftS === undefined ? DASH : signedSeconds(r.shiftS), r.cause, r.trafficVersion ? String(r.trafficVersion) : DASH]),
  );
}

export function formatVehicle(v: VehicleView): string {
  return details([
    ['id', v.id],
    ['kind', v.kind],
    ['profile', v.profile],
    ['status', v.status],
    ['battery', `${Math.round(v.batteryPct)}%`],
    ['position', latLon(v.position)],
    ['heading', `${Math.round(v.headingDeg)}°`],
    ['capacity', v.capacity],
    ['order', v.orderId],
    ['job', v.jobId],
    ['last seen', v.lastSeen],
  ]);
}

export function formatVehicles(vehicles: readonly VehicleView[]): string {
  if (vehicles.length === 0) return '(no vehicles)';
  return table(
    ['ID', 'KIND', 'STATUS', 'BATTERY', 'POSITION', 'JOB', 'LAST SEEN'],
    vehicles.map((v) => [v.id, v.kind, v.status, `${Math.round(v.batteryPct)}%`, latLon(v.position), v.jobId ?? DASH, v.lastSeen ?? DASH]),
  );
}

const events = (s: SubscriptionView): string => (s.eventTypes.length === 0 ? '(all)' : s.eventTypes.join(','));

export function formatSubscription(s: SubscriptionView, secret?: string): string {
  const lines = details([
    ['id', s.id],
    ['operator', s.operatorId],
    ['url', s.url],
    ['events', events(s)],
    ['created', s.createdAt],
  ]);
  return secret ? `${lines}\nsecret    ${secret}\n(the signing secret is shown only now: keep it to verify webhook signatures)` : lines;
}

export function formatSubscriptions(subscriptions: readonly SubscriptionView[]): string {
  if (subscriptions.length === 0) return '(no subscriptions)';
  return table(
    ['ID', 'OPERATOR', 'URL', 'EVENTS', 'CREATED'],
    subscriptions.map((s) => [s.id, s.operatorId, s.url, events(s), s.createdAt ?? DASH]),
  );
}
