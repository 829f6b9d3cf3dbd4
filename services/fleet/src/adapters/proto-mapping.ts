import type { Job as JobPb} from '@kera/proto/fleet/v1/jobs';
import { EtaChangeCause, JobEventKind, JobStatus as JobStatusPb, type EtaRecord as EtaRecordPb } from '@kera/proto/fleet/v1/jobs';
import type { Vehicle as VehiclePb} from '@kera/proto/fleet/v1/vehicle';
import { VehicleKind as VehicleKindPb, VehicleStatus as VehicleStatusPb } from '@kera/proto/fleet/v1/vehicle';
import type { Order as OrderPb } from '@kera/proto/fleet/v1/vehicle_link';
import { BlockingType, CommandErrorType, InstantActionType as InstantActionTypePb } from '@kera/proto/fleet/v1/vehicle_link';
import { OrderEventType, VehicleEventType } from '@kera/proto/fleet/v1/fleet';
import { Profile as ProfilePb } from '@kera/proto/traffic/v1/events';
import { EVENTS, TOPICS, wrap } from '@kera/platform';
import type { FleetEvent, InstantActionType } from '../app/ports.js';
import type { EtaCause, EtaRecord } from '../domain/eta.js';
import type { Job, JobStatus, Order, Profile, Vehicle, VehicleKind, VehicleStatus } from '../domain/types.js';

/** Translation between the domain and the generated contracts; no rules here. */
export const jobStatusToPb = (s: JobStatus): JobStatusPb => JobStatusPb[s];
export const jobStatusFromPb = (s: JobStatusPb): JobStatus | undefined => {
  const name = JobStatusPb[s] as string | undefined;
  return name && name !== 'UNSPECIFIED' && name !== 'UNRECOGNIZED' ? (name as JobStatus) : undefined;
};

export const profileToPb = (p: Profile): ProfilePb => (p === 'road' ? ProfilePb.ROAD : ProfilePb.SIDEWALK);
export const profileFromPb = (p: ProfilePb | undefined): Profile | undefined =>
  p === ProfilePb.ROAD ? 'road' : p === ProfilePb.SIDEWALK ? 'sidewalk' : undefined;

export const kindFromPb = (k: VehicleKindPb | undefined): VehicleKind | undefined =>
  k === VehicleKindPb.ROBOT ? 'ROBOT' : k === VehicleKindPb.SHUTTLE ? 'SHUTTLE' : undefined;

export const instantActionFromPb = (t: InstantActionTypePb): InstantActionType | undefined => {
  const name = InstantActionTypePb[t] as string | undefined;
  return name === 'PAUSE' || name === 'RESUME' || name === 'CANCEL_ORDER' || name === 'STATE_REQUEST' ? name : undefined;
};
export const instantActionToPb = (t: InstantActionType): InstantActionTypePb => InstantActionTypePb[t];

export const commandErrorName = (e: CommandErrorType | undefined): string =>
  e === undefined || e === CommandErrorType.UNSPECIFIED ? '' : (CommandErrorType[e] ?? String(e));

/** The whole job (events carry it all, so fleet can be rebuilt from them); a wait reason when read. */
export function jobToPb(job: Job & { waitReason?: string | undefined }): JobPb {
  return {
    id: job.id,
    operatorId: job.operatorId,
    status: jobStatusToPb(job.status),
    pickup: job.pickup,
    dropoff: job.dropoff,
    size: job.size,
    priority: job.priority,
    earliestPickup: job.earliestPickup,
    latestDelivery: job.latestDelivery,
    vehicleId: job.vehicleId ?? '',
    orderId: job.orderId ?? '',
    eta: job.eta,
    reason: job.reason ?? '',
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    version: job.version,
    requestId: job.requestId,
    profiles: job.profiles.map(profileToPb),
    waitReason: job.waitReason ?? '',
  };
}

export const etaCauseToPb = (cause: EtaCause | undefined): EtaChangeCause =>
  cause === 'traffic' ? EtaChangeCause.TRAFFIC : cause === 'progress' ? EtaChangeCause.PROGRESS : EtaChangeCause.UNSPECIFIED;

export const etaRecordToPb = (r: EtaRecord): EtaRecordPb => ({
  eta: r.eta,
  computedAt: r.computedAt,
  cause: etaCauseToPb(r.cause),
  trafficVersion: r.trafficVersion,
});

