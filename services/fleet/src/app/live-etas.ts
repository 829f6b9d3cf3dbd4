import type { Logger } from 'pino';
import { isKeraError } from '@kera/platform';
import {
  baselineRecord,
  ETA_TRACKED,
  etaAfter,
  mergeChanges,
  progressDue,
  remainingRoute,
  reviseEta,
  routeAffected,
  routeMayBeAffected,
  type ChangedEdges,
  type EtaCause,
  type EtaPolicy,
  type EtaRecord,
} from '../domain/eta.js';
import type { Job } from '../domain/types.js';
import type { EtaHistoryStore, EtaMetrics, TrafficChangeInbox } from './eta-ports.js';
import type { Clock, FleetEvent, JobStore, RoutePlanner, VehicleStore } from './ports.js';

export interface LiveEtaSettings extends EtaPolicy {
  /** A job's ETA is recomputed from its vehicle's reports at most this often. */
  progressIntervalMs: number;
  /** Active jobs a traffic sweep looks at, per status. */
  scanLimit: number;
  /** Routes planned at once by one sweep. */
  concurrency: number;
}

export type RecomputeOutcome = 'changed' | 'unchanged' | 'skipped';

/** Compare-and-set attempts of one recomputation before leaving it to the next trigger. */
const ATTEMPTS = 3;
const SWEEP_BATCH = 500;

/**
 * Live ETAs: a job's ETA is recomputed with PlanRoute from where its vehicle
 * is, after a traffic change on its route (`sweepTrafficChanges`, cluster-wide
 * under a lock) and as its vehicle reports progress (`vehicleReported`, rate
 * bounded per vehicle, which carries one job at a time). A move past the
 * threshold is stored with an ETA_CHANGED job event and a history record in
 * one compare-and-set; anything smaller changes nothing. Recomputing twice
 * for the same reason is harmless: the second finds the ETA already moved.
 */
