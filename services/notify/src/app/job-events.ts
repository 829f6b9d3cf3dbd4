import { alertEvent, carrierOf, decideEta, delayDeadline, delayedDetails, isActive, type EtaPolicy } from '../domain/alerts.js';
import { jobChangedEvent, type JobChanged, type JobSnapshot, type OutgoingEvent } from '../domain/webhook-event.js';
import { derivedEventId } from './event-ids.js';
import type { EventPublisher } from './publish-events.js';
import type { Clock, Deadlines, JobTracker, RouteWatch } from './ports.js';

/** The `job.delayed` alert of a job past its latest delivery; one per deadline. */
export function delayedEvent(job: JobSnapshot, now: Date): OutgoingEvent {
  const deadline = job.latestDelivery?.toISOString() ?? '';
  return alertEvent(derivedEventId('job.delayed', job.id, deadline), 'job.delayed', now, job, delayedDetails(job, now));
}

/**
 * Job lifecycle events: the lifecycle webhook itself, `job.eta_changed` when
 * the ETA moved past the threshold (rate-limited), `job.delayed` when a job is
 * already overdue; then the projection the other alerts read. Projection
 * writes come after enqueueing, so a failure retries the whole message.
 */
export function createJobEventHandler(deps: {
  publisher: EventPublisher;
  tracker: JobTracker;
  deadlines: Deadlines;
  routes: RouteWatch;
  clock: Clock;
  eta: EtaPolicy;
}) {
  const { tracker, deadlines, routes } = deps;
  return {
    async onJobChanged(change: JobChanged): Promise<{ planned: number; enqueued: number }> {
      const { job } = change;
      const previous = await tracker.get(job.id);
      // A late, older event still gets its lifecycle webhook but no longer drives alerts.
      if (previous && previous.job.version > job.version) return deps.publisher.publish([jobChangedEvent(change)]);

      const events = [jobChangedEvent(change)];
      const eta = decideEta(previous?.eta, job.eta, change.occurredAt, deps.eta);
      if (eta.change && isActive(job)) {
        const id = derivedEventId('job.eta_changed', change.eventId);
        // The cause when fleet announced this ETA (traffic or progress); null when it came with a lifecycle step.
        events.push(alertEvent(id, 'job.eta_changed', change.occurredAt, job, { ...eta.change, cause: change.etaCause ?? null }));
      }
      const deadline = delayDeadline(job);
      const now = deps.clock.now();
      if (deadline && deadline <= now) events.push(delayedEvent(job, now));
      const result = await deps.publisher.publish(events);

      const carrier = carrierOf(job);
      const previousCarrier = previous ? carrierOf(previous.job) : undefined;
      const released =
        previousCarrier && previousCarrier !== carrier ? { vehicleId: previousCarrier, at: change.occurredAt.toISOString() } : previous?.released;
      await tracker.put({ job, eta: eta.state, released }, carrier);
      if (deadline && deadline > now) await deadlines.set(job.id, deadline);
      else await deadlines.clear(job.id);
      if (!isActive(job)) await routes.removeRoute(job.id);
      return result;
    },
  };
}

export type JobEventHandler = ReturnType<typeof createJobEventHandler>;

/** Raises `job.delayed` for jobs whose latest delivery passed while they were still active. */
export function createDelayCheck(deps: { publisher: EventPublisher; tracker: JobTracker; deadlines: Deadlines; clock: Clock }) {
  return {
    async runOnce(): Promise<number> {
      const now = deps.clock.now();
      const due = await deps.deadlines.takeDue(now, 500);
      const events: OutgoingEvent[] = [];
      for (const jobId of due) {
        const tracked = await deps.tracker.get(jobId);
        const deadline = tracked ? delayDeadline(tracked.job) : undefined;
        if (tracked && deadline && deadline <= now) events.push(delayedEvent(tracked.job, now));
      }
      try {
        await deps.publisher.publish(events);
      } catch (err) {
        // Put them back so the next pass tries again.
        await Promise.all(events.map((e) => deps.deadlines.set(e.jobId, now)));
        throw err;
      }
      return events.length;
    },
  };
}
