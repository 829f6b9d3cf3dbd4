/**
 * A virtual robot or shuttle as a pure state machine: commands in, state
 * out, time advanced explicitly. The gRPC adapter owns the clock and the wire.
 */
import { pathLengthM, pointAlong, type LatLon } from './geo.js';
import { acceptOrder, edgePath, isOrderActive } from './order-acceptance.js';
import type {
  Ack,
  ActionState,
  CommandResult,
  InstantAction,
  Order,
  OrderEdge,
  StateReport,
  VehicleKind,
  VehicleSpec,
  VehicleState,
  VehicleStatus,
} from './model-types.js';

export { isOrderActive, validateOrder } from './order-acceptance.js';

const PRESETS: Record<VehicleKind, Omit<VehicleSpec, 'id' | 'kind'>> = {
  ROBOT: { capacity: 2, cruiseSpeedMps: 1.5, drainPctPerKm: 2.5, actionDurationS: 5, chargeBelowPct: 20, chargePctPerMin: 1.5 },
  SHUTTLE: { capacity: 8, cruiseSpeedMps: 8, drainPctPerKm: 1, actionDurationS: 10, chargeBelowPct: 20, chargePctPerMin: 1 },
};

export function vehicleSpec(id: string, kind: VehicleKind, overrides: Partial<VehicleSpec> = {}): VehicleSpec {
  return { id, kind, ...PRESETS[kind], ...overrides };
}

export function initialVehicleState(spec: VehicleSpec, position: LatLon, batteryPct = 100): VehicleState {
  return {
    spec,
    position,
    headingDeg: 0,
    batteryPct,
    paused: false,
    charging: false,
    lastNodeId: '',
    lastNodeSequenceId: 0,
    edgeProgressM: 0,
    actions: [],
    errors: [],
  };
}

/** What a state report must go out for: everything the fleet reacts to, not the position. */
function fingerprint(state: VehicleState): string {
  return JSON.stringify([
    state.order?.orderId,
    state.order?.orderUpdateId,
    state.lastNodeId,
    state.lastNodeSequenceId,
    isDriving(state),
    state.paused,
    state.charging,
    state.actions.map((a) => a.status),
    state.errors.map((e) => e.errorType),
    statusOf(state),
  ]);
}

const withReport = (before: VehicleState, state: VehicleState, ack: Ack, forced = false): CommandResult => ({
  state,
  ack,
  reportDue: forced || fingerprint(before) !== fingerprint(state),
});

export function applyOrder(state: VehicleState, order: Order): CommandResult {
  const result = acceptOrder(state, order);
  return withReport(state, result.state, result.ack);
}

export function applyInstantAction(state: VehicleState, action: InstantAction): CommandResult {
  switch (action.type) {
    case 'PAUSE':
      return withReport(state, { ...state, paused: true, actions: swapStatus(state.actions, 'RUNNING', 'PAUSED') }, { accepted: true });
    case 'RESUME':
      return withReport(state, { ...state, paused: false, actions: swapStatus(state.actions, 'PAUSED', 'RUNNING') }, { accepted: true });
    case 'CANCEL_ORDER':
      if (!isOrderActive(state)) {
        return withReport(state, state, { accepted: false, errorType: 'NO_ORDER_TO_CANCEL', description: 'no active order' });
      }
      return withReport(state, cancelOrder(state), { accepted: true });
    case 'STATE_REQUEST':
      return withReport(state, state, { accepted: true }, true);
    case 'UNKNOWN':
      return withReport(state, state, {
        accepted: false,
        errorType: 'UNSUPPORTED_ACTION',
        description: `instant action ${action.actionId} has a type this vehicle does not support`,
      });
    default: {
      const unreachable: never = action.type;
      throw new Error(`unhandled instant action ${String(unreachable)}`);
    }
  }
}

