/**
 * One virtual vehicle on the fleet's VehicleLink stream: hello, acks, state
 * reports, reconnect with backoff. The vehicle keeps driving while the link is
 * down; after a reconnect it says hello again and reports where it is.
 */
import { status as grpcStatus, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from '@kera/platform';
import type { ControlMessage, VehicleLinkClient, VehicleMessage } from '@kera/proto/fleet/v1/vehicle_link';
import { ackToProto, helloOf, instantActionsFromProto, orderFromProto, stateToProto } from './link-codec.js';
import type { CommandResult, Order, StateReport, VehicleState } from './model-types.js';
import { advance, applyInstantActions, applyOrder, reportOf } from './vehicle-model.js';

/** Until the fleet's Welcome says otherwise. */
const DEFAULT_STATE_INTERVAL_MS = 5_000;
/** How long stop() waits for the fleet to close the stream before cancelling it. */
const CLOSE_GRACE_MS = 500;

/** One order or order update as the vehicle received it, and what it did with it. */
export interface OrderReceipt {
  vehicleId: string;
  jobId: string;
  orderId: string;
  orderUpdateId: number;
  commandId: string;
  /** Wall-clock milliseconds (Date.now()) when the message arrived. */
  receivedAt: number;
  accepted: boolean;
  /** Accepted and taken over (a new order or a newer update); a harmless resend is accepted but not executed. */
  executed: boolean;
}

/** Lets a benchmark see what the vehicle gets and sends without changing what it does. */
export interface VehicleObserver {
  orderReceived(receipt: OrderReceipt): void;
  stateSent(): void;
}

export interface VehicleClientOptions {
  /** Shared by all vehicles of a simulator: one channel, one stream per vehicle. */
  link: VehicleLinkClient;
  initial: VehicleState;
  token: string;
  softwareVersion: string;
  /** Sim seconds per wall-clock second. */
  speedup: number;
  tickMs: number;
  log: Logger;
  reconnect?: { initialMs: number; maxMs: number };
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  observer?: VehicleObserver;
}

export interface VehicleHandle {
  readonly id: string;
  state(): VehicleState;
  report(): StateReport;
  /** True between the fleet's Welcome and the end of that stream. */
  isConnected(): boolean;
  stop(): Promise<void>;
}

type LinkStream = ClientDuplexStream<VehicleMessage, ControlMessage>;

export function startVehicleClient(options: VehicleClientOptions): VehicleHandle {
  const { link, speedup, token, softwareVersion } = options;
  const log = options.log.child({ vehicleId: options.initial.spec.id });
  const now = options.now ?? (() => performance.now());
  const backoff = options.reconnect ?? { initialMs: 250, maxMs: 10_000 };

  let state = options.initial;
  let stream: LinkStream | undefined;
  let session: { sessionId: string; stateIntervalMs: number } | undefined;
  let lastTickAt = now();
  let lastReportAt = -Infinity;
  let failures = 0;
  let stopped = false;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const send = (message: VehicleMessage) => void stream?.write(message);

  const sendState = () => {
    if (!stream || !session) return;
    send({ body: { $case: 'state', value: stateToProto(reportOf(state, new Date())) } });
    lastReportAt = now();
    options.observer?.stateSent();
  };

  const settle = (commandId: string, result: CommandResult, what: string) => {
    state = result.state;
    send({ body: { $case: 'ack', value: ackToProto(commandId, result.ack) } });
    if (!result.ack.accepted) log.warn({ commandId, what, errorType: result.ack.errorType, reason: result.ack.description }, 'command rejected');
    else log.debug({ commandId, what }, 'command accepted');
    if (result.reportDue) sendState();
  };

  const observeOrder = (commandId: string, order: Order, receivedAt: number, result: CommandResult) => {
    if (!options.observer) return;
    const { orderId, orderUpdateId, jobId } = order;
    const executed = result.ack.accepted && result.state.order !== state.order;
    options.observer.orderReceived({ vehicleId: state.spec.id, jobId, orderId, orderUpdateId, commandId, receivedAt, accepted: result.ack.accepted, executed });
  };

  const onControl = (message: ControlMessage) => {
    const body = message.body;
    if (!body) {
      const ack = { accepted: false as const, errorType: 'VALIDATION_ERROR' as const, description: 'control message without a body' };
      settle(message.commandId, { state, ack, reportDue: false }, 'empty');
      return;
    }
    switch (body.$case) {
      case 'welcome':
        session = { sessionId: body.value.sessionId, stateIntervalMs: body.value.stateIntervalMs || DEFAULT_STATE_INTERVAL_MS };
        failures = 0;
        log.info({ sessionId: session.sessionId, stateIntervalMs: session.stateIntervalMs }, 'vehicle link established');
        sendState();
        return;
      case 'order': {
        const order = orderFromProto(body.value);
        const receivedAt = Date.now();
        const result = applyOrder(state, order);
        observeOrder(message.commandId, order, receivedAt, result);
        settle(message.commandId, result, `order ${order.orderId}/${order.orderUpdateId}`);
        return;
      }
      case 'instantActions':
        settle(message.commandId, applyInstantActions(state, instantActionsFromProto(body.value.actions)), 'instant actions');
        return;
      default: {
        const unhandled: never = body;
        throw new Error(`unhandled control message ${JSON.stringify(unhandled)}`);
      }
    }
  };

  const scheduleReconnect = (closed: StatusObject) => {
    if (stopped) return;
    const delayMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** failures) * (0.5 + Math.random() / 2);
    const fields = { code: grpcStatus[closed.code], details: closed.details, retryInMs: Math.round(delayMs) };
    // The first failure is news; a fleet that stays away should not flood the log.
    if (failures === 0) log.warn(fields, 'vehicle link closed; reconnecting');
    else log.debug(fields, 'vehicle link still down; retrying');
    failures++;
    reconnectTimer = setTimeout(connect, delayMs);
  };

  function connect() {
    const call = link.connect();
    stream = call;
    call.on('data', (message: ControlMessage) => {
      if (call === stream) onControl(message);
    });
    // 'status' below carries the outcome of every call; errors need a listener so they are not thrown.
    call.on('error', () => undefined);
    call.on('status', (closed: StatusObject) => {
      if (call !== stream) return;
      stream = undefined;
      session = undefined;
      scheduleReconnect(closed);
    });
    send({ body: { $case: 'hello', value: helloOf(state.spec, token, softwareVersion) } });
  }

  const tick = () => {
    const at = now();
    const result = advance(state, ((at - lastTickAt) / 1000) * speedup);
    lastTickAt = at;
    state = result.state;
    if (session && (result.reportDue || at - lastReportAt >= session.stateIntervalMs)) sendState();
  };

  const ticker = setInterval(tick, options.tickMs);
  connect();

  return {
    id: state.spec.id,
    state: () => state,
    report: () => reportOf(state, new Date()),
    isConnected: () => session !== undefined,
    stop: async () => {
      stopped = true;
      clearInterval(ticker);
      clearTimeout(reconnectTimer);
      const call = stream;
      stream = undefined;
      session = undefined;
      if (!call) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => call.cancel(), CLOSE_GRACE_MS);
        call.once('status', () => {
          clearTimeout(force);
          resolve();
        });
        call.end();
      });
    },
  };
}
