import type { ActionReport, Job, LatLon, Order, OrderEdge, OrderNode, StateReport, Vehicle } from './types.js';

export interface RouteLeg {
  distanceM: number;
  durationS: number;
  points: LatLon[];
}

export interface RoutePlan {
  legs: RouteLeg[];
  durationS: number;
  trafficVersion: number;
  edgeIds: number[];
}

export const pickActionId = (jobId: string): string => `${jobId}:pick`;
export const dropActionId = (jobId: string): string => `${jobId}:drop`;

/**
 * An order for a job: start → pickup (pick) → drop-off (drop), one edge per
 * route leg with the street geometry to follow. Sequence ids are even for
 * nodes and odd for edges, as in VDA 5050.
 */
export function buildOrder(job: Job, vehicle: Vehicle, orderId: string, plan: RoutePlan): Order {
  const [toPickup, toDropoff] = plan.legs;
  if (!toPickup || !toDropoff) throw new Error('a delivery plan needs two legs');
  const start = toPickup.points[0] ?? vehicle.position ?? job.pickup;
  const node = (name: string, seq: number, position: LatLon, actions: OrderNode['actions']): OrderNode => ({
    nodeId: `${orderId}:${name}`,
    sequenceId: seq,
    released: true,
    position,
    actions,
  });
  const nodes = [
    node('start', 0, start, []),
    node('pickup', 2, toPickup.points.at(-1) ?? job.pickup, [{ actionId: pickActionId(job.id), actionType: 'pick' }]),
    node('dropoff', 4, toDropoff.points.at(-1) ?? job.dropoff, [{ actionId: dropActionId(job.id), actionType: 'drop' }]),
  ];
  const edge = (i: number, leg: RouteLeg): OrderEdge => {
    const from = nodes[i]!;
    const to = nodes[i + 1]!;
    return {
      edgeId: `${orderId}:leg${i}`,
      sequenceId: from.sequenceId + 1,
      released: true,
      startNodeId: from.nodeId,
      endNodeId: to.nodeId,
      maxSpeedMps: leg.durationS > 0 ? Math.max(0.5, (leg.distanceM / leg.durationS) * 1.2) : 1,
      lengthM: leg.distanceM,
      trajectory: leg.points,
    };
  };
  return {
    orderId,
    orderUpdateId: 0,
    jobId: job.id,
    vehicleId: vehicle.id,
    nodes,
    edges: [edge(0, toPickup), edge(1, toDropoff)],
    trafficVersion: plan.trafficVersion,
    graphEdgeIds: plan.edgeIds,
    durationS: plan.durationS,
  };
}

export type Progress =
  | { kind: 'none' }
  | { kind: 'picked_up' }
  | { kind: 'delivered' }
  | { kind: 'failed'; reason: string };

const find = (actions: ActionReport[], id: string) => actions.find((a) => a.actionId === id);

/** What a state report means for the job behind the order. */
export function progressOf(jobId: string, report: StateReport): Progress {
  const pick = find(report.actions, pickActionId(jobId));
  const drop = find(report.actions, dropActionId(jobId));
  const failed = [pick, drop].find((a) => a?.status === 'FAILED');
  if (failed) return { kind: 'failed', reason: `${failed.actionId} failed: ${failed.description || 'no reason given'}` };
  if (report.fatalError) return { kind: 'failed', reason: `vehicle error: ${report.fatalError}` };
  if (drop?.status === 'FINISHED') return { kind: 'delivered' };
  if (pick?.status === 'FINISHED') return { kind: 'picked_up' };
  return { kind: 'none' };
}

/** The vehicle's status as the fleet sees it after a state report. */
export function vehicleStatusOf(report: StateReport, hasOrder: boolean): Vehicle['status'] {
  if (report.fatalError) return 'ERROR';
  if (report.paused) return 'PAUSED';
  if (report.charging) return 'CHARGING';
  return hasOrder ? 'EN_ROUTE' : 'IDLE';
}