/** One command may carry several instant actions; it is accepted only if all of them are. */
export function applyInstantActions(state: VehicleState, actions: InstantAction[]): CommandResult {
  if (actions.length === 0) {
    return withReport(state, state, { accepted: false, errorType: 'VALIDATION_ERROR', description: 'no instant actions given' });
  }
  let current = state;
  let reportDue = false;
  const rejections: Array<Exclude<Ack, { accepted: true }>> = [];
  for (const action of actions) {
    const result = applyInstantAction(current, action);
    current = result.state;
    reportDue ||= result.reportDue;
    if (!result.ack.accepted) rejections.push(result.ack);
  }
  const [first] = rejections;
  const ack: Ack = first
    ? { accepted: false, errorType: first.errorType, description: rejections.map((r) => r.description).join('; ') }
    : { accepted: true };
  return { state: current, ack, reportDue };
}

const swapStatus = (actions: ActionState[], from: ActionState['status'], to: ActionState['status']): ActionState[] =>
  actions.map((a) => (a.status === from ? { ...a, status: to } : a));

/** VDA 5050 cancelOrder: stop where it is, drop what is left, fail the actions that did not finish. */
function cancelOrder(state: VehicleState): VehicleState {
  const order = state.order!;
  const last = state.lastNodeSequenceId;
  return {
    ...state,
    order: { ...order, nodes: order.nodes.filter((n) => n.sequenceId <= last), edges: order.edges.filter((e) => e.sequenceId <= last) },
    edgeProgressM: 0,
    actions: state.actions.map((a) =>
      a.status === 'FINISHED' || a.status === 'FAILED' ? a : { ...a, status: 'FAILED', resultDescription: 'order cancelled' },
    ),
  };
}

/** The first action at the node the vehicle stands on that has not run to an end. Actions block driving. */
function pendingAction(state: VehicleState): ActionState | undefined {
  return state.actions.find(
    (a) => a.nodeSequenceId === state.lastNodeSequenceId && a.status !== 'FINISHED' && a.status !== 'FAILED',
  );
}

/** The edge to drive next, if it and its end node are released (the base); the horizon is never driven. */
function nextEdge(state: VehicleState): OrderEdge | undefined {
  const order = state.order;
  if (!order) return undefined;
  const edge = order.edges.find((e) => e.sequenceId === state.lastNodeSequenceId + 1);
  const end = order.nodes.find((n) => n.sequenceId === state.lastNodeSequenceId + 2);
  return edge?.released && end?.released ? edge : undefined;
}

const hasFatalError = (state: VehicleState): boolean => state.errors.some((e) => e.level === 'FATAL');

export function isDriving(state: VehicleState): boolean {
  return !state.paused && !hasFatalError(state) && !pendingAction(state) && nextEdge(state) !== undefined;
}

export function statusOf(state: VehicleState): VehicleStatus {
  if (hasFatalError(state)) return 'ERROR';
  if (state.paused) return 'PAUSED';
  if (state.charging) return 'CHARGING';
  return isOrderActive(state) ? 'EN_ROUTE' : 'IDLE';
}

/** Let `dtS` seconds of sim time pass. */
export function advance(state: VehicleState, dtS: number): { state: VehicleState; reportDue: boolean } {
  const next = simulate(state, dtS);
  return { state: next, reportDue: fingerprint(state) !== fingerprint(next) };
}

function simulate(state: VehicleState, dtS: number): VehicleState {
  if (state.paused || dtS <= 0) return state;
  if (!isOrderActive(state)) return chargeWhileIdle(state, dtS);
  if (hasFatalError(state)) return state;
  let current: VehicleState = { ...state, charging: false };
  let left = dtS;
  // Each step either uses time or moves on to the next action or node, so this ends; the bound is a seatbelt.
  for (let step = 0; left > 1e-9 && step < 10_000; step++) {
    const action = pendingAction(current);
    const edge = action ? undefined : nextEdge(current);
    if (!action && !edge) break;
    const result = action ? runAction(current, action, left) : drive(current, edge!, left);
    current = result.state;
    left -= result.usedS;
  }
  return current;
}

