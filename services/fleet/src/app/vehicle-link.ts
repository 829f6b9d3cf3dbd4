import type { Logger } from 'pino';
import { progressOf, vehicleStatusOf } from '../domain/order.js';
import type { Order, Profile, StateReport, Vehicle, VehicleKind } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import { releaseVehicle } from './jobs.js';
import type { Clock, CommandResult, DispatchQueue, FleetEvent, Ids, InstantActionType, JobStore, Outbox, VehicleCommands, VehicleStore } from './ports.js';

export type Command =
  | { commandId: string; kind: 'order'; order: Order }
  | { commandId: string; kind: 'instant'; actionType: InstantActionType; cancels?: { orderId: string | undefined; requeueJob: boolean } };

/** One open stream to a vehicle. */
export interface Channel {
  send(command: Command): void;
  close(reason: string): void;
}

export interface Hello {
  vehicleId: string;
  kind: VehicleKind;
  profile: Profile;
  capacity: number;
}

export interface Session {
  /** Call once the welcome is out: resends what the vehicle has not acked yet. */
  resume(): Promise<void>;
  onState(report: StateReport): Promise<void>;
  onAck(commandId: string, result: CommandResult): Promise<void>;
  /** The stream ended; the vehicle keeps its order until its lease runs out. */
  onClose(): Promise<void>;
}

interface Pending {
  command: Command;
  vehicleId: string;
  lastSentAt: number;
}

const STATE_EVENT_EVERY_MS = 5_000;

/**
 * The fleet side of VehicleLink: sessions, commands resent until acked,
 * state reports turned into job progress, leases.
 */