export function createLiveEtas(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  routes: RoutePlanner;
  etas: EtaHistoryStore;
  inbox: TrafficChangeInbox;
  clock: Clock;
  log: Logger;
  settings: LiveEtaSettings;
  metrics?: EtaMetrics;
}) {
  const { jobs, vehicles, etas, clock, settings } = deps;
  const log = deps.log.child({ component: 'live-etas' });
  /** When this replica last recomputed from each vehicle's reports (ms), and which vehicles it is doing now. */
  const lastProgress = new Map<string, number>();
  const inFlight = new Set<string>();

  async function estimate(job: Job, cause: EtaCause): Promise<{ eta: Date; cause: EtaCause; trafficVersion: number } | undefined> {
    const vehicle = job.vehicleId ? await vehicles.get(job.vehicleId) : undefined;
    if (!vehicle?.position || vehicle.jobId !== job.id) return undefined;
    try {
      const plan = await deps.routes.planRoute(vehicle.profile, remainingRoute(job, vehicle.position));
      return { eta: etaAfter(clock.now(), plan.durationS), cause, trafficVersion: plan.trafficVersion };
    } catch (err) {
      // Unroutable from where the vehicle is (off the network, a closure): keep the ETA it has.
      if (!isKeraError(err) || (err.code !== 'INVALID_ARGUMENT' && err.code !== 'NOT_FOUND')) throw err;
      log.debug({ jobId: job.id, err }, 'ETA not recomputed: route from the vehicle not found');
      return undefined;
    }
  }

  /** Plan the rest of the job from its vehicle's position; store and announce the ETA if it moved past the threshold. */
  async function recompute(jobId: string, cause: EtaCause): Promise<RecomputeOutcome> {
    const outcome = await recomputeOnce(jobId, cause);
    deps.metrics?.recomputed(cause, outcome);
    return outcome;
  }

  async function recomputeOnce(jobId: string, cause: EtaCause): Promise<RecomputeOutcome> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const job = await jobs.get(jobId);
      if (!job || !ETA_TRACKED.includes(job.status) || !job.eta) return 'skipped';
      const estimated = await estimate(job, cause);
      if (!estimated) return 'skipped';
      const decision = reviseEta(job, estimated, clock.now(), settings);
      if (!decision.changed) return 'unchanged';
      const history = await etas.history(jobId);
      const baseline = history.length === 0 ? baselineRecord(job) : undefined;
      const records: EtaRecord[] = baseline ? [baseline, decision.record] : [decision.record];
      const event: FleetEvent = { kind: 'job', change: decision.change, etaChanged: { previousEta: decision.previousEta, cause, trafficVersion: estimated.trafficVersion } };
      if (await etas.revise(decision.change, [event], records)) {
        log.info({ jobId, cause, shiftS: decision.shiftS, trafficVersion: estimated.trafficVersion }, 'ETA changed');
        return 'changed';
      }
    }
    log.debug({ jobId, cause }, 'ETA not stored: the job kept changing; the next trigger recomputes it');
    return 'skipped';
  }

  /** Active jobs whose order drives over a changed edge on their vehicle's profile. */
  async function affectedJobs(changed: ChangedEdges): Promise<Job[]> {
    const active = (await Promise.all(ETA_TRACKED.map((s) => jobs.inStatus(s, settings.scanLimit)))).flat();
    const affected: Job[] = [];
    for (const job of active) {
      if (!job.eta || !job.orderId || !job.vehicleId) continue;
      const order = await vehicles.getOrder(job.orderId);
      if (!order || !routeMayBeAffected(changed, order.graphEdgeIds)) continue;
      const vehicle = await vehicles.get(job.vehicleId);
      if (vehicle && routeAffected(changed, vehicle.profile, order.graphEdgeIds)) affected.push(job);
    }
    return affected;
  }

  async function eachLimited<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await work(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, items.length) }, worker));
  }

  return {
    recompute,

    /**
     * Cluster-wide (under a lock): the traffic changes recorded since the last
     * sweep, merged, against every active job's route. Changes are marked done
     * only after their jobs were recomputed.
     */
    async sweepTrafficChanges(): Promise<{ changes: number; affected: number; changed: number }> {
      const pending = await deps.inbox.pending(SWEEP_BATCH);
      if (pending.length === 0) return { changes: 0, affected: 0, changed: 0 };
      const changedEdges = mergeChanges(pending);
      const affected = await affectedJobs(changedEdges);
      let changed = 0;
      await eachLimited(affected, async (job) => {
        try {
          if ((await recompute(job.id, 'traffic')) === 'changed') changed++;
        } catch (err) {
          log.warn({ err, jobId: job.id }, 'ETA recomputation after a traffic change failed');
        }
      });
      await deps.inbox.done(pending.map((c) => c.key));
      deps.metrics?.trafficChangesSwept(pending.length);
      return { changes: pending.length, affected: affected.length, changed };
    },

    /**
     * A vehicle reported state: recompute its job's ETA unless this vehicle's
     * was recomputed less than the progress interval ago (or still is).
     * Called without awaiting by the link, so it must not throw.
     */
    async vehicleReported(vehicleId: string): Promise<void> {
      const nowMs = clock.now().getTime();
      if (inFlight.has(vehicleId) || !progressDue(lastProgress.get(vehicleId), nowMs, settings.progressIntervalMs)) return;
      lastProgress.set(vehicleId, nowMs);
      inFlight.add(vehicleId);
      try {
        const jobId = (await vehicles.get(vehicleId))?.jobId;
        if (jobId) await recompute(jobId, 'progress');
      } catch (err) {
        log.warn({ err, vehicleId }, 'ETA recomputation from vehicle progress failed');
      } finally {
        inFlight.delete(vehicleId);
      }
    },

    history: (jobId: string) => etas.history(jobId),
  };
}

export type LiveEtas = ReturnType<typeof createLiveEtas>;
