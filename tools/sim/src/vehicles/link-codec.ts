/** Translation between the VehicleLink wire messages and the vehicle model. Nothing else. */
import type { GeoPoint } from '@kera/proto/common/v1/envelope';
import { VehicleKind as ProtoVehicleKind, VehicleStatus as ProtoVehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import {
  ActionStatus as ProtoActionStatus,
  CommandErrorType as ProtoCommandErrorType,
  ErrorLevel,
  InstantActionType as ProtoInstantActionType,
  type Action,
  type CommandAck,
  type Hello,
  type InstantAction as ProtoInstantAction,
  type Order as ProtoOrder,
  type VehicleState as ProtoVehicleState,
} from '@kera/proto/fleet/v1/vehicle_link';
import { Profile } from '@kera/proto/traffic/v1/events';
import type { LatLon } from './geo.js';
import type {
  Ack,
  ActionStatus,
  CommandErrorType,
  InstantAction,
  InstantActionType,
  Order,
  OrderAction,
  StateReport,
  VehicleKind,
  VehicleSpec,
  VehicleStatus,
} from './model-types.js';

const kindToProto: Record<VehicleKind, ProtoVehicleKind> = { ROBOT: ProtoVehicleKind.ROBOT, SHUTTLE: ProtoVehicleKind.SHUTTLE };
/** Robots route on sidewalks, shuttles on roads. */
const profileOf: Record<VehicleKind, Profile> = { ROBOT: Profile.SIDEWALK, SHUTTLE: Profile.ROAD };
const statusToProto: Record<VehicleStatus, ProtoVehicleStatus> = {
  IDLE: ProtoVehicleStatus.IDLE,
  EN_ROUTE: ProtoVehicleStatus.EN_ROUTE,
  PAUSED: ProtoVehicleStatus.PAUSED,
  CHARGING: ProtoVehicleStatus.CHARGING,
  ERROR: ProtoVehicleStatus.ERROR,
};
const actionStatusToProto: Record<ActionStatus, ProtoActionStatus> = {
  WAITING: ProtoActionStatus.WAITING,
  INITIALIZING: ProtoActionStatus.INITIALIZING,
  RUNNING: ProtoActionStatus.RUNNING,
  PAUSED: ProtoActionStatus.PAUSED,
  FINISHED: ProtoActionStatus.FINISHED,
  FAILED: ProtoActionStatus.FAILED,
};
const errorTypeToProto: Record<CommandErrorType, ProtoCommandErrorType> = {
  VALIDATION_ERROR: ProtoCommandErrorType.VALIDATION_ERROR,
  OUTDATED_ORDER_UPDATE: ProtoCommandErrorType.OUTDATED_ORDER_UPDATE,
  SAME_ORDER_UPDATE_ID: ProtoCommandErrorType.SAME_ORDER_UPDATE_ID,
  OTHER_ORDER_ACTIVE: ProtoCommandErrorType.OTHER_ORDER_ACTIVE,
  NO_ORDER_TO_CANCEL: ProtoCommandErrorType.NO_ORDER_TO_CANCEL,
  UNSUPPORTED_ACTION: ProtoCommandErrorType.UNSUPPORTED_ACTION,
};

export function helloOf(spec: VehicleSpec, token: string, softwareVersion: string): Hello {
  return {
    vehicleId: spec.id,
    token,
    kind: kindToProto[spec.kind],
    profile: profileOf[spec.kind],
    capacity: spec.capacity,
    softwareVersion,
  };
}

const point = (p: GeoPoint | undefined): LatLon | undefined => (p ? { lat: p.lat, lon: p.lon } : undefined);

const actionOf = (action: Action): OrderAction => ({
  actionId: action.actionId,
  actionType: action.actionType,
  parameters: Object.fromEntries(action.parameters.map((p) => [p.key, p.value])),
});

export function orderFromProto(order: ProtoOrder): Order {
  return {
    orderId: order.orderId,
    orderUpdateId: order.orderUpdateId,
    jobId: order.jobId,
    nodes: order.nodes.map((node) => ({
      nodeId: node.nodeId,
      sequenceId: node.sequenceId,
      released: node.released,
      position: point(node.position),
      actions: node.actions.map(actionOf),
    })),
    edges: order.edges.map((edge) => ({
      edgeId: edge.edgeId,
      sequenceId: edge.sequenceId,
      released: edge.released,
      startNodeId: edge.startNodeId,
      endNodeId: edge.endNodeId,
      maxSpeedMps: edge.maxSpeed,
      trajectory: edge.trajectory.map((p) => ({ lat: p.lat, lon: p.lon })),
      actions: edge.actions.map(actionOf),
    })),
  };
}

function instantActionTypeOf(type: ProtoInstantActionType): InstantActionType {
  switch (type) {
    case ProtoInstantActionType.PAUSE:
      return 'PAUSE';
    case ProtoInstantActionType.RESUME:
      return 'RESUME';
    case ProtoInstantActionType.CANCEL_ORDER:
      return 'CANCEL_ORDER';
    case ProtoInstantActionType.STATE_REQUEST:
      return 'STATE_REQUEST';
    case ProtoInstantActionType.UNSPECIFIED:
    case ProtoInstantActionType.UNRECOGNIZED:
      return 'UNKNOWN';
    default: {
      // The compiler proves every known type is handled; a value from a newer contract arrives
      // here as a plain number and is rejected by the model as UNKNOWN.
      const newer: never = type;
      void newer;
      return 'UNKNOWN';
    }
  }
}

export const instantActionsFromProto = (actions: ProtoInstantAction[]): InstantAction[] =>
  actions.map((a) => ({ actionId: a.actionId, type: instantActionTypeOf(a.type) }));

export function ackToProto(commandId: string, ack: Ack): CommandAck {
  return ack.accepted
    ? { commandId, accepted: true, errorType: ProtoCommandErrorType.UNSPECIFIED, description: '' }
    : { commandId, accepted: false, errorType: errorTypeToProto[ack.errorType], description: ack.description };
}

export function stateToProto(report: StateReport): ProtoVehicleState {
  return {
    orderId: report.orderId,
    orderUpdateId: report.orderUpdateId,
    lastNodeId: report.lastNodeId,
    lastNodeSequenceId: report.lastNodeSequenceId,
    driving: report.driving,
    paused: report.paused,
    position: { lat: report.position.lat, lon: report.position.lon },
    headingDeg: report.headingDeg,
    batteryPct: report.batteryPct,
    charging: report.charging,
    nodeStates: report.nodeStates,
    edgeStates: report.edgeStates,
    actionStates: report.actionStates.map((a) => ({ ...a, status: actionStatusToProto[a.status] })),
    errors: report.errors.map((e) => ({
      errorType: e.errorType,
      level: e.level === 'FATAL' ? ErrorLevel.FATAL : ErrorLevel.WARNING,
      description: e.description,
    })),
    timestamp: report.timestamp,
    status: statusToProto[report.status],
  };
}
