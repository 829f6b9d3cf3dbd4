import { alertEvent, isActive } from '../domain/alerts.js';
import { closureZone } from '../domain/closure-zone.js';
import type { GeoPoint, JobSnapshot, OutgoingEvent } from '../domain/webhook-event.js';
import { derivedEventId } from './event-ids.js';
import type { EventPublisher } from './publish-events.js';
import type { ActiveIncident, Clock, JobTracker, RouteWatch } from './ports.js';

/** One order sent to a vehicle, reduced to what the incident check needs. */
export interface OrderRoute {
  jobId: string;
  route: GeoPoint[];
}

/** One incident from traffic.incidents.v1; `closure` is false for other kinds. */
export interface IncidentReport {
  incident: ActiveIncident;
  closure: boolean;
  active: boolean;
  validUntil: Date | undefined;
}

function incidentEvent(incident: ActiveIncident, job: JobSnapshot, at: Date): OutgoingEvent {
  const { id, ...details } = incident;
  return alertEvent(derivedEventId('incident.on_route', id, job.id), 'incident.on_route', at, job, { incident: { id, ...details } });
}

/**
 * `incident.on_route`: a closure near the route of an active order. Checked
 * both ways: a new closure against every active route, and a new or updated
 * route against every active closure. One webhook per incident and job.
 */
export function createRouteWatchHandler(deps: {
  publisher: EventPublisher;
  tracker: JobTracker;
  routes: RouteWatch;
  clock: Clock;
  incidentDistanceM: number;
}) {
  const { routes, tracker } = deps;
  const activeJob = async (jobId: string) => {
    const tracked = await tracker.get(jobId);
    return tracked && isActive(tracked.job) ? tracked.job : undefined;
  };

  return {
    async onOrder(order: OrderRoute): Promise<{ planned: number; enqueued: number }> {
      await routes.setRoute(order.jobId, order.route);
      const job = await activeJob(order.jobId);
      if (!job) return { planned: 0, enqueued: 0 };
      const now = deps.clock.now();
      const events = (await routes.incidents())
        .filter((incident) => closureZone(incident.geometry, deps.incidentDistanceM).touches(order.route))
        .map((incident) => incidentEvent(incident, job, now));
      return deps.publisher.publish(events);
    },

    async onIncident(report: IncidentReport): Promise<{ planned: number; enqueued: number }> {
      const now = deps.clock.now();
      const over = report.validUntil !== undefined && report.validUntil <= now;
      if (!report.closure || !report.active || over) {
        await routes.removeIncident(report.incident.id);
        return { planned: 0, enqueued: 0 };
      }
      await routes.putIncident(report.incident);
      const zone = closureZone(report.incident.geometry, deps.incidentDistanceM);
      const events: OutgoingEvent[] = [];
      for await (const { jobId, route } of routes.routes()) {
        if (!zone.touches(route)) continue;
        const job = await activeJob(jobId);
        if (job) events.push(incidentEvent(report.incident, job, now));
      }
      return deps.publisher.publish(events);
    },
  };
}

export type RouteWatchHandler = ReturnType<typeof createRouteWatchHandler>;
