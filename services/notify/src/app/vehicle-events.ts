import { alertEvent, concernsVehicle, distanceM, nextStop, vehicleAlert, type VehicleStatusName } from '../domain/alerts.js';
import type { GeoPoint, OutgoingEvent } from '../domain/webhook-event.js';
import { derivedEventId } from './event-ids.js';
import type { EventPublisher } from './publish-events.js';
import type { JobTracker, Latches, TrackedJob, VehicleStatuses } from './ports.js';

/** One vehicle event from fleet, free of protobuf types. */
export interface VehicleReport {
  eventId: string;
  occurredAt: Date;
  vehicleId: string;
  status: VehicleStatusName;
  position: GeoPoint | undefined;
  batteryPct: number;
  reason: string | undefined;
}

const ARRIVING_LATCH_TTL_S = 2 * 24 * 3600;

/**
 * Vehicle events become alerts for the operators whose active jobs the
 * vehicle carries: `vehicle.offline` / `vehicle.error` on the transition into
 * that status, and `job.arriving` once per job and stop when the vehicle comes
 * within the arrival distance of the pickup (before it) or the drop-off.
 */
export function createVehicleEventHandler(deps: {
  publisher: EventPublisher;
  tracker: JobTracker;
  statuses: VehicleStatuses;
  latches: Latches;
  arrivingDistanceM: number;
}) {
  const vehicleView = (report: VehicleReport) => ({
    id: report.vehicleId,
    status: report.status,
    position: report.position ?? null,
    batteryPct: report.batteryPct,
  });

  const arrivals = async (report: VehicleReport, jobs: readonly TrackedJob[]) => {
    const found: { event: OutgoingEvent; latch: string }[] = [];
    if (!report.position) return found;
    for (const { job } of jobs) {
      const next = job.vehicleId === report.vehicleId ? nextStop(job) : undefined;
      if (!next) continue;
      const distance = distanceM(report.position, next.point);
      if (distance > deps.arrivingDistanceM) continue;
      const latch = `arriving:${job.id}:${next.stop}:${report.vehicleId}`;
      if (await deps.latches.isSet(latch)) continue;
      const id = derivedEventId('job.arriving', job.id, next.stop, report.vehicleId);
      const details = { stop: next.stop, distanceMeters: Math.round(distance), vehicle: vehicleView(report) };
      found.push({ event: alertEvent(id, 'job.arriving', report.occurredAt, job, details), latch });
    }
    return found;
  };

  /** Jobs the vehicle carries or just gave back; the rest leave its index. */
  const concernedJobs = async (report: VehicleReport): Promise<TrackedJob[]> => {
    const listed = await deps.tracker.jobsOfVehicle(report.vehicleId);
    const concerned = listed.filter((t) => concernsVehicle(t.job, t.released, report.vehicleId, report.occurredAt));
    const stale = listed.filter((t) => !concerned.includes(t)).map((t) => t.job.id);
    await deps.tracker.unindex(report.vehicleId, stale);
    return concerned;
  };

  return {
    async onVehicleReport(report: VehicleReport): Promise<{ planned: number; enqueued: number }> {
      const previous = await deps.statuses.get(report.vehicleId);
      const alert = vehicleAlert(previous, report.status);
      const jobs = alert || report.position ? await concernedJobs(report) : [];
      const events: OutgoingEvent[] = [];
      if (alert) {
        const details = { vehicle: vehicleView(report), reason: report.reason ?? null };
        for (const { job } of jobs) {
          events.push(alertEvent(derivedEventId(alert, report.eventId, job.id), alert, report.occurredAt, job, details));
        }
      }
      const arriving = await arrivals(report, jobs);
      const result = await deps.publisher.publish([...events, ...arriving.map((a) => a.event)]);
      for (const { latch } of arriving) await deps.latches.set(latch, ARRIVING_LATCH_TTL_S);
      if (previous !== report.status) await deps.statuses.set(report.vehicleId, report.status);
      return result;
    },
  };
}

export type VehicleEventHandler = ReturnType<typeof createVehicleEventHandler>;
