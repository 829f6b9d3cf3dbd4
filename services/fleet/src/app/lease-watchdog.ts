import type { Logger } from 'pino';
import type { Vehicle } from '../domain/types.js';
import type { Clock, DispatchQueue, JobStore, LinkMetrics, ReplicaHeartbeats, VehicleStore } from './ports.js';
import { handBackJob, updateVehicle } from './vehicle-records.js';

/** Every this many sweeps, one over every vehicle instead of the last-seen index. */
const FULL_SWEEP_EVERY = 60;

/**
 * Takes vehicles OFFLINE whose lease ran out while the fleet was alive to
 * hear them, and hands their jobs back. The lease counts from the later of
 * the vehicle's last report and the moment the fleet came back from an
 * outage (`heartbeats.aliveSince`), so the fleet's own downtime never counts
 * against a vehicle. Runs once per cluster (under a ClusterSingletons lock).
 */
export function createLeaseWatchdog(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  heartbeats: ReplicaHeartbeats;
  clock: Clock;
  log: Logger;
  metrics: LinkMetrics;
  leaseMs: number;
  /** Forget the vehicle's pending commands (it will resync on reconnect). */
  dropCommands: (vehicleId: string) => Promise<unknown>;
}) {
  const { vehicles, clock, log, leaseMs } = deps;
  let sweeps = 0;

  const expired = (v: Vehicle, nowMs: number, aliveSinceMs: number): boolean =>
    v.status !== 'OFFLINE' && nowMs - Math.max(v.lastSeen.getTime(), aliveSinceMs) > leaseMs;

  async function takeOffline(v: Vehicle, aliveSinceMs: number): Promise<void> {
    const reason = `vehicle ${v.id} silent for more than ${leaseMs} ms`;
    let tookIt = false;
    const offline = await updateVehicle(vehicles, v.id, (cur) => {
      tookIt = expired(cur, clock.now().getTime(), aliveSinceMs); // it may have reported meanwhile
      return tookIt ? { vehicle: { ...cur, status: 'OFFLINE' }, events: [{ kind: 'vehicle', type: 'OFFLINE', vehicle: cur, reason }] } : undefined;
    });
    if (!tookIt || !offline) return;
    deps.metrics.leaseExpired();
    await deps.dropCommands(v.id);
    if (!offline.jobId) return;
    await handBackJob(deps, v.id, offline.jobId, reason);
    log.warn({ vehicleId: v.id, jobId: offline.jobId }, 'vehicle offline; job handed back');
  }

  return {
    async sweep(): Promise<void> {
      const nowMs = clock.now().getTime();
      const aliveSinceMs = (await deps.heartbeats.aliveSince())?.getTime() ?? nowMs;
      // Only vehicles silent for a lease can have run out of it. Now and then the whole fleet,
      // for a vehicle last written before the last-seen index existed.
      const full = sweeps++ % FULL_SWEEP_EVERY === 0;
      const candidates = full ? await vehicles.list() : await vehicles.seenBefore(new Date(nowMs - leaseMs));
      for (const v of candidates) {
        if (expired(v, nowMs, aliveSinceMs)) await takeOffline(v, aliveSinceMs);
      }
    },
  };
}

export type LeaseWatchdog = ReturnType<typeof createLeaseWatchdog>;
