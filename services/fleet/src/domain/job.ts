import { isTerminal, type Job, type JobStatus, type LatLon, type Profile } from './types.js';

/** The lifecycle: which status may follow which. A job never silently disappears. */
const NEXT: Record<JobStatus, readonly JobStatus[]> = {
  CREATED: ['QUEUED', 'CANCELLED', 'FAILED'],
  QUEUED: ['ASSIGNED', 'CANCELLED', 'FAILED'],
  ASSIGNED: ['DISPATCHED', 'QUEUED', 'CANCELLED', 'FAILED'],
  DISPATCHED: ['PICKED_UP', 'QUEUED', 'CANCELLED', 'FAILED'],
  PICKED_UP: ['DELIVERED', 'FAILED', 'CANCELLED'],
  DELIVERED: [],
  FAILED: [],
  CANCELLED: [],
};

export interface JobChange {
  job: Job;
  previousStatus: JobStatus | undefined;
}

export type Decision = { ok: true; change: JobChange } | { ok: false; reason: string };

export interface SubmitJob {
  id: string;
  requestId: string;
  operatorId: string;
  pickup: LatLon;
  dropoff: LatLon;
  size: number;
  priority: number;
  earliestPickup?: Date | undefined;
  latestDelivery?: Date | undefined;
  profiles: Profile[];
  /** W3C traceparent of the submission (see Job.traceparent). */
  traceparent?: string | undefined;
}

const validPoint = (p: LatLon): boolean =>
  Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180;

/** Problems with a submission, each naming its field. Empty when valid. */
export function validateSubmission(cmd: Omit<SubmitJob, 'id' | 'profiles'>, now: Date): string[] {
  const problems: string[] = [];
  if (!cmd.operatorId) problems.push('operator_id: required');
  if (!validPoint(cmd.pickup)) problems.push('pickup: expected lat in [-90, 90] and lon in [-180, 180]');
  if (!validPoint(cmd.dropoff)) problems.push('dropoff: expected lat in [-90, 90] and lon in [-180, 180]');
  if (!Number.isInteger(cmd.size) || cmd.size < 1) problems.push('size: expected an integer ≥ 1');
  if (cmd.latestDelivery && cmd.latestDelivery.getTime() <= now.getTime()) {
    problems.push('latest_delivery: must be in the future');
  }
  if (cmd.earliestPickup && cmd.latestDelivery && cmd.earliestPickup >= cmd.latestDelivery) {
    problems.push('earliest_pickup: must be before latest_delivery');
  }
  return problems;
}

export function createJob(cmd: SubmitJob, now: Date): JobChange {
  return {
    previousStatus: undefined,
    job: { ...cmd, status: 'CREATED', createdAt: now, updatedAt: now, version: 1 },
  };
}

export interface TransitionPatch {
  vehicleId?: string | undefined;
  orderId?: string | undefined;
  eta?: Date | undefined;
  reason?: string | undefined;
}

/** Move a job to its next status, or say why it cannot move. */
export function transition(job: Job, to: JobStatus, now: Date, patch: TransitionPatch = {}): Decision {
  if (!NEXT[job.status].includes(to)) {
    return { ok: false, reason: `job ${job.id} is ${job.status}; it cannot become ${to}` };
  }
  const backInQueue = to === 'QUEUED';
  return {
    ok: true,
    change: {
      previousStatus: job.status,
      job: {
        ...job,
        status: to,
        vehicleId: backInQueue ? undefined : (patch.vehicleId ?? job.vehicleId),
        orderId: backInQueue ? undefined : (patch.orderId ?? job.orderId),
        eta: backInQueue ? undefined : (patch.eta ?? job.eta),
        reason: patch.reason ?? (isTerminal(to) || backInQueue ? job.reason : undefined),
        updatedAt: now,
        version: job.version + 1,
      },
    },
  };
}