/** A job event: a status step, or (with `etaChanged`) a new ETA only. */
function jobEventToPb(event: FleetEvent & { kind: 'job' }) {
  const { job, previousStatus } = event.change;
  const base = { job: jobToPb(job), previousStatus: previousStatus ? jobStatusToPb(previousStatus) : JobStatusPb.UNSPECIFIED };
  const eta = event.etaChanged;
  if (!eta) return { ...base, kind: JobEventKind.STATUS_CHANGED, etaCause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 };
  return { ...base, kind: JobEventKind.ETA_CHANGED, previousEta: eta.previousEta, etaCause: etaCauseToPb(eta.cause), trafficVersion: eta.trafficVersion };
}

export function vehicleToPb(v: Vehicle): VehiclePb {
  return {
    id: v.id,
    kind: VehicleKindPb[v.kind],
    profile: profileToPb(v.profile),
    capacity: v.capacity,
    batteryPct: v.batteryPct,
    position: v.position,
    headingDeg: v.headingDeg,
    status: VehicleStatusPb[v.status satisfies VehicleStatus],
    orderId: v.orderId ?? '',
    jobId: v.jobId ?? '',
    lastSeen: v.lastSeen,
  };
}

export function orderToPb(order: Order): OrderPb {
  return {
    orderId: order.orderId,
    orderUpdateId: order.orderUpdateId,
    jobId: order.jobId,
    trafficVersion: order.trafficVersion,
    nodes: order.nodes.map((n) => ({
      nodeId: n.nodeId,
      sequenceId: n.sequenceId,
      released: n.released,
      position: n.position,
      actions: n.actions.map((a) => ({ actionId: a.actionId, actionType: a.actionType, blockingType: BlockingType.HARD, parameters: [] })),
    })),
    edges: order.edges.map((e) => ({
      edgeId: e.edgeId,
      sequenceId: e.sequenceId,
      released: e.released,
      startNodeId: e.startNodeId,
      endNodeId: e.endNodeId,
      maxSpeed: e.maxSpeedMps,
      lengthM: e.lengthM,
      trajectory: e.trajectory,
      actions: [],
    })),
  };
}

export interface KafkaRecord {
  topic: string;
  key: string;
  value: Buffer;
}

export type TopicNames = { jobEvents: string; vehicleEvents: string; orders: string };

export const defaultTopics = (): TopicNames => ({
  jobEvents: TOPICS.fleetJobEvents.name,
  vehicleEvents: TOPICS.fleetVehicleEvents.name,
  orders: TOPICS.fleetOrders.name,
});

/** A fleet event as the Kafka record it becomes; the envelope id is fixed here, once. */
export function toKafkaRecord(event: FleetEvent, topics: TopicNames, now: Date): KafkaRecord {
  const source = 'fleet';
  switch (event.kind) {
    case 'job': {
      const { job } = event.change;
      return { topic: topics.jobEvents, key: job.id, value: wrap(EVENTS.jobEvent, jobEventToPb(event), { source, occurredAt: job.updatedAt }) };
    }
    case 'vehicle':
      return {
        topic: topics.vehicleEvents,
        key: event.vehicle.id,
        value: wrap(EVENTS.vehicleEvent, { type: VehicleEventType[event.type], vehicle: vehicleToPb(event.vehicle), reason: event.reason ?? '' }, { source, occurredAt: now }),
      };
    case 'order':
      return {
        topic: topics.orders,
        key: event.order.vehicleId,
        value: wrap(
          EVENTS.orderEvent,
          {
            type: OrderEventType[event.type],
            vehicleId: event.order.vehicleId,
            commandId: event.commandId,
            order: orderToPb(event.order),
            ack: event.ack
              ? { commandId: event.commandId, accepted: event.ack.accepted, errorType: CommandErrorType[event.ack.errorType as keyof typeof CommandErrorType] ?? CommandErrorType.UNSPECIFIED, description: event.ack.description }
              : undefined,
            at: now,
            graphEdgeIds: event.order.graphEdgeIds,
            durationS: event.order.durationS,
          },
          { source, occurredAt: now },
        ),
      };
    default: {
      const never: never = event;
      throw new Error(`unknown event ${String(never)}`);
    }
  }
}
