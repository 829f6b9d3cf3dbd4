import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { describePrincipal, UnauthenticatedError, type Principal, type TokenVerifier } from '@kera/platform';
import {
  ActionStatus,
  ErrorLevel,
  type ControlMessage,
  type VehicleLinkServer,
  type VehicleMessage,
  type VehicleState,
} from '@kera/proto/fleet/v1/vehicle_link';
import type { Channel, Command, Hello, Session, VehicleLink } from '../../app/vehicle-link.js';
import type { StateReport } from '../../domain/types.js';
import { commandErrorName, instantActionToPb, kindFromPb, orderToPb, profileFromPb } from '../proto-mapping.js';

type Stream = grpc.ServerDuplexStream<VehicleMessage, ControlMessage>;

class StreamError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

function commandToPb(command: Command): ControlMessage {
  switch (command.kind) {
    case 'order':
      return { commandId: command.commandId, body: { $case: 'order', value: orderToPb(command.order) } };
    case 'instant':
      return {
        commandId: command.commandId,
        body: { $case: 'instantActions', value: { actions: [{ actionId: command.commandId, type: instantActionToPb(command.actionType) }] } },
      };
    default: {
      const never: never = command;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
}

function helloFromPb(msg: NonNullable<VehicleMessage['body']> & { $case: 'hello' }): Hello & { token: string } {
  const { vehicleId, kind, profile, capacity, token } = msg.value;
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(vehicleId)) problems.push('vehicle_id: 1-64 characters of [A-Za-z0-9._:-]');
  const k = kindFromPb(kind);
  const p = profileFromPb(profile);
  if (!k) problems.push('kind: ROBOT or SHUTTLE');
  if (!p) problems.push('profile: SIDEWALK or ROAD');
  if (problems.length > 0 || !k || !p) throw new StreamError(grpc.status.INVALID_ARGUMENT, `invalid hello: ${problems.join('; ')}`);
  return { vehicleId, kind: k, profile: p, capacity: capacity || 1, token };
}

/**
 * A vehicle proves its id with a vehicle token for exactly that id, sent as
 * `authorization` metadata or in Hello.token. Anyone else's token, or a
 * vehicle token for another id, cannot take over a vehicle's orders.
 */
async function authenticateVehicle(verifier: TokenVerifier, metadata: grpc.Metadata, hello: Hello & { token: string }): Promise<void> {
  const [header] = metadata.get('authorization');
  let principal: Principal;
  try {
    principal = await verifier.verifyAuthorization(typeof header === 'string' ? header : hello.token ? `Bearer ${hello.token}` : undefined);
  } catch (err) {
    if (err instanceof UnauthenticatedError) throw new StreamError(grpc.status.UNAUTHENTICATED, err.message);
    throw err;
  }
  if (principal.scope !== 'vehicle') {
    throw new StreamError(grpc.status.PERMISSION_DENIED, `VehicleLink needs a vehicle token; the caller is ${describePrincipal(principal)}`);
  }
  if (principal.vehicleId !== hello.vehicleId) {
    throw new StreamError(grpc.status.PERMISSION_DENIED, `the token is for vehicle ${principal.vehicleId}, not ${hello.vehicleId}`);
  }
}

function stateFromPb(state: VehicleState): StateReport {
  const fatal = state.errors.find((e) => e.level === ErrorLevel.FATAL);
  return {
    orderId: state.orderId,
    orderUpdateId: state.orderUpdateId,
    position: state.position,
    headingDeg: state.headingDeg,
    batteryPct: Math.max(0, Math.min(100, state.batteryPct)),
    driving: state.driving,
    paused: state.paused,
    charging: state.charging,
    actions: state.actionStates.map((a) => ({
      actionId: a.actionId,
      status: (ActionStatus[a.status] as StateReport['actions'][number]['status'] | undefined) ?? 'WAITING',
      description: a.resultDescription,
    })),
    fatalError: fatal ? `${fatal.errorType}: ${fatal.description}` : undefined,
    at: new Date(),
  };
}

/**
 * VehicleLink.Connect: one stream per vehicle. Messages of one stream are
 * handled strictly in order; protocol errors end the stream with a precise status.
 */
export function vehicleLinkService(deps: { link: VehicleLink; verifier: TokenVerifier; stateIntervalMs: number; leaseMs: number; newId: () => string; log: Logger }): VehicleLinkServer {
  const log = deps.log.child({ component: 'vehicle-link' });

  return {
    connect(call: Stream) {
      let session: Session | undefined;
      let ended = false;
      let chain = Promise.resolve();
      const channel: Channel = {
        send: (command) => {
          if (!ended) call.write(commandToPb(command));
        },
        close: (reason) => fail(new StreamError(grpc.status.ABORTED, reason)),
      };

      const fail = (err: unknown) => {
        if (ended) return;
        ended = true;
        const status = err instanceof StreamError ? { code: err.code, details: err.message } : { code: grpc.status.INTERNAL, details: 'internal error' };
        if (!(err instanceof StreamError)) log.error({ err }, 'vehicle stream failed');
        call.emit('error', status);
        void session?.onClose();
      };

      const handle = async (msg: VehicleMessage): Promise<void> => {
        const body = msg.body;
        if (!body) throw new StreamError(grpc.status.INVALID_ARGUMENT, 'empty VehicleMessage');
        if (body.$case === 'hello') {
          if (session) throw new StreamError(grpc.status.FAILED_PRECONDITION, 'hello already received on this stream');
          const hello = helloFromPb(body);
          await authenticateVehicle(deps.verifier, call.metadata, hello);
          session = await deps.link.connect(hello, channel);
          call.write({
            commandId: deps.newId(),
            body: { $case: 'welcome', value: { vehicleId: hello.vehicleId, sessionId: deps.newId(), stateIntervalMs: deps.stateIntervalMs, leaseMs: deps.leaseMs } },
          });
          await session.resume();
          return;
        }
        if (!session) throw new StreamError(grpc.status.FAILED_PRECONDITION, 'send hello first');
        switch (body.$case) {
          case 'state':
            return session.onState(stateFromPb(body.value));
          case 'ack':
            return session.onAck(body.value.commandId, {
              accepted: body.value.accepted,
              errorType: commandErrorName(body.value.errorType),
              description: body.value.description,
            });
          default: {
            const never: never = body;
            throw new StreamError(grpc.status.INVALID_ARGUMENT, `unknown message ${String(never)}`);
          }
        }
      };

      call.on('data', (msg: VehicleMessage) => {
        chain = chain.then(() => (ended ? undefined : handle(msg))).catch(fail);
      });
      const closed = () => {
        if (ended) return;
        ended = true;
        chain = chain.then(() => session?.onClose()).catch((err: unknown) => log.warn({ err }, 'close handling failed'));
      };
      call.on('end', () => {
        closed();
        call.end();
      });
      call.on('cancelled', closed);
      call.on('error', closed);
    },
  };
}
