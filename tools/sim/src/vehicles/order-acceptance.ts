/**
 * Which orders a vehicle accepts, and how an accepted order or order update
 * changes what it will do (VDA 5050 rules, see docs/vehicle-link.md). Pure.
 */
import { pathLengthM, pointAlong, projectOntoPath, type LatLon } from './geo.js';
import type { Ack, ActionState, Order, OrderEdge, OrderNode, VehicleSpec, VehicleState } from './model-types.js';

export const SUPPORTED_ACTIONS: ReadonlySet<string> = new Set(['pick', 'drop', 'wait']);

const reject = (errorType: Exclude<Ack, { accepted: true }>['errorType'], description: string): Ack => ({
  accepted: false,
  errorType,
  description,
});
const accepted: Ack = { accepted: true };

/** An order is active while nodes remain to traverse or actions are not done. */
export function isOrderActive(state: VehicleState): boolean {
  if (!state.order) return false;
  return (
    state.order.nodes.some((n) => n.sequenceId > state.lastNodeSequenceId) ||
    state.actions.some((a) => a.status !== 'FINISHED' && a.status !== 'FAILED')
  );
}

/** Decide on an order or order update and, when accepted, take it over. */
export function acceptOrder(state: VehicleState, incoming: Order): { state: VehicleState; ack: Ack } {
  if (!incoming.orderId) return { state, ack: reject('VALIDATION_ERROR', 'orderId is empty') };
  const order = sortedBySequence(incoming);
  const current = state.order;
  if (current?.orderId === order.orderId) {
    if (order.orderUpdateId < current.orderUpdateId) {
      const why = `order ${order.orderId} update ${order.orderUpdateId} is older than the current update ${current.orderUpdateId}`;
      return { state, ack: reject('OUTDATED_ORDER_UPDATE', why) };
    }
    // A resend of what the vehicle already has (the fleet resends unacked commands): ack again, change nothing.
    if (order.orderUpdateId === current.orderUpdateId) return { state, ack: accepted };
    const invalid = validateOrder(order);
    return invalid ? { state, ack: invalid } : updateOrder(state, current, order);
  }
  if (current && isOrderActive(state)) {
    return { state, ack: reject('OTHER_ORDER_ACTIVE', `order ${current.orderId} is still active; cancel it first`) };
  }
  const invalid = validateOrder(order);
  return invalid ? { state, ack: invalid } : { state: startOrder(state, order), ack: accepted };
}

function sortedBySequence(order: Order): Order {
  return {
    ...order,
    nodes: [...order.nodes].sort((a, b) => a.sequenceId - b.sequenceId),
    edges: [...order.edges].sort((a, b) => a.sequenceId - b.sequenceId),
  };
}

/** Structural VDA 5050 checks on a sorted order; undefined when it is fine. */
export function validateOrder(order: Order): Ack | undefined {
  return checkGraph(order) ?? checkReleased(order) ?? checkGeometry(order) ?? checkActions(order);
}

function checkGraph(order: Order): Ack | undefined {
  const { nodes, edges } = order;
  if (nodes.length === 0) return reject('VALIDATION_ERROR', 'order has no nodes');
  if (edges.length !== nodes.length - 1) {
    return reject('VALIDATION_ERROR', `${nodes.length} nodes need ${nodes.length - 1} edges, got ${edges.length}`);
  }
  for (const [i, node] of nodes.entries()) {
    if (!node.nodeId) return reject('VALIDATION_ERROR', `node at sequenceId ${node.sequenceId} has no nodeId`);
    if (node.sequenceId % 2 !== 0) return reject('VALIDATION_ERROR', `node ${node.nodeId} has odd sequenceId ${node.sequenceId}`);
    const next = nodes[i + 1];
    const edge = edges[i];
    if (!next || !edge) continue;
    if (next.sequenceId !== node.sequenceId + 2 || edge.sequenceId !== node.sequenceId + 1) {
      return reject('VALIDATION_ERROR', `sequenceIds must run node, edge, node without gaps after node ${node.nodeId}`);
    }
    if (edge.startNodeId !== node.nodeId || edge.endNodeId !== next.nodeId) {
      return reject('VALIDATION_ERROR', `edge ${edge.edgeId} must connect ${node.nodeId} to ${next.nodeId}`);
    }
  }
  return undefined;
}

