import type { GeoPoint } from '@kera/proto/common/v1/envelope';
import { OrderEventType, VehicleEventType, type OrderEvent, type VehicleEvent } from '@kera/proto/fleet/v1/fleet';
import { VehicleKind, VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { IncidentKind, Profile, Severity, type Incident } from '@kera/proto/traffic/v1/events';

/** A vehicle report as fleet publishes it on fleet.vehicle-events.v1. */
export function vehicleEvent(
  vehicleId: string,
  options: { type?: VehicleEventType; status?: VehicleStatus; position?: GeoPoint; reason?: string } = {},
): VehicleEvent {
  return {
    type: options.type ?? VehicleEventType.STATE,
    reason: options.reason ?? '',
    vehicle: {
      id: vehicleId,
      kind: VehicleKind.ROBOT,
      profile: Profile.SIDEWALK,
      capacity: 2,
      batteryPct: 80,
      position: options.position,
      headingDeg: 0,
      status: options.status ?? VehicleStatus.EN_ROUTE,
      orderId: '',
      jobId: '',
      lastSeen: new Date(),
    },
  };
}

/** An order sent to a vehicle whose single edge follows `route`. */
export function orderEvent(jobId: string, vehicleId: string, route: readonly GeoPoint[]): OrderEvent {
  const node = (nodeId: string, sequenceId: number, position: GeoPoint) => ({ nodeId, sequenceId, released: true, position, actions: [] });
  return {
    type: OrderEventType.SENT,
    vehicleId,
    commandId: `cmd-${jobId}`,
    at: new Date(),
    ack: undefined,
    graphEdgeIds: [],
    durationS: 0,
    order: {
      orderId: `order-${jobId}`,
      orderUpdateId: 0,
      jobId,
      trafficVersion: 1,
      nodes: [node('start', 0, route[0]!), node('end', 2, route.at(-1)!)],
      edges: [
        {
          edgeId: 'e1',
          sequenceId: 1,
          released: true,
          startNodeId: 'start',
          endNodeId: 'end',
          maxSpeed: 1.5,
          lengthM: 500,
          trajectory: [...route],
          actions: [],
        },
      ],
    },
  };
}

export function incident(
  incidentId: string,
  geometry: { point: GeoPoint } | { line: GeoPoint[] },
  options: { kind?: IncidentKind; active?: boolean } = {},
): Incident {
  return {
    incidentId,
    kind: options.kind ?? IncidentKind.CLOSURE,
    severity: Severity.HIGH,
    geometry: {
      kind: 'point' in geometry ? { $case: 'point', value: geometry.point } : { $case: 'line', value: { points: geometry.line } },
    },
    validFrom: new Date(),
    validUntil: undefined,
    description: `road closed (${incidentId})`,
    source: 'test',
    active: options.active ?? true,
  };
}
