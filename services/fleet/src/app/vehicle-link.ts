import type { Logger } from 'pino';
import { inSpan } from '@kera/platform';
import type { Profile, StateReport, Vehicle, VehicleKind } from '../domain/types.js';
import { createCommandLedger, type Channel, type CommandLedger } from './command-ledger.js';
import { createCommandOutcomes } from './command-outcomes.js';
import { createLeaseWatchdog } from './lease-watchdog.js';
import type {
  Clock,
  CommandLedgerStore,
  CommandResult,
  DispatchQueue,
  Ids,
  JobStore,
  LinkMetrics,
  Outbox,
  ReplicaHeartbeats,
  RoutePlanner,
  SessionDirectory,
  VehicleCommands,
  VehicleStore,
} from './ports.js';
import { createVehicleProgress } from './vehicle-progress.js';
import { updateVehicle } from './vehicle-records.js';

export type { Channel } from './command-ledger.js';
export type { Command } from './ports.js';

export interface Hello {
  vehicleId: string;
  kind: VehicleKind;
  profile: Profile;
  capacity: number;
}

export interface Session {
  /** Call once the welcome is out: sends what the vehicle has not acked yet. */
  resume(): Promise<void>;
  /** `report.at` is ignored: the link stamps reports with its own clock. */
  onState(report: StateReport): Promise<void>;
  onAck(commandId: string, result: CommandResult): Promise<void>;
  /** The stream ended; the vehicle keeps its order until its lease runs out. */
  onClose(): Promise<void>;
}

/**
 * The fleet side of VehicleLink on one replica: the streams it holds, wired to
 * the shared command ledger, the progress handler and the lease watchdog.
 * `tick` is this replica's own housekeeping; `sweepLeases` is cluster-wide
 * work to run under a ClusterSingletons lock.
 */
export function createVehicleLink(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  outbox: Outbox;
  routes: RoutePlanner;
  ledgerStore: CommandLedgerStore;
  directory: SessionDirectory;
  heartbeats: ReplicaHeartbeats;
  metrics: LinkMetrics;
  clock: Clock;
  ids: Ids;
  log: Logger;
  leaseMs: number;
  resendMs: number;
  maxSends: number;
  positionEventMs: number;
}) {
  const { vehicles, directory, clock, ids, log } = deps;
  const channels = new Map<string, Channel>();
  /** When this replica last heard from each vehicle it holds (ms). */
  const lastHeard = new Map<string, number>();
  let clusterConnected = new Set<string>();

  const outcomes = createCommandOutcomes({ ...deps, ledger: () => ledger, channels });
  const ledger: CommandLedger = createCommandLedger({ store: deps.ledgerStore, directory, channels, clock, log, metrics: deps.metrics, resendMs: deps.resendMs, maxSends: deps.maxSends, onExhausted: outcomes.exhausted });
  const progress = createVehicleProgress({ ...deps, ledger: () => ledger });
  const watchdog = createLeaseWatchdog({ ...deps, dropCommands: (id) => ledger.drop(id) });

  const commands: VehicleCommands = {
    isConnected: (vehicleId) => channels.has(vehicleId) || clusterConnected.has(vehicleId),
    sendOrder: (order) =>
      inSpan('send order', { attributes: { 'kera.vehicle.id': order.vehicleId, 'kera.order.id': order.orderId, 'kera.job.id': order.jobId } }, async () => {
        const commandId = ids.commandId();
        await deps.outbox.append([{ kind: 'order', type: 'SENT', order, commandId }]);
        return ledger.issue(order.vehicleId, { commandId, kind: 'order', order });
      }),
    async sendInstantAction(vehicleId, actionType) {
      const cancels = actionType === 'CANCEL_ORDER' ? { orderId: (await vehicles.get(vehicleId))?.orderId, requeueJob: true } : undefined;
      return ledger.issue(vehicleId, { commandId: ids.commandId(), kind: 'instant', actionType, cancels });
    },
  };

  /** Create or refresh the vehicle record for a hello; retried when a closing stream writes concurrently. */
  async function register(hello: Hello): Promise<Vehicle> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = clock.now();
      const existing = await vehicles.get(hello.vehicleId);
      const base: Vehicle = existing ?? { id: hello.vehicleId, kind: hello.kind, profile: hello.profile, capacity: hello.capacity, batteryPct: 100, headingDeg: 0, status: 'IDLE', lastSeen: now, version: 0 };
      const status = base.jobId ? 'EN_ROUTE' : base.status === 'OFFLINE' ? 'IDLE' : base.status;
      const connected: Vehicle = { ...base, kind: hello.kind, profile: hello.profile, capacity: hello.capacity, status, lastSeen: now, version: base.version + 1 };
      if (await vehicles.save(connected, base.version, [{ kind: 'vehicle', type: 'CONNECTED', vehicle: connected }])) return connected;
    }
    throw new Error(`vehicle ${hello.vehicleId} is changing too often to connect`);
  }

  async function connect(hello: Hello, channel: Channel): Promise<Session> {
    const id = hello.vehicleId;
    const previous = channels.get(id);
    if (previous && previous !== channel) previous.close('replaced by a new connection');
    const connected = await register(hello);
    const sessionId = ids.commandId();
    channels.set(id, channel);
    clusterConnected.add(id);
    lastHeard.set(id, clock.now().getTime());
    progress.forget(id);
    await directory.claim(id, sessionId);
    log.info({ vehicleId: id, resumedJob: connected.jobId }, 'vehicle connected');

    return {
      resume: () => ledger.resume(id),
      async onState(report) {
        lastHeard.set(id, clock.now().getTime());
        await progress.onState(id, { ...report, at: clock.now() });
        deps.metrics.stateHandled();
      },
      onAck: (commandId, result) => outcomes.answered(id, commandId, result),
      async onClose() {
        if (channels.get(id) !== channel) return;
        channels.delete(id);
        clusterConnected.delete(id); // until the next refresh says it is on another replica
        lastHeard.delete(id);
        progress.forget(id);
        await directory.release(id, sessionId);
        await updateVehicle(vehicles, id, (v) => ({ vehicle: v, events: [{ kind: 'vehicle', type: 'DISCONNECTED', vehicle: v }] }));
        log.info({ vehicleId: id }, 'vehicle disconnected');
      },
    };
  }

  /** This replica's housekeeping: resend overdue commands, end silent streams, refresh who is connected where. */
  async function tick(): Promise<void> {
    await ledger.resendOverdue();
    const nowMs = clock.now().getTime();
    for (const [id, channel] of channels) {
      if (nowMs - (lastHeard.get(id) ?? nowMs) > deps.leaseMs) channel.close('lease expired');
    }
    clusterConnected = await directory.connected();
  }

  return {
    commands,
    connect,
    tick,
    /** A vehicle connected to or left some replica (the periodic refresh in `tick` corrects missed ones). */
    sessionChanged(vehicleId: string, connected: boolean) {
      if (connected) clusterConnected.add(vehicleId);
      else if (!channels.has(vehicleId)) clusterConnected.delete(vehicleId);
    },
    /** Another replica recorded commands for a vehicle this replica may hold. */
    nudged: (vehicleId: string) => ledger.nudged(vehicleId),
    /** Cluster-wide: run under a lock, on one replica at a time. */
    sweepLeases: () => watchdog.sweep(),
    connectedCount: () => channels.size,
  };
}

export type VehicleLink = ReturnType<typeof createVehicleLink>;