export function createVehicleLink(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  outbox: Outbox;
  clock: Clock;
  ids: Ids;
  log: Logger;
  leaseMs: number;
  resendMs: number;
}) {
  const { jobs, vehicles, queue, clock, ids, log } = deps;
  const channels = new Map<string, Channel>();
  const pending = new Map<string, Pending>();
  const lastStateEvent = new Map<string, number>();

  const transmit = (p: Pending) => {
    const channel = channels.get(p.vehicleId);
    if (!channel) return;
    p.lastSentAt = Date.now();
    channel.send(p.command);
  };

  const issue = (vehicleId: string, command: Command): string => {
    const p: Pending = { command, vehicleId, lastSentAt: 0 };
    pending.set(command.commandId, p);
    transmit(p);
    return command.commandId;
  };

  /** Apply a change to the stored vehicle with compare-and-set. */
  async function updateVehicle(id: string, change: (v: Vehicle) => { vehicle: Vehicle; events: FleetEvent[] } | undefined): Promise<Vehicle | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await vehicles.get(id);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      const saved = { ...next.vehicle, version: current.version + 1 };
      if (await vehicles.save(saved, current.version, next.events)) return saved;
    }
    throw new Error(`vehicle ${id} is changing too often`);
  }

  async function requeue(jobId: string, reason: string): Promise<void> {
    const change = await moveJob(deps, jobId, (j) => (['ASSIGNED', 'DISPATCHED'].includes(j.status) ? { to: 'QUEUED', patch: { reason } } : undefined));
    if (change) await queue.enqueue(change.job);
  }

  /** An operator cancelled the order on the vehicle itself: its job goes back to the queue. */
  async function orderCancelledOnVehicle(vehicleId: string, orderId: string): Promise<void> {
    const vehicle = await vehicles.get(vehicleId);
    if (!vehicle?.jobId || vehicle.orderId !== orderId) return;
    await releaseVehicle(deps, vehicleId, vehicle.jobId);
    await requeue(vehicle.jobId, `order cancelled on vehicle ${vehicleId}`);
  }

  async function onOrderAck(p: Pending & { command: { kind: 'order' } }, result: CommandResult): Promise<void> {
    const { order } = p.command;
    const accepted = result.accepted || result.errorType === 'SAME_ORDER_UPDATE_ID';
    const orderEvent: FleetEvent = { kind: 'order', type: accepted ? 'ACKED' : 'REJECTED', order, commandId: p.command.commandId, ack: result };
    if (accepted) {
      const eta = new Date(clock.now().getTime() + order.durationS * 1000);
      await moveJob(deps, order.jobId, (j) => (j.status === 'ASSIGNED' && j.orderId === order.orderId ? { to: 'DISPATCHED', patch: { eta } } : undefined), () => [orderEvent]);
      return;
    }
    log.warn({ vehicleId: p.vehicleId, orderId: order.orderId, errorType: result.errorType }, 'order rejected');
    await releaseVehicle(deps, p.vehicleId, order.jobId);
    const reason = `vehicle ${p.vehicleId} rejected the order: ${result.errorType} ${result.description}`.trim();
    const change = await moveJob(deps, order.jobId, (j) => (['ASSIGNED', 'DISPATCHED'].includes(j.status) ? { to: 'QUEUED', patch: { reason } } : undefined), () => [orderEvent]);
    if (change) await queue.enqueue(change.job);
  }

  async function applyProgress(vehicle: Vehicle, report: StateReport): Promise<void> {
    const jobId = vehicle.jobId;
    if (!jobId || report.orderId !== vehicle.orderId) return;
    const progress = progressOf(jobId, report);
    switch (progress.kind) {
      case 'none':
        return;
      case 'picked_up':
        await moveJob(deps, jobId, (j) => (j.status === 'DISPATCHED' ? { to: 'PICKED_UP' } : undefined));
        return;
      case 'delivered':
        await moveJob(deps, jobId, (j) => (j.status === 'DISPATCHED' ? { to: 'PICKED_UP' } : undefined));
        await moveJob(deps, jobId, (j) => (j.status === 'PICKED_UP' ? { to: 'DELIVERED', patch: { eta: report.at } } : undefined));
        await releaseVehicle(deps, vehicle.id, jobId);
        return;
      case 'failed':
        await moveJob(deps, jobId, (j) => (['ASSIGNED', 'DISPATCHED', 'PICKED_UP'].includes(j.status) ? { to: 'FAILED', patch: { reason: progress.reason } } : undefined));
        await releaseVehicle(deps, vehicle.id, jobId);
        return;
      default: {
        const never: never = progress;
        throw new Error(`unknown progress ${String(never)}`);
      }
    }
  }

  const staleCancels = new Set<string>();

  /**
   * A vehicle back after its lease ran out may still be driving an order whose
   * job went elsewhere: tell it to drop that order, once per order.
   */
  async function cancelStaleOrder(vehicle: Vehicle, report: StateReport): Promise<void> {
    const active = report.driving || report.actions.some((a) => a.status !== 'FINISHED' && a.status !== 'FAILED');
    if (!report.orderId || report.orderId === vehicle.orderId || !active || staleCancels.has(report.orderId)) return;
    staleCancels.add(report.orderId);
    log.warn({ vehicleId: vehicle.id, orderId: report.orderId }, 'vehicle drives an order fleet no longer holds; cancelling it');
    issue(vehicle.id, { commandId: ids.commandId(), kind: 'instant', actionType: 'CANCEL_ORDER', cancels: { orderId: report.orderId, requeueJob: false } });
  }

  /** After a (re)connect: resend what is unacked, or the stored order of a job still waiting for its ack. */
  async function resume(vehicle: Vehicle): Promise<void> {
    const mine = [...pending.values()].filter((p) => p.vehicleId === vehicle.id);
    for (const p of mine) transmit(p);
    if (mine.length > 0 || !vehicle.jobId || !vehicle.orderId) return;
    const job = await jobs.get(vehicle.jobId);
    const order = await vehicles.getOrder(vehicle.orderId);
    if (job?.status === 'ASSIGNED' && order) issue(vehicle.id, { commandId: ids.commandId(), kind: 'order', order });
  }

  const commands: VehicleCommands = {
    isConnected: (vehicleId) => channels.has(vehicleId),
    async sendOrder(order) {
      const commandId = ids.commandId();
      await deps.outbox.append([{ kind: 'order', type: 'SENT', order, commandId }]);
      return issue(order.vehicleId, { commandId, kind: 'order', order });
    },
    async sendInstantAction(vehicleId, actionType) {
      const cancels = actionType === 'CANCEL_ORDER' ? { orderId: (await vehicles.get(vehicleId))?.orderId, requeueJob: true } : undefined;
      return issue(vehicleId, { commandId: ids.commandId(), kind: 'instant', actionType, cancels });
    },
  };

  /** Create or refresh the vehicle record for a hello; retried when a closing stream writes concurrently. */
  async function register(hello: Hello): Promise<Vehicle> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = clock.now();
      const existing = await vehicles.get(hello.vehicleId);
      const base: Vehicle = existing ?? {
        id: hello.vehicleId,
        kind: hello.kind,
        profile: hello.profile,
        capacity: hello.capacity,
        batteryPct: 100,
        headingDeg: 0,
        status: 'IDLE',
        lastSeen: now,
        version: 0,
      };
      const connected: Vehicle = {
        ...base,
        kind: hello.kind,
        profile: hello.profile,
        capacity: hello.capacity,
        status: base.jobId ? 'EN_ROUTE' : base.status === 'OFFLINE' ? 'IDLE' : base.status,
        lastSeen: now,
        version: base.version + 1,
      };
      if (await vehicles.save(connected, base.version, [{ kind: 'vehicle', type: 'CONNECTED', vehicle: connected }])) return connected;
    }
    throw new Error(`vehicle ${hello.vehicleId} is changing too often to connect`);
  }

  async function connect(hello: Hello, channel: Channel): Promise<Session> {
    const previous = channels.get(hello.vehicleId);
    if (previous && previous !== channel) previous.close('replaced by a new connection');
    const connected = await register(hello);
    channels.set(hello.vehicleId, channel);
    log.info({ vehicleId: hello.vehicleId, resumedJob: connected.jobId }, 'vehicle connected');

    return {
      resume: () => resume(connected),
      async onState(report) {
        const vehicle = await updateVehicle(hello.vehicleId, (v) => {
          const status = vehicleStatusOf(report, Boolean(v.jobId));
          const updated: Vehicle = { ...v, position: report.position ?? v.position, headingDeg: report.headingDeg, batteryPct: report.batteryPct, status, lastSeen: report.at };
          const last = lastStateEvent.get(v.id) ?? 0;
          const due = status !== v.status || report.at.getTime() - last >= STATE_EVENT_EVERY_MS;
          if (due) lastStateEvent.set(v.id, report.at.getTime());
          return { vehicle: updated, events: due ? [{ kind: 'vehicle', type: 'STATE', vehicle: updated }] : [] };
        });
        if (!vehicle) return;
        await applyProgress(vehicle, report);
        await cancelStaleOrder(vehicle, report);
      },
      async onAck(commandId, result) {
        const p = pending.get(commandId);
        if (!p || p.vehicleId !== hello.vehicleId) return; // a late duplicate ack: harmless
        pending.delete(commandId);
        if (p.command.kind === 'order') await onOrderAck(p as Pending & { command: { kind: 'order' } }, result);
        else if (!result.accepted) log.warn({ vehicleId: p.vehicleId, action: p.command.actionType, result }, 'instant action rejected');
        else if (p.command.cancels?.requeueJob && p.command.cancels.orderId) await orderCancelledOnVehicle(p.vehicleId, p.command.cancels.orderId);
      },
      async onClose() {
        if (channels.get(hello.vehicleId) !== channel) return;
        channels.delete(hello.vehicleId);
        await updateVehicle(hello.vehicleId, (v) => ({ vehicle: v, events: [{ kind: 'vehicle', type: 'DISCONNECTED', vehicle: v }] }));
        log.info({ vehicleId: hello.vehicleId }, 'vehicle disconnected');
      },
    };
  }

  /** Resend unacked commands; take vehicles silent past their lease offline and give their jobs back. */
  async function tick(): Promise<void> {
    const nowMs = Date.now();
    for (const p of pending.values()) if (nowMs - p.lastSentAt >= deps.resendMs) transmit(p);
    const cutoff = clock.now().getTime() - deps.leaseMs;
    for (const v of await vehicles.list()) {
      if (v.status === 'OFFLINE' || v.lastSeen.getTime() >= cutoff) continue;
      channels.get(v.id)?.close('lease expired');
      channels.delete(v.id);
      const reason = `vehicle ${v.id} silent for more than ${deps.leaseMs} ms`;
      const offline = await updateVehicle(v.id, (cur) =>
        cur.status === 'OFFLINE' ? undefined : { vehicle: { ...cur, status: 'OFFLINE' }, events: [{ kind: 'vehicle', type: 'OFFLINE', vehicle: { ...cur, status: 'OFFLINE' }, reason }] },
      );
      for (const [id, p] of pending) if (p.vehicleId === v.id) pending.delete(id);
      if (!offline?.jobId) continue;
      const job = await jobs.get(offline.jobId);
      await releaseVehicle(deps, v.id, offline.jobId);
      if (job?.status === 'PICKED_UP') {
        await moveJob(deps, job.id, (j) => (j.status === 'PICKED_UP' ? { to: 'FAILED', patch: { reason: `${reason} with the goods on board` } } : undefined));
      } else if (job) {
        await requeue(job.id, reason);
      }
      log.warn({ vehicleId: v.id, jobId: offline.jobId }, 'vehicle offline; job handed back');
    }
  }

  return { commands, connect, tick, connectedCount: () => channels.size };
}

export type VehicleLink = ReturnType<typeof createVehicleLink>;
