import { EtaChangeCause, JobEventKind, JobStatus as ProtoJobStatus, type JobEvent } from '@kera/proto/fleet/v1/jobs';
import { ValidationError, type EventMeta } from '@kera/platform';
import type { JobStatus } from '../../domain/event-types.js';
import type { EtaCause, JobChanged } from '../../domain/webhook-event.js';

const STATUS: Partial<Record<ProtoJobStatus, JobStatus>> = {
  [ProtoJobStatus.CREATED]: 'CREATED',
  [ProtoJobStatus.QUEUED]: 'QUEUED',
  [ProtoJobStatus.ASSIGNED]: 'ASSIGNED',
  [ProtoJobStatus.DISPATCHED]: 'DISPATCHED',
  [ProtoJobStatus.PICKED_UP]: 'PICKED_UP',
  [ProtoJobStatus.DELIVERED]: 'DELIVERED',
  [ProtoJobStatus.FAILED]: 'FAILED',
  [ProtoJobStatus.CANCELLED]: 'CANCELLED',
};

const CAUSE: Partial<Record<EtaChangeCause, EtaCause>> = { [EtaChangeCause.TRAFFIC]: 'traffic', [EtaChangeCause.PROGRESS]: 'progress' };

/** Proto JobEvent → domain change; throws ValidationError for events no webhook can describe. */
export function toJobChanged(meta: EventMeta, event: JobEvent): JobChanged {
  const job = event.job;
  if (!job) throw new ValidationError('JobEvent without a job');
  if (!job.id) throw new ValidationError('JobEvent: job.id is empty');
  if (!job.operatorId) throw new ValidationError(`JobEvent for job ${job.id}: operator_id is empty`);
  const status = STATUS[job.status];
  if (!status) throw new ValidationError(`JobEvent for job ${job.id}: unknown status ${job.status}`);
  if (!meta.id) throw new ValidationError(`JobEvent for job ${job.id}: envelope id is empty`);
  return {
    eventId: meta.id,
    occurredAt: meta.occurredAt,
    previousStatus: STATUS[event.previousStatus],
    etaCause: event.kind === JobEventKind.ETA_CHANGED ? CAUSE[event.etaCause] : undefined,
    job: {
      id: job.id,
      operatorId: job.operatorId,
      status,
      pickup: job.pickup,
      dropoff: job.dropoff,
      size: job.size,
      priority: job.priority,
      earliestPickup: job.earliestPickup,
      latestDelivery: job.latestDelivery,
      vehicleId: job.vehicleId || undefined,
      orderId: job.orderId || undefined,
      eta: job.eta,
      reason: job.reason || undefined,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      version: job.version,
    },
  };
}
