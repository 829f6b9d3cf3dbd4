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

interface Stop {
  name: string;
  actions: OrderNode['actions'];
}

/**
 * A path through stops: node 0 where the vehicle is, then one node per stop,
 * one edge per route leg with the street geometry to follow. Sequence ids
 * are even for nodes and odd for edges, as in VDA 5050.
 */
function orderThrough(head: Pick<Order, 'orderId' | 'orderUpdateId' | 'jobId' | 'vehicleId'>, start: LatLon, stops: Array<Stop & { leg: RouteLeg; fallback: LatLon }>, plan: RoutePlan): Order {
  const node = (name: string, seq: number, position: LatLon, actions: OrderNode['actions']): OrderNode => ({
    nodeId: `${head.orderId}:${name}`,
    sequenceId: seq,
    released: true,
    position,
    actions,
  });
  const nodes = [node('start', 0, start, []), ...stops.map((s, i) => node(s.name, 2 * (i + 1), s.leg.points.at(-1) ?? s.fallback, s.actions))];
  const edges = stops.map((s, i): OrderEdge => {
    const from = nodes[i]!;
    const to = nodes[i + 1]!;
    return {
      edgeId: `${head.orderId}:leg${i}`,
      sequenceId: from.sequenceId + 1,
      released: true,
      startNodeId: from.nodeId,
      endNodeId: to.nodeId,
      maxSpeedMps: s.leg.durationS > 0 ? Math.max(0.5, (s.leg.distanceM / s.leg.durationS) * 1.2) : 1,
      lengthM: s.leg.distanceM,
      trajectory: s.leg.points,
    };
  });
  return { ...head, nodes, edges, trafficVersion: plan.trafficVersion, graphEdgeIds: plan.edgeIds, durationS: plan.durationS };
}

const pickStop = (job: Job): Stop => ({ name: 'pickup', actions: [{ actionId: pickActionId(job.id), actionType: 'pick' }] });
const dropStop = (job: Job): Stop => ({ name: 'dropoff', actions: [{ actionId: dropActionId(job.id), actionType: 'drop' }] });

/** An order for a job: start → pickup (pick) → drop-off (drop). */
export function buildOrder(job: Job, vehicle: Vehicle, orderId: string, plan: RoutePlan): Order {
  const [toPickup, toDropoff] = plan.legs;
  if (!toPickup || !toDropoff) throw new Error('a delivery plan needs two legs');
  const start = toPickup.points[0] ?? vehicle.position ?? job.pickup;
  return orderThrough({ orderId, orderUpdateId: 0, jobId: job.id, vehicleId: vehicle.id }, start, [
    { ...pickStop(job), leg: toPickup, fallback: job.pickup },
    { ...dropStop(job), leg: toDropoff, fallback: job.dropoff },
  ], plan);
}

/** Where the rest of a job still has to go: the pickup unless the goods are on board, then the drop-off. */
export const remainingStops = (job: Job): LatLon[] => (job.status === 'PICKED_UP' ? [job.dropoff] : [job.pickup, job.dropoff]);

/**
 * What is left of an order the vehicle no longer has (it restarted, say):
 * the same order id with the next update id, from where the vehicle is
 * through the stops still ahead. The action ids stay those of the job, so
 * progress reads the same; to the vehicle it is a new order, since it holds
 * none with that id.
 */
export function buildRemainingOrder(job: Job, previous: Order, plan: RoutePlan): Order {
  const stops = job.status === 'PICKED_UP' ? [{ ...dropStop(job), fallback: job.dropoff }] : [{ ...pickStop(job), fallback: job.pickup }, { ...dropStop(job), fallback: job.dropoff }];
  if (plan.legs.length !== stops.length) throw new Error(`a plan for what remains needs ${stops.length} legs, got ${plan.legs.length}`);
  const start = plan.legs[0]?.points[0] ?? stops[0]!.fallback;
  const head = { orderId: previous.orderId, orderUpdateId: previous.orderUpdateId + 1, jobId: job.id, vehicleId: previous.vehicleId };
  return orderThrough(head, start, stops.map((s, i) => ({ ...s, leg: plan.legs[i]! })), plan);
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

/** The vehicle is busy with the order it reports: driving it, or an action of it not yet ended. */
export const isExecuting = (report: StateReport): boolean =>
  report.driving || report.actions.some((a) => a.status !== 'FINISHED' && a.status !== 'FAILED');
