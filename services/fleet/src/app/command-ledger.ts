import type { Logger } from 'pino';
import type { Clock, Command, CommandLedgerStore, LedgerEntry, LinkMetrics, SessionDirectory } from './ports.js';

/** One open stream to a vehicle, on this replica. */
export interface Channel {
  send(command: Command): void;
  close(reason: string): void;
}

/** The streams this replica holds, by vehicle id. */
export type LocalChannels = ReadonlyMap<string, Channel>;

/**
 * Durable commands: recorded in the shared ledger before the first send,
 * written to the vehicle's stream by whichever replica holds it, resent every
 * `resendMs` until acked or rejected, and given up after `maxSends` sends
 * (`onExhausted` decides what that means for the vehicle and its job).
 */
export function createCommandLedger(deps: {
  store: CommandLedgerStore;
  directory: SessionDirectory;
  channels: LocalChannels;
  clock: Clock;
  log: Logger;
  metrics: LinkMetrics;
  resendMs: number;
  maxSends: number;
  onExhausted: (entry: LedgerEntry) => Promise<void>;
}) {
  const { store, directory, channels, clock, log, metrics } = deps;
  /** When this replica last wrote each command to a stream (command id → ms). */
  const lastSent = new Map<string, number>();
  /** Per-vehicle chain so commands reach a stream in the order they were issued. */
  const lanes = new Map<string, Promise<void>>();

  const serially = (vehicleId: string, work: () => Promise<void>): Promise<void> => {
    const next = (lanes.get(vehicleId) ?? Promise.resolve()).then(work);
    const settled = next.catch(() => undefined);
    lanes.set(vehicleId, settled);
    void settled.then(() => lanes.get(vehicleId) === settled && lanes.delete(vehicleId));
    return next;
  };

  async function transmit(entry: LedgerEntry, channel: Channel): Promise<void> {
    const { command } = entry;
    const sends = await store.countSend(entry.vehicleId, command.commandId);
    if (sends < 0) return; // acked meanwhile
    if (sends > deps.maxSends) {
      lastSent.delete(command.commandId);
      if (!(await store.clear(entry.vehicleId, command.commandId))) return; // another replica gave up on it first
      log.warn({ vehicleId: entry.vehicleId, commandId: command.commandId, kind: command.kind, sends: sends - 1 }, 'command never acked; giving up');
      metrics.commandAbandoned(command.kind);
      await deps.onExhausted(entry);
      return;
    }
    lastSent.set(command.commandId, clock.now().getTime());
    channel.send(command);
    metrics.commandSent(command.kind, sends > 1);
  }

  /** Write pending commands to the vehicle's stream if this replica holds it; `due` picks which. */
  const deliver = (vehicleId: string, due: (commandId: string) => boolean): Promise<void> =>
    serially(vehicleId, async () => {
      if (!channels.has(vehicleId)) return;
      for (const entry of await store.pending(vehicleId)) {
        const channel = channels.get(vehicleId);
        if (!channel) return;
        if (due(entry.command.commandId)) await transmit(entry, channel);
      }
    });

  const unsent = (commandId: string) => !lastSent.has(commandId);
  const resendDue = (commandId: string) => clock.now().getTime() - (lastSent.get(commandId) ?? 0) >= deps.resendMs;

  return {
    /** Record, then send here or wake the replica that holds the vehicle. */
    async issue(vehicleId: string, command: Command): Promise<string> {
      await store.record({ vehicleId, command, issuedAt: clock.now(), sends: 0 });
      if (channels.has(vehicleId)) await deliver(vehicleId, unsent);
      else await directory.nudge(vehicleId);
      return command.commandId;
    },

    /** A (re)connected stream gets everything still pending, at once. */
    async resume(vehicleId: string): Promise<void> {
      for (const entry of await store.pending(vehicleId)) lastSent.delete(entry.command.commandId);
      await deliver(vehicleId, () => true);
    },

    /** Another replica recorded a command for a vehicle here. */
    nudged: (vehicleId: string): Promise<void> => deliver(vehicleId, unsent),

    /** Resend what is overdue to the vehicles this replica holds. */
    async resendOverdue(): Promise<void> {
      const mine = (await store.vehiclesWithPending()).filter((id) => channels.has(id));
      await Promise.all(mine.map((id) => deliver(id, resendDue)));
    },

    /** The vehicle acked or rejected: the entry, for the one replica that cleared it. */
    async settle(vehicleId: string, commandId: string): Promise<LedgerEntry | undefined> {
      lastSent.delete(commandId);
      return store.clear(vehicleId, commandId);
    },

    async pending(vehicleId: string): Promise<LedgerEntry[]> {
      return store.pending(vehicleId);
    },

    /** Forget a vehicle's commands (it went offline or gave up on them). */
    async drop(vehicleId: string): Promise<LedgerEntry[]> {
      const dropped = await store.clearAll(vehicleId);
      for (const e of dropped) lastSent.delete(e.command.commandId);
      return dropped;
    },
  };
}

export type CommandLedger = ReturnType<typeof createCommandLedger>;
