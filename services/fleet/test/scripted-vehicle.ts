import * as grpc from '@grpc/grpc-js';
import {
  ActionStatus,
  VehicleLinkClient,
  type ControlMessage,
  type Hello,
  type Order,
  type VehicleMessage,
} from '@kera/proto/fleet/v1/vehicle_link';
import { VehicleKind, VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { Profile } from '@kera/proto/traffic/v1/events';
import { Inbox } from '@kera/testkit';
import { vehicleToken, withToken } from './auth.js';

/**
 * A vehicle whose every move the test scripts: it speaks the real protocol
 * over a real stream, but acks and reports only when told to.
 */
export class ScriptedVehicle {
  readonly received = new Inbox<ControlMessage>();
  readonly status = new Inbox<grpc.StatusObject>();
  private stream: grpc.ClientDuplexStream<VehicleMessage, ControlMessage> | undefined;
  private lastState: VehicleMessage | undefined;
  private repeating: NodeJS.Timeout | undefined;
  private readonly client: VehicleLinkClient;

  /** Presents a vehicle token for its own id (as `authorization` metadata) unless given another token source. */
  constructor(
    address: string,
    readonly id: string,
    /** Where the next reports say the vehicle is (`moveTo` changes it). */
    public position = { lat: 60.1841, lon: 24.8301 },
    token: () => Promise<string> = () => vehicleToken(id),
  ) {
    this.client = new VehicleLinkClient(address, grpc.credentials.createInsecure(), withToken(token));
  }

  connect(hello: Partial<Hello> = {}): this {
    const stream = this.client.connect();
    stream.on('data', (m: ControlMessage) => this.received.push(m));
    stream.on('status', (s: grpc.StatusObject) => this.status.push(s));
    stream.on('error', () => undefined); // surfaced through 'status'
    stream.write({
      body: { $case: 'hello', value: { vehicleId: this.id, token: '', kind: VehicleKind.ROBOT, profile: Profile.SIDEWALK, capacity: 2, softwareVersion: 'test', ...hello } },
    });
    this.stream = stream;
    return this;
  }

  send(message: VehicleMessage): void {
    this.stream?.write(message);
  }

  ack(commandId: string, accepted = true): void {
    this.send({ body: { $case: 'ack', value: { commandId, accepted, errorType: 0, description: '' } } });
  }

  /**
   * Repeat the last state every `ms`, as a vehicle does at least every state
   * interval (until drop or close). Start it once the state is current: a
   * repeated idle state after an order was acked reads as "lost its order".
   */
  keepReporting(ms: number): this {
    clearInterval(this.repeating);
    this.repeating = setInterval(() => this.lastState && this.send(this.lastState), ms).unref();
    return this;
  }

  report(order: Order | undefined, actions: Array<[string, ActionStatus]> = []): void {
    this.lastState = {
      body: {
        $case: 'state',
        value: {
          orderId: order?.orderId ?? '',
          orderUpdateId: order?.orderUpdateId ?? 0,
          lastNodeId: '',
          lastNodeSequenceId: 0,
          driving: actions.length > 0,
          paused: false,
          position: this.position,
          headingDeg: 0,
          batteryPct: 90,
          charging: false,
          nodeStates: [],
          edgeStates: [],
          actionStates: actions.map(([actionId, status]) => ({ actionId, actionType: actionId.split(':').pop() ?? '', status, resultDescription: '' })),
          errors: [],
          timestamp: new Date(),
          status: VehicleStatus.IDLE,
        },
      },
    };
    this.send(this.lastState);
  }

  async nextOrder(after = 0): Promise<ControlMessage & { body: { $case: 'order'; value: Order } }> {
    await this.received.waitUntil('an order', (items) => items.filter((m) => m.body?.$case === 'order').length > after);
    return this.received.items.filter((m) => m.body?.$case === 'order')[after] as never;
  }

  /** Drop the stream without a goodbye, as a vehicle losing its network would. */
  drop(): void {
    clearInterval(this.repeating);
    this.stream?.cancel();
    this.stream = undefined;
  }

  close(): void {
    clearInterval(this.repeating);
    this.stream?.end();
    this.client.close();
  }
}

export { ActionStatus };
