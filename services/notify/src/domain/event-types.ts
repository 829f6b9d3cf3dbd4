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

/** Every event type a subscription can name, in lifecycle order. */
export const JOB_EVENT_TYPES: readonly JobEventType[] = [
  'job.created',
  'job.queued',
  'job.assigned',
  'job.dispatched',
  'job.picked_up',
  'job.delivered',
  'job.failed',
  'job.cancelled',
  'job.updated',
];

const WILDCARDS = ['*', 'job.*'] as const;

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
  if ((JOB_EVENT_TYPES as readonly string[]).includes(pattern)) return undefined;
  return `unknown event type "${pattern}"; expected "job.*" or one of ${JOB_EVENT_TYPES.join(', ')}`;
}

/** Empty patterns mean every event. */
export function matchesEventType(patterns: readonly string[], type: JobEventType): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern === 'job.*' && type.startsWith('job.')));
}