function checkReleased(order: Order): Ack | undefined {
  const inSequence = [...order.nodes, ...order.edges].sort((a, b) => a.sequenceId - b.sequenceId);
  if (!inSequence[0]?.released) return reject('VALIDATION_ERROR', 'the first node must be released');
  const firstHorizon = inSequence.findIndex((element) => !element.released);
  if (firstHorizon >= 0 && inSequence.slice(firstHorizon).some((element) => element.released)) {
    return reject('VALIDATION_ERROR', 'released nodes and edges (the base) must come before the horizon');
  }
  return undefined;
}

const validPoint = (p: LatLon | undefined): boolean =>
  p !== undefined && Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;

function checkGeometry(order: Order): Ack | undefined {
  for (const node of order.nodes) {
    if (node.position && !validPoint(node.position)) return reject('VALIDATION_ERROR', `node ${node.nodeId} has an invalid position`);
  }
  for (const edge of order.edges) {
    if (!edge.trajectory.every(validPoint)) return reject('VALIDATION_ERROR', `edge ${edge.edgeId} has an invalid trajectory point`);
    if (!Number.isFinite(edge.maxSpeedMps) || edge.maxSpeedMps < 0) {
      return reject('VALIDATION_ERROR', `edge ${edge.edgeId} has an invalid maxSpeed`);
    }
    if (!edgePath(order, edge)) {
      return reject('VALIDATION_ERROR', `edge ${edge.edgeId} has neither a trajectory nor positioned end nodes`);
    }
  }
  return undefined;
}

function checkActions(order: Order): Ack | undefined {
  const seen = new Set<string>();
  for (const edge of order.edges) {
    if (edge.actions.length > 0) return reject('UNSUPPORTED_ACTION', `edge ${edge.edgeId}: edge actions are not supported`);
  }
  for (const action of order.nodes.flatMap((n) => n.actions)) {
    if (!action.actionId) return reject('VALIDATION_ERROR', 'an action has no actionId');
    if (seen.has(action.actionId)) return reject('VALIDATION_ERROR', `actionId ${action.actionId} is used twice`);
    seen.add(action.actionId);
    if (!SUPPORTED_ACTIONS.has(action.actionType)) {
      return reject('UNSUPPORTED_ACTION', `action ${action.actionId}: type '${action.actionType}' is not one of pick, drop, wait`);
    }
  }
  return undefined;
}

/** The polyline the vehicle follows on an edge: its trajectory, else the straight line between its nodes. */
export function edgePath(order: Order, edge: OrderEdge): LatLon[] | undefined {
  if (edge.trajectory.length >= 2) return edge.trajectory;
  const from = order.nodes.find((n) => n.nodeId === edge.startNodeId)?.position ?? edge.trajectory[0];
  const to = order.nodes.find((n) => n.nodeId === edge.endNodeId)?.position;
  return from && to ? [from, to] : undefined;
}

/** VDA 5050: the vehicle stands at the first node of a new order; it takes that node as reached. */
function startOrder(state: VehicleState, order: Order): VehicleState {
  const first = order.nodes[0]!;
  const firstEdge = order.edges[0];
  const path = firstEdge ? edgePath(order, firstEdge) : undefined;
  const position = first.position ?? path?.[0] ?? state.position;
  return {
    ...state,
    order,
    position,
    headingDeg: path && pathLengthM(path) > 0 ? pointAlong(path, 0).headingDeg : state.headingDeg,
    charging: false,
    lastNodeId: first.nodeId,
    lastNodeSequenceId: first.sequenceId,
    edgeProgressM: 0,
    actions: actionStatesFor(order.nodes, [], state.spec),
    errors: state.errors.filter((e) => e.level === 'FATAL'),
  };
}

