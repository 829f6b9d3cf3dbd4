/** Job statuses as the domain knows them (fleet's lifecycle). */
export const JOB_STATUSES = [
  'CREATED',
  'QUEUED',
  'ASSIGNED',
  'DISPATCHED',
  'PICKED_UP',
  'DELIVERED',
  'FAILED',
  'CANCELLED',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export type JobEventType =
  | 'job.created'
  | 'job.queued'
  | 'job.assigned'
  | 'job.dispatched'
  | 'job.picked_up'
  | 'job.delivered'
  | 'job.failed'
  | 'job.cancelled'
  | 'job.updated';

/** Alerts derived from job, vehicle, order and incident events (see triggers.ts). */
export type AlertEventType =
  | 'job.eta_changed'
  | 'job.delayed'
  | 'job.arriving'
  | 'vehicle.offline'
  | 'vehicle.error'
  | 'incident.on_route';

export type EventType = JobEventType | AlertEventType;

/** Every event type a subscription can name: the lifecycle in order, then the alerts. */
export const EVENT_TYPES: readonly EventType[] = [
  'job.created',
  'job.queued',
  'job.assigned',
  'job.dispatched',
  'job.picked_up',
  'job.delivered',
  'job.failed',
  'job.cancelled',
  'job.updated',
  'job.eta_changed',
  'job.delayed',
  'job.arriving',
  'vehicle.offline',
  'vehicle.error',
  'incident.on_route',
];

/** `*` is every event; `<prefix>.*` every event whose type starts with `<prefix>.`. */
const WILDCARDS = ['*', 'job.*', 'vehicle.*', 'incident.*'] as const;

function statusEventType(status: JobStatus): JobEventType {
  switch (status) {
    case 'CREATED':
      return 'job.created';
    case 'QUEUED':
      return 'job.queued';
    case 'ASSIGNED':
      return 'job.assigned';
    case 'DISPATCHED':
      return 'job.dispatched';
    case 'PICKED_UP':
      return 'job.picked_up';
    case 'DELIVERED':
      return 'job.delivered';
    case 'FAILED':
      return 'job.failed';
    case 'CANCELLED':
      return 'job.cancelled';
    default: {
      const unreachable: never = status;
      throw new Error(`unknown job status ${String(unreachable)}`);
    }
  }
}

/**
 * The webhook type of a job change. A change that keeps the status (a new
 * ETA, a replanned order) is `job.updated`, so a receiver never sees the same
 * lifecycle step twice.
 */
export function jobEventType(status: JobStatus, previousStatus: JobStatus | undefined): JobEventType {
  return status === previousStatus ? 'job.updated' : statusEventType(status);
}

/** Why a pattern is not acceptable, or undefined when it is. */
export function eventTypePatternProblem(pattern: string): string | undefined {
  if ((WILDCARDS as readonly string[]).includes(pattern)) return undefined;
  if ((EVENT_TYPES as readonly string[]).includes(pattern)) return undefined;
  return `unknown event type "${pattern}"; expected one of ${WILDCARDS.join(', ')}, ${EVENT_TYPES.join(', ')}`;
}

/** Empty patterns mean every event. */
export function matchesEventType(patterns: readonly string[], type: EventType): boolean {
  if (patterns.length === 0) return true;
  return patterns.some(
    (pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}
