import type { Meter, ObservableResult } from '@opentelemetry/api';
import type { RepairKind } from '../../app/reconciler.js';
import type { JobChange } from '../../domain/job.js';
import type { JobStatus } from '../../domain/types.js';

/**
 * Fleet's dispatch and operations metrics, named in one place (Prometheus names in
 * comments; the alert rules in deploy/ use those). The vehicle link's metrics
 * live in their own module.
 */
export const METRIC_NAMES = {
  /** fleet_job_submit_to_ack_seconds{_bucket,_sum,_count}: job created → order acked by its vehicle */
  submitToAck: 'fleet.job.submit_to_ack_seconds',
  /** fleet_jobs{status}: jobs per status, from the status indexes */
  jobs: 'fleet.jobs',
  /** fleet_dispatch_queue_entries{state}: dispatch entries waiting, prioritized, delayed, active */
  dispatchQueue: 'fleet.dispatch.queue_entries',
  /** fleet_reconciler_repairs_total{kind} */
  repairs: 'fleet.reconciler.repairs',
  /** fleet_outbox_parked_total: outbox entries Kafka refused for good, parked */
  outboxParked: 'fleet.outbox.parked',
  /** fleet_outbox_entries{list}: entries waiting to be relayed (pending) and parked */
  outboxEntries: 'fleet.outbox.entries',
} as const;

const REPAIR_KINDS: RepairKind[] = ['dispatchEntries', 'assignedWithoutOrder', 'vehiclesReleased', 'outboxParked'];
/** Seconds: a dispatch well inside 100 ms up to a job that waited many minutes for a vehicle. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export interface DispatchMetricSources {
  jobCounts(): Promise<Map<JobStatus, number>>;
  queueCounts(): Promise<Record<string, number>>;
  outboxCounts(): Promise<{ pending: number; parked: number }>;
}

/** Counters and the latency histogram now; the gauges once their sources exist (`observe`). */
export function createDispatchMetrics(meter: Meter) {
  const latency = meter.createHistogram(METRIC_NAMES.submitToAck, {
    description: 'From job created to its order acked by the vehicle (a requeued job counts from its creation)',
    unit: 's',
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
  });
  const repairs = meter.createCounter(METRIC_NAMES.repairs, { description: 'Stuck states the reconciler repaired, by kind' });
  const parked = meter.createCounter(METRIC_NAMES.outboxParked, { description: 'Outbox entries parked because Kafka will never take them' });
  // Start every series at zero so rate() and increase() see the first repair.
  for (const kind of REPAIR_KINDS) repairs.add(0, { kind });
  parked.add(0);
  const stops: Array<() => void> = [];

  const gauge = (name: string, description: string, read: (result: ObservableResult) => Promise<void>) => {
    const instrument = meter.createObservableGauge(name, { description });
    instrument.addCallback(read);
    stops.push(() => instrument.removeCallback(read));
  };

  return {
    /** After every job write: ASSIGNED → DISPATCHED is the order acked. */
    jobSaved(change: JobChange): void {
      const { job, previousStatus } = change;
      if (job.status !== 'DISPATCHED' || previousStatus !== 'ASSIGNED') return;
      latency.record((job.updatedAt.getTime() - job.createdAt.getTime()) / 1000);
    },
    repaired: (kind: RepairKind, count: number) => repairs.add(count, { kind }),
    parked: (count: number) => parked.add(count),
    observe(sources: DispatchMetricSources): void {
      gauge(METRIC_NAMES.jobs, 'Jobs per status', async (r) => {
        for (const [status, count] of await sources.jobCounts()) r.observe(count, { status });
      });
      gauge(METRIC_NAMES.dispatchQueue, 'Dispatch queue entries per state (the shared queue: max over replicas, not sum)', async (r) => {
        for (const [state, count] of Object.entries(await sources.queueCounts())) r.observe(count, { state });
      });
      gauge(METRIC_NAMES.outboxEntries, 'Outbox entries not yet relayed (pending) and parked', async (r) => {
        const counts = await sources.outboxCounts();
        r.observe(counts.pending, { list: 'pending' });
        r.observe(counts.parked, { list: 'parked' });
      });
    },
    stop: () => stops.splice(0).forEach((stop) => stop()),
  };
}

export type DispatchMetrics = ReturnType<typeof createDispatchMetrics>;
