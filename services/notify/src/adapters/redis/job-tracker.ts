import type { Redis } from 'ioredis';
import type { Deadlines, JobTracker, TrackedJob } from '../../app/ports.js';
import type { JobSnapshot } from '../../domain/webhook-event.js';

/** A finished job is kept a while for late events, then expires. */
const TRACKED_TTL_SECONDS = 7 * 24 * 3600;
const DATE_FIELDS = ['earliestPickup', 'latestDelivery', 'eta', 'createdAt', 'updatedAt'] as const;

const parseTracked = (raw: string | null): TrackedJob | undefined => {
  if (!raw) return undefined;
  const tracked = JSON.parse(raw) as Omit<TrackedJob, 'job'> & { job: Record<string, unknown> };
  const job = { ...tracked.job } as Record<string, unknown>;
  for (const field of DATE_FIELDS) job[field] = typeof job[field] === 'string' ? new Date(job[field]) : undefined;
  return { ...tracked, job: job as unknown as JobSnapshot };
};

/**
 * The job projection: one JSON value per job, and one set of job ids per
 * vehicle that carries them (the vehicle-alert index).
 */
export function createRedisJobTracker(redis: Redis, prefix: string): JobTracker {
  const jobKey = (jobId: string) => `${prefix}:job:${encodeURIComponent(jobId)}`;
  const vehicleKey = (vehicleId: string) => `${prefix}:vehicle-jobs:${encodeURIComponent(vehicleId)}`;

  return {
    async get(jobId) {
      return parseTracked(await redis.get(jobKey(jobId)));
    },
    async put(tracked, carrier) {
      const multi = redis.multi().set(jobKey(tracked.job.id), JSON.stringify(tracked), 'EX', TRACKED_TTL_SECONDS);
      if (carrier) multi.sadd(vehicleKey(carrier), tracked.job.id);
      await multi.exec();
    },
    async jobsOfVehicle(vehicleId) {
      const ids = await redis.smembers(vehicleKey(vehicleId));
      if (ids.length === 0) return [];
      const values = await redis.mget(ids.map(jobKey));
      const jobs = values.map(parseTracked);
      // A job that expired is forgotten here; the others are judged by the caller.
      const expired = ids.filter((_, i) => jobs[i] === undefined);
      if (expired.length > 0) await redis.srem(vehicleKey(vehicleId), ...expired);
      return jobs.filter((t): t is TrackedJob => t !== undefined);
    },
    async unindex(vehicleId, jobIds) {
      if (jobIds.length > 0) await redis.srem(vehicleKey(vehicleId), ...jobIds);
    },
  };
}

// KEYS: deadlines zset. ARGV: now ms, limit. Pops due members atomically, so one instance takes each.
const TAKE_DUE = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`;

export function createRedisDeadlines(redis: Redis, prefix: string): Deadlines {
  const key = `${prefix}:deadlines`;
  redis.defineCommand('notifyTakeDue', { numberOfKeys: 1, lua: TAKE_DUE });
  const scripts = redis as unknown as { notifyTakeDue(key: string, now: number, limit: number): Promise<string[]> };
  return {
    async set(jobId, at) {
      await redis.zadd(key, at.getTime(), jobId);
    },
    async clear(jobId) {
      await redis.zrem(key, jobId);
    },
    takeDue: (now, limit) => scripts.notifyTakeDue(key, now.getTime(), limit),
  };
}