function runAction(state: VehicleState, action: ActionState, dtS: number): { state: VehicleState; usedS: number } {
  const replace = (changed: ActionState) => ({ ...state, actions: state.actions.map((a) => (a.actionId === action.actionId ? changed : a)) });
  if (action.status !== 'RUNNING') return { state: replace({ ...action, status: 'RUNNING' }), usedS: 0 };
  const usedS = Math.min(dtS, action.remainingS);
  const remainingS = action.remainingS - usedS;
  const done = remainingS <= 1e-9;
  return { state: replace({ ...action, remainingS: done ? 0 : remainingS, status: done ? 'FINISHED' : 'RUNNING' }), usedS };
}

function drive(state: VehicleState, edge: OrderEdge, dtS: number): { state: VehicleState; usedS: number } {
  if (state.batteryPct <= 0) {
    const error = { errorType: 'BATTERY_EMPTY', level: 'FATAL' as const, description: 'battery empty; vehicle stopped' };
    return { state: { ...state, errors: [...state.errors, error] }, usedS: dtS };
  }
  const order = state.order!;
  const path = edgePath(order, edge)!;
  const lengthM = pathLengthM(path);
  const speed = Math.min(state.spec.cruiseSpeedMps, edge.maxSpeedMps > 0 ? edge.maxSpeedMps : Infinity);
  const toGoM = Math.max(0, lengthM - state.edgeProgressM);
  const reaches = speed * dtS >= toGoM;
  const distanceM = reaches ? toGoM : speed * dtS;
  const batteryPct = Math.max(0, state.batteryPct - (distanceM / 1000) * state.spec.drainPctPerKm);
  const progressM = state.edgeProgressM + distanceM;
  const { position, headingDeg } = pointAlong(path, progressM);
  if (!reaches) return { state: { ...state, position, headingDeg, batteryPct, edgeProgressM: progressM }, usedS: dtS };
  const end = order.nodes.find((n) => n.nodeId === edge.endNodeId)!;
  return {
    state: { ...state, position, headingDeg, batteryPct, edgeProgressM: 0, lastNodeId: end.nodeId, lastNodeSequenceId: end.sequenceId },
    usedS: toGoM / speed,
  };
}

function chargeWhileIdle(state: VehicleState, dtS: number): VehicleState {
  const { chargeBelowPct, chargePctPerMin } = state.spec;
  if (!state.charging && state.batteryPct >= chargeBelowPct) return state;
  const batteryPct = Math.min(100, state.batteryPct + (chargePctPerMin * dtS) / 60);
  const errors = batteryPct > chargeBelowPct ? state.errors.filter((e) => e.errorType !== 'BATTERY_EMPTY') : state.errors;
  return { ...state, batteryPct, charging: batteryPct < 100, errors };
}

/** The VDA 5050 state: what remains of the order, every action of it, and where the vehicle is. */
export function reportOf(state: VehicleState, at: Date): StateReport {
  const last = state.lastNodeSequenceId;
  const order = state.order;
  return {
    orderId: order?.orderId ?? '',
    orderUpdateId: order?.orderUpdateId ?? 0,
    lastNodeId: state.lastNodeId,
    lastNodeSequenceId: last,
    driving: isDriving(state),
    paused: state.paused,
    charging: state.charging,
    position: state.position,
    headingDeg: state.headingDeg,
    batteryPct: Math.round(state.batteryPct * 10) / 10,
    nodeStates: (order?.nodes ?? [])
      .filter((n) => n.sequenceId > last)
      .map(({ nodeId, sequenceId, released }) => ({ nodeId, sequenceId, released })),
    edgeStates: (order?.edges ?? [])
      .filter((e) => e.sequenceId > last)
      .map(({ edgeId, sequenceId, released }) => ({ edgeId, sequenceId, released })),
    actionStates: state.actions.map(({ actionId, actionType, status, resultDescription }) => ({
      actionId,
      actionType,
      status,
      resultDescription,
    })),
    errors: state.errors,
    status: statusOf(state),
    timestamp: at,
  };
}
