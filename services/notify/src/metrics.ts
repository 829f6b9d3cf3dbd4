import type { Meter } from '@opentelemetry/api';

/** Every metric notify exports, named in one place (Prometheus adds _total to counters). */
export const METRIC_NAMES = {
  attempts: 'notify_webhook_attempts',
  attemptDuration: 'notify_webhook_attempt_duration_ms',
  failedDeliveries: 'notify_webhook_deliveries_failed',
  enqueuedDeliveries: 'notify_webhook_deliveries_enqueued',
  rejectedEvents: 'notify_job_events_rejected',
  events: 'notify_webhook_events',
  queueJobs: 'notify_webhook_queue_jobs',
} as const;

export interface NotifyMetrics {
  /** verdict: delivered | retry | rejected | dropped. */
  attempt(verdict: string, durationMs: number): void;
  /** A delivery that finally failed and sits in the queue's failed set. */
  deliveryFailed(eventType: string): void;
  deliveriesEnqueued(count: number): void;
  /** A lifecycle event or alert that produced new deliveries, by type. */
  eventEnqueued(type: string): void;
  eventRejected(topic: string): void;
}

export function createNotifyMetrics(meter: Meter): NotifyMetrics {
  const attempts = meter.createCounter(METRIC_NAMES.attempts, { description: 'Webhook POST attempts by verdict' });
  const duration = meter.createHistogram(METRIC_NAMES.attemptDuration, {
    description: 'Webhook POST duration',
    unit: 'ms',
  });
  const failed = meter.createCounter(METRIC_NAMES.failedDeliveries, {
    description: 'Deliveries that failed for good (rejected or out of attempts)',
  });
  const enqueued = meter.createCounter(METRIC_NAMES.enqueuedDeliveries, { description: 'Deliveries enqueued' });
  const rejected = meter.createCounter(METRIC_NAMES.rejectedEvents, {
    description: 'Input events (job, vehicle, order, incident) that could not be decoded and were skipped',
  });
  const events = meter.createCounter(METRIC_NAMES.events, {
    description: 'Events (lifecycle steps and alerts) that produced new deliveries, by type',
  });
  return {
    eventEnqueued: (type) => events.add(1, { type }),
    attempt(verdict, durationMs) {
      attempts.add(1, { verdict });
      if (verdict !== 'dropped') duration.record(durationMs, { verdict });
    },
    deliveryFailed: (eventType) => failed.add(1, { event_type: eventType }),
    deliveriesEnqueued: (count) => {
      if (count > 0) enqueued.add(count);
    },
    eventRejected: (topic) => rejected.add(1, { topic }),
  };
}
