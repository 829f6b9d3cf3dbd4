import { EVENTS, ValidationError, unwrap, type IncomingMessage } from '@kera/platform';
import { OrderEventType, VehicleEventType, type OrderEvent, type VehicleEvent } from '@kera/proto/fleet/v1/fleet';
import { JobStatus, type JobEvent } from '@kera/proto/fleet/v1/jobs';
import { VehicleKind, VehicleStatus, type Vehicle } from '@kera/proto/fleet/v1/vehicle';
import { FeedState } from '@kera/proto/ingest/v1/feed_status';
import { IncidentKind, Profile, Severity } from '@kera/proto/traffic/v1/events';
import { splitRoute, type ConsoleEvent, type RouteView, type VehicleView } from '../../domain/console-events.js';
import { toGeoJson } from './incident-mapping.js';

export interface ConsoleTopics {
  jobEvents: string;
  vehicleEvents: string;
  orders: string;
  incidents: string;
  feedStatus: string;
  ingestDlq: string;
  trafficChanges: string;
}

const iso = (d: Date | undefined): string | null => d?.toISOString() ?? null;
const point = (p: { lat: number; lon: number } | undefined) => (p ? { lat: p.lat, lon: p.lon } : null);
const enumName = (names: Record<number, string>, value: number) => names[value] ?? 'UNSPECIFIED';

/** Fleet's vehicle (from an event or ListVehicles) as the console shows it. */
export function toVehicleView(v: Vehicle, offline = false): VehicleView {
  return {
      id: v.id,
      kind: enumName(VehicleKind, v.kind),
      status: offline ? 'OFFLINE' : enumName(VehicleStatus, v.status),
      batteryPct: v.batteryPct,
      position: point(v.position),
      headingDeg: v.headingDeg,
      jobId: v.jobId,
      orderId: v.orderId,
      lastSeen: iso(v.lastSeen),
  };
}

function vehicleEvent(event: VehicleEvent): ConsoleEvent {
  if (!event.vehicle?.id) throw new ValidationError('VehicleEvent without a vehicle id');
  return { kind: 'vehicle', data: toVehicleView(event.vehicle, event.type === VehicleEventType.OFFLINE) };
}

function jobEvent(event: JobEvent): ConsoleEvent {
  const job = event.job;
  if (!job?.id) throw new ValidationError('JobEvent without a job id');
  return {
    kind: 'job',
    data: {
      id: job.id,
      operatorId: job.operatorId,
      status: enumName(JobStatus, job.status),
      vehicleId: job.vehicleId,
      eta: iso(job.eta),
      reason: job.reason || job.waitReason,
      pickup: point(job.pickup),
      dropoff: point(job.dropoff),
      updatedAt: iso(job.updatedAt),
      version: job.version,
    },
  };
}

/** A sent order's path; undefined for acks and rejections (the sent order already drew it). The operator is filled in later from the job. */
function orderRoute(event: OrderEvent): Omit<RouteView, 'operatorId'> | undefined {
  const order = event.order;
  if (event.type !== OrderEventType.SENT || !order) return undefined;
  const parts = [
    ...order.nodes.map((n) => ({ sequenceId: n.sequenceId, released: n.released, points: n.position ? [n.position] : [] })),
    ...order.edges.map((e) => ({ sequenceId: e.sequenceId, released: e.released, points: e.trajectory })),
  ];
  return { vehicleId: event.vehicleId, jobId: order.jobId, orderId: order.orderId, ...splitRoute(parts) };
}

/** The console's reading of one Kafka message; `route` still needs its operator (see the projection). Throws on undecodable input. */
export function toConsoleInput(topics: ConsoleTopics, message: IncomingMessage): ConsoleEvent | { kind: 'order'; route: Omit<RouteView, 'operatorId'> } | undefined {
  if (!message.value) throw new ValidationError('empty message');
  const value = message.value;
  switch (message.topic) {
    case topics.vehicleEvents:
      return vehicleEvent(unwrap(EVENTS.vehicleEvent, value).payload);
    case topics.jobEvents:
      return jobEvent(unwrap(EVENTS.jobEvent, value).payload);
    case topics.orders: {
      const route = orderRoute(unwrap(EVENTS.orderEvent, value).payload);
      return route ? { kind: 'order', route } : undefined;
    }
    case topics.incidents: {
      const i = unwrap(EVENTS.incident, value).payload;
      if (!i.incidentId) throw new ValidationError('Incident without an incident_id');
      const geometry = i.active && i.geometry ? toGeoJson(i.geometry) : null;
      const kind = enumName(IncidentKind, i.kind);
      const data = { id: i.incidentId, kind, severity: enumName(Severity, i.severity), description: i.description, active: i.active, validUntil: iso(i.validUntil), geometry };
      return { kind: 'incident', data };
    }
    case topics.feedStatus: {
      const f = unwrap(EVENTS.feedStatus, value).payload;
      const data = { feed: f.feed, sourceTopic: f.sourceTopic, state: enumName(FeedState, f.state), lastSeenAt: iso(f.lastSeenAt), expectedCadenceS: f.expectedCadenceS, changedAt: iso(f.changedAt) };
      return { kind: 'feed', data };
    }
    case topics.ingestDlq: {
      const d = unwrap(EVENTS.deadLetter, value).payload;
      const data = { sourceTopic: d.sourceTopic, sourcePartition: d.sourcePartition, sourceOffset: d.sourceOffset, errorCode: d.errorCode, reason: d.reason, rejectedAt: iso(d.rejectedAt) };
      return { kind: 'ingest-dead-letter', data };
    }
    case topics.trafficChanges: {
      const t = unwrap(EVENTS.trafficChange, value).payload;
      return { kind: 'traffic', data: { profile: enumName(Profile, t.profile), trafficVersion: t.trafficVersion, edgeIds: t.edgeIds } };
    }
    default:
      throw new ValidationError(`unexpected topic ${message.topic}`);
  }
}