/**
 * An update replaces everything from its first node on. That node (the
 * stitching node) must be a released node of the current order that the
 * vehicle has not yet passed; the vehicle keeps driving.
 */
function updateOrder(state: VehicleState, current: Order, update: Order): { state: VehicleState; ack: Ack } {
  const stitch = update.nodes[0]!;
  const known = current.nodes.find((n) => n.sequenceId === stitch.sequenceId);
  if (!known || known.nodeId !== stitch.nodeId || !known.released) {
    const why = `update must start at a released node of order ${current.orderId}; ${stitch.nodeId} (sequenceId ${stitch.sequenceId}) is not one`;
    return { state, ack: reject('VALIDATION_ERROR', why) };
  }
  if (stitch.sequenceId < state.lastNodeSequenceId) {
    const why = `update starts at ${stitch.nodeId} (sequenceId ${stitch.sequenceId}) but the vehicle's last node is ${state.lastNodeId} (sequenceId ${state.lastNodeSequenceId})`;
    return { state, ack: reject('VALIDATION_ERROR', why) };
  }
  const merged: Order = {
    ...update,
    nodes: [...current.nodes.filter((n) => n.sequenceId < stitch.sequenceId), ...update.nodes],
    edges: [...current.edges.filter((e) => e.sequenceId < stitch.sequenceId), ...update.edges],
  };
  const next: VehicleState = {
    ...state,
    order: merged,
    edgeProgressM: progressOnUpdatedEdge(state, current, merged),
    actions: actionStatesFor(merged.nodes, state.actions, state.spec),
  };
  return { state: next, ack: accepted };
}

/** Keep the progress on an unchanged edge; on a replanned one continue from the nearest point to where the vehicle is. */
function progressOnUpdatedEdge(state: VehicleState, before: Order, after: Order): number {
  if (state.edgeProgressM === 0) return 0;
  const seq = state.lastNodeSequenceId + 1;
  const oldEdge = before.edges.find((e) => e.sequenceId === seq);
  const newEdge = after.edges.find((e) => e.sequenceId === seq);
  if (!newEdge) return 0;
  const path = edgePath(after, newEdge);
  if (!path) return 0;
  if (oldEdge === newEdge || oldEdge?.edgeId === newEdge.edgeId) return Math.min(state.edgeProgressM, pathLengthM(path));
  return projectOntoPath(path, state.position);
}

/**
 * Action states for the nodes of an order: known actions keep their state,
 * new ones wait. Actions that already ran but are gone from the order stay as history.
 */
function actionStatesFor(nodes: OrderNode[], previous: ActionState[], spec: VehicleSpec): ActionState[] {
  const known = new Map(previous.map((a) => [a.actionId, a]));
  const current = nodes.flatMap((node) =>
    node.actions.map((action): ActionState => {
      const existing = known.get(action.actionId);
      if (existing) return existing;
      const durationS = durationOf(action.parameters, spec);
      return {
        actionId: action.actionId,
        actionType: action.actionType,
        status: 'WAITING',
        resultDescription: '',
        nodeSequenceId: node.sequenceId,
        durationS,
        remainingS: durationS,
      };
    }),
  );
  const ids = new Set(current.map((a) => a.actionId));
  const history = previous.filter((a) => !ids.has(a.actionId) && a.status !== 'WAITING');
  return [...history, ...current];
}

function durationOf(parameters: Readonly<Record<string, string>>, spec: VehicleSpec): number {
  const requested = Number(parameters.durationS);
  return parameters.durationS !== undefined && Number.isFinite(requested) && requested >= 0 ? requested : spec.actionDurationS;
}
