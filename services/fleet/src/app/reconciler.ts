import type { Logger } from 'pino';
import { isTerminal } from '../domain/types.js';
import { moveJob } from './job-lifecycle.js';
import { releaseVehicle } from './jobs.js';
import type { Clock, DispatchQueue, JobStore, VehicleStore } from './ports.js';

/** What one reconciler pass repaired, by kind. */
export interface Repairs {
  /** QUEUED (or stranded CREATED) jobs that had no dispatch entry (a Redis blip or crash before enqueue). */
  dispatchEntries: number;
  /** ASSIGNED jobs still without an order past the timeout (a crash before the order was saved), requeued. */
  assignedWithoutOrder: number;
  /** Vehicles still reserved by a finished or vanished job, freed. */
  vehiclesReleased: number;
  /** Outbox entries that can never be sent, parked so the relay moves on. */
  outboxParked: number;
}

export type RepairKind = keyof Repairs;

/** The outbox as the reconciler repairs it: move entries that can never be sent aside. */
export interface OutboxRepair {
  parkUnsendable(): Promise<number>;
}

export interface ReconcilerSettings {
  /** An ASSIGNED job with no stored order for this long is stuck. */
  assignTimeoutMs: number;
  /** Leave jobs changed this recently alone: the writer may still be between two steps. */
  graceMs: number;
  /** Jobs looked at per status and pass. */
  batch: number;
}

/**
 * Finds states no normal path leaves and repairs them, idempotently: running
 * it twice, or on two replicas at once, repairs each thing once.
 */
export function createReconciler(deps: {
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  outbox: OutboxRepair;
  clock: Clock;
  settings: ReconcilerSettings;
  log: Logger;
  repaired?: (kind: RepairKind, count: number) => void;
}) {
  const { jobs, vehicles, queue, clock, settings } = deps;
  const log = deps.log.child({ component: 'reconciler' });
  const settled = (updatedAt: Date, ageMs: number) => clock.now().getTime() - updatedAt.getTime() >= ageMs;

  /** A crash between creating a job and queueing it leaves it CREATED: queue it now. */
  async function queueCreated(): Promise<Set<string>> {
    const queued = new Set<string>();
    for (const job of await jobs.inStatus('CREATED', settings.batch)) {
      if (!settled(job.updatedAt, settings.graceMs)) continue;
      if (await moveJob(deps, job.id, (j) => (j.status === 'CREATED' ? { to: 'QUEUED' } : undefined))) queued.add(job.id);
    }
    return queued;
  }

  async function dispatchEntries(): Promise<number> {
    let repaired = 0;
    const justQueued = await queueCreated();
    for (const job of await jobs.inStatus('QUEUED', settings.batch)) {
      if (!settled(job.updatedAt, settings.graceMs) && !justQueued.has(job.id)) continue;
      if (await queue.ensureEntry(job)) {
        repaired++;
        log.warn({ jobId: job.id }, 'queued job had no dispatch entry; enqueued it again');
      }
    }
    return repaired;
  }

  async function assignedWithoutOrder(): Promise<number> {
    let repaired = 0;
    for (const job of await jobs.inStatus('ASSIGNED', settings.batch)) {
      if (!settled(job.updatedAt, settings.assignTimeoutMs) || (job.orderId && (await vehicles.getOrder(job.orderId)))) continue;
      const reason = `no order was stored for vehicle ${job.vehicleId ?? '?'} within ${settings.assignTimeoutMs} ms`;
      const change = await moveJob(deps, job.id, (j) => (j.status === 'ASSIGNED' && j.version === job.version ? { to: 'QUEUED', patch: { reason } } : undefined));
      if (!change) continue;
      if (job.vehicleId) await releaseVehicle(deps, job.vehicleId, job.id);
      await queue.enqueue(change.job);
      repaired++;
      log.warn({ jobId: job.id, vehicleId: job.vehicleId }, 'assigned job had no order; requeued it');
    }
    return repaired;
  }

  async function vehiclesReleased(): Promise<number> {
    let repaired = 0;
    const busy = (await vehicles.list()).filter((v) => v.jobId);
    const jobsOf = await Promise.all(busy.map((v) => jobs.get(v.jobId!)));
    for (const [i, vehicle] of busy.entries()) {
      const job = jobsOf[i];
      // A job between reservation and ASSIGNED is still QUEUED: only a vanished, or (for a while)
      // finished or reassigned job frees the vehicle; one that just finished, its vehicle frees itself.
      const reassigned = job && job.status !== 'QUEUED' && job.vehicleId !== vehicle.id && settled(job.updatedAt, settings.graceMs);
      const finished = job && isTerminal(job.status) && settled(job.updatedAt, settings.graceMs);
      if (job && !finished && !reassigned) continue;
      // Freed meanwhile by its own progress: nothing was stuck.
      if (!(await releaseVehicle(deps, vehicle.id, vehicle.jobId!))) continue;
      repaired++;
      log.warn({ vehicleId: vehicle.id, jobId: vehicle.jobId, jobStatus: job?.status ?? 'gone' }, 'vehicle was reserved by a finished job; released it');
    }
    return repaired;
  }

  /** One pass over every kind; a kind that fails is logged and the others still run. */
  async function runOnce(): Promise<Repairs> {
    const passes: Array<[RepairKind, () => Promise<number>]> = [
      ['outboxParked', () => deps.outbox.parkUnsendable()],
      ['dispatchEntries', dispatchEntries],
      ['assignedWithoutOrder', assignedWithoutOrder],
      ['vehiclesReleased', vehiclesReleased],
    ];
    const repairs: Repairs = { dispatchEntries: 0, assignedWithoutOrder: 0, vehiclesReleased: 0, outboxParked: 0 };
    for (const [kind, pass] of passes) {
      try {
        repairs[kind] = await pass();
        if (repairs[kind] > 0) deps.repaired?.(kind, repairs[kind]);
      } catch (err) {
        log.warn({ err, kind }, 'reconciler pass failed; the next run tries again');
      }
    }
    return repairs;
  }

  return { runOnce };
}

export type Reconciler = ReturnType<typeof createReconciler>;
