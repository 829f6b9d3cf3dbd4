import { EtaChangeCause, JobEventKind, type Job as JobPb, type JobEvent } from '@kera/proto/fleet/v1/jobs';
import type { Vehicle as VehiclePb , VehicleKind as VehicleKindPb} from '@kera/proto/fleet/v1/vehicle';
import { VehicleStatus as VehicleStatusPb } from '@kera/proto/fleet/v1/vehicle';
import type { OrderEvent } from '@kera/proto/fleet/v1/fleet';
import { ValidationError } from '@kera/platform';
import type { EtaChanged } from '../../app/ports.js';
import type { ActionType, Job, LatLon, Order, Profile, Vehicle, VehicleStatus } from '../../domain/types.js';
import { jobStatusFromPb, kindFromPb, profileFromPb } from '../proto-mapping.js';

/**
 * Fleet's own events back into domain documents, for fleet:rebuild. The
 * inverse of jobToPb / vehicleToPb / orderToPb; a field the event cannot
 * carry is an error, not a guess.
 */
const text = (s: string): string | undefined => (s === '' ? undefined : s);
const point = (p: LatLon | undefined, field: string): LatLon => {
  if (!p) throw new ValidationError(`${field}: missing`);
  return { lat: p.lat, lon: p.lon };
};
const time = (d: Date | undefined, field: string): Date => {
  if (!d) throw new ValidationError(`${field}: missing`);
  return d;
};

export function jobFromPb(pb: JobPb): Job {
  const status = jobStatusFromPb(pb.status);
  if (!status) throw new ValidationError(`job ${pb.id}: unknown status ${pb.status}`);
  if (!pb.requestId) throw new ValidationError(`job ${pb.id}: no request_id (an event from before events carried the whole job)`);
  return {
    id: pb.id,
    requestId: pb.requestId,
    operatorId: pb.operatorId,
    status,
    pickup: point(pb.pickup, 'pickup'),
    dropoff: point(pb.dropoff, 'dropoff'),
    size: pb.size,
    priority: pb.priority,
    earliestPickup: pb.earliestPickup,
    latestDelivery: pb.latestDelivery,
    profiles: pb.profiles.map((p) => profileFromPb(p)).filter((p): p is Profile => p !== undefined),
    vehicleId: text(pb.vehicleId),
    orderId: text(pb.orderId),
    eta: pb.eta,
    reason: text(pb.reason),
    createdAt: time(pb.createdAt, 'created_at'),
    updatedAt: time(pb.updatedAt, 'updated_at'),
    version: pb.version,
  };
}

/** What an ETA_CHANGED event adds to the job it carries; undefined for a status step. */
export function etaChangedFromPb(event: JobEvent): EtaChanged | undefined {
  if (event.kind !== JobEventKind.ETA_CHANGED) return undefined;
  const cause = event.etaCause === EtaChangeCause.TRAFFIC ? 'traffic' : event.etaCause === EtaChangeCause.PROGRESS ? 'progress' : undefined;
  if (!cause) throw new ValidationError(`ETA_CHANGED event of job ${event.job?.id ?? '?'}: unknown cause ${event.etaCause}`);
  return { previousEta: time(event.previousEta, 'previous_eta'), cause, trafficVersion: event.trafficVersion };
}

const vehicleStatusFromPb = (s: VehicleStatusPb): VehicleStatus => {
  const name = VehicleStatusPb[s] as string | undefined;
  if (!name || name === 'UNSPECIFIED' || name === 'UNRECOGNIZED') throw new ValidationError(`unknown vehicle status ${s}`);
  return name as VehicleStatus;
};

/** `version` is not on the wire: the caller numbers the rebuilt vehicle's writes. */
export function vehicleFromPb(pb: VehiclePb, version: number): Vehicle {
  const kind = kindFromPb(pb.kind as VehicleKindPb);
  const profile = profileFromPb(pb.profile);
  if (!kind || !profile) throw new ValidationError(`vehicle ${pb.id}: unknown kind or profile`);
  return {
    id: pb.id,
    kind,
    profile,
    capacity: pb.capacity,
    batteryPct: pb.batteryPct,
    position: pb.position ? point(pb.position, 'position') : undefined,
    headingDeg: pb.headingDeg,
    status: vehicleStatusFromPb(pb.status),
    jobId: text(pb.jobId),
    orderId: text(pb.orderId),
    lastSeen: time(pb.lastSeen, 'last_seen'),
    version,
  };
}

export function orderFromEvent(event: OrderEvent): Order {
  const pb = event.order;
  if (!pb) throw new ValidationError('order event without an order');
  return {
    orderId: pb.orderId,
    orderUpdateId: pb.orderUpdateId,
    jobId: pb.jobId,
    vehicleId: event.vehicleId,
    nodes: pb.nodes.map((n) => ({
      nodeId: n.nodeId,
      sequenceId: n.sequenceId,
      released: n.released,
      position: point(n.position, `node ${n.nodeId} position`),
      actions: n.actions.map((a) => ({ actionId: a.actionId, actionType: a.actionType as ActionType })),
    })),
    edges: pb.edges.map((e) => ({
      edgeId: e.edgeId,
      sequenceId: e.sequenceId,
      released: e.released,
      startNodeId: e.startNodeId,
      endNodeId: e.endNodeId,
      maxSpeedMps: e.maxSpeed,
      lengthM: e.lengthM,
      trajectory: e.trajectory.map((p) => ({ lat: p.lat, lon: p.lon })),
    })),
    trafficVersion: pb.trafficVersion,
    graphEdgeIds: event.graphEdgeIds,
    durationS: event.durationS,
  };
}
