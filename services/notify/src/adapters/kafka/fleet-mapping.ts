import { ValidationError, type EventMeta } from '@kera/platform';
import { OrderEventType, VehicleEventType, type OrderEvent, type VehicleEvent } from '@kera/proto/fleet/v1/fleet';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import type { VehicleReport } from '../../app/vehicle-events.js';
import type { OrderRoute } from '../../app/route-events.js';
import type { VehicleStatusName } from '../../domain/alerts.js';
import type { GeoPoint } from '../../domain/webhook-event.js';

const STATUS: Partial<Record<VehicleStatus, VehicleStatusName>> = {
  [VehicleStatus.OFFLINE]: 'OFFLINE',
  [VehicleStatus.IDLE]: 'IDLE',
  [VehicleStatus.EN_ROUTE]: 'EN_ROUTE',
  [VehicleStatus.CHARGING]: 'CHARGING',
  [VehicleStatus.ERROR]: 'ERROR',
  [VehicleStatus.PAUSED]: 'PAUSED',
};

/** Proto VehicleEvent → report; an OFFLINE event means offline whatever the last state said. */
export function toVehicleReport(meta: EventMeta, event: VehicleEvent): VehicleReport {
  const vehicle = event.vehicle;
  if (!vehicle?.id) throw new ValidationError('VehicleEvent without a vehicle id');
  if (!meta.id) throw new ValidationError(`VehicleEvent for ${vehicle.id}: envelope id is empty`);
  const status = event.type === VehicleEventType.OFFLINE ? 'OFFLINE' : (STATUS[vehicle.status] ?? 'UNKNOWN');
  return {
    eventId: meta.id,
    occurredAt: meta.occurredAt,
    vehicleId: vehicle.id,
    status,
    position: vehicle.position,
    batteryPct: vehicle.batteryPct,
    reason: event.reason || undefined,
  };
}

/**
 * The route of an order sent to or acked by a vehicle: node positions and
 * edge trajectories in sequence order (base and horizon). Undefined for
 * rejections and orders that carry no job.
 */
export function toOrderRoute(event: OrderEvent): OrderRoute | undefined {
  const order = event.order;
  if (event.type !== OrderEventType.SENT && event.type !== OrderEventType.ACKED) return undefined;
  if (!order?.jobId) return undefined;
  const parts: { sequenceId: number; points: GeoPoint[] }[] = [
    ...order.nodes.map((node) => ({ sequenceId: node.sequenceId, points: node.position ? [node.position] : [] })),
    ...order.edges.map((edge) => ({ sequenceId: edge.sequenceId, points: edge.trajectory })),
  ];
  const route = parts
    .sort((a, b) => a.sequenceId - b.sequenceId)
    .flatMap((part) => part.points)
    .map((p) => ({ lat: p.lat, lon: p.lon }));
  if (route.length === 0) throw new ValidationError(`OrderEvent for job ${order.jobId}: order has no positions`);
  return { jobId: order.jobId, route };
}
