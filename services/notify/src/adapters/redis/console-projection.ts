import type { Redis } from 'ioredis';
import type { ConsoleEvent, FeedView, IncidentView, IngestDeadLetterView, JobView, RouteView, Viewer } from '../../domain/console-events.js';

/** Finished jobs, timelines and their index entries are kept this long. */
const JOB_TTL_S = 7 * 24 * 3600;
const JOB_INDEX_MAX = 2_000;
const INGEST_DLQ_MAX = 200;
const FINISHED = new Set(['DELIVERED', 'FAILED', 'CANCELLED']);

export interface ConsoleProjection {
  /** Stores the event's effect on the console's state and appends it to the live stream; returns the stream id. */
  apply(event: ConsoleEvent): Promise<string | undefined>;
  operatorOfJob(jobId: string): Promise<string | undefined>;
  jobs(viewer: Viewer, limit: number): Promise<JobView[]>;
  job(jobId: string): Promise<JobView | undefined>;
  timeline(jobId: string): Promise<JobView[]>;
  routes(): Promise<RouteView[]>;
  incidents(): Promise<IncidentView[]>;
  feeds(): Promise<FeedView[]>;
  ingestDeadLetters(): Promise<IngestDeadLetterView[]>;
  /** The newest stream id ('0-0' when empty): read before a snapshot, it is where SSE resumes without a gap. */
  lastEventId(): Promise<string>;
}

const values = <T>(hash: Record<string, string>): T[] => Object.values(hash).map((v) => JSON.parse(v) as T);

/**
 * The console's read model in Redis, fed by its Kafka consumer, and the
 * bounded stream (`…:console:stream`) that every notify replica tails for SSE.
 */
export function createConsoleProjection(redis: Redis, prefix: string, streamMax: number): ConsoleProjection {
  const k = (name: string) => `${prefix}:console:${name}`;
  const jobKey = (id: string) => k(`job:${encodeURIComponent(id)}`);
  const timelineKey = (id: string) => k(`timeline:${encodeURIComponent(id)}`);
  const opIndex = (op: string) => k(`jobs:op:${encodeURIComponent(op)}`);
  const append = (event: ConsoleEvent) => redis.xadd(k('stream'), 'MAXLEN', '~', String(streamMax), '*', 'e', JSON.stringify(event));

  /** Applies a job event unless a newer version is already stored (redelivery, replay). */
  async function applyJob(job: JobView): Promise<boolean> {
    const stored = await redis.get(jobKey(job.id));
    if (stored && (JSON.parse(stored) as JobView).version > job.version) return false;
    const score = Date.parse(job.updatedAt ?? '') || Date.now();
    await redis
      .multi()
      .set(jobKey(job.id), JSON.stringify(job), 'EX', JOB_TTL_S)
      .zadd(timelineKey(job.id), job.version, JSON.stringify(job))
      .expire(timelineKey(job.id), JOB_TTL_S)
      .zadd(k('jobs:all'), score, job.id)
      .zadd(opIndex(job.operatorId), score, job.id)
      .zremrangebyrank(k('jobs:all'), 0, -JOB_INDEX_MAX - 1)
      .zremrangebyrank(opIndex(job.operatorId), 0, -JOB_INDEX_MAX - 1)
      .exec();
    if (FINISHED.has(job.status) && job.vehicleId) {
      const route = await redis.hget(k('routes'), job.vehicleId);
      if (route && (JSON.parse(route) as RouteView).jobId === job.id) await redis.hdel(k('routes'), job.vehicleId);
    }
    return true;
  }

  async function store(event: ConsoleEvent): Promise<boolean> {
    switch (event.kind) {
      case 'job':
        return applyJob(event.data);
      case 'route':
        await redis.hset(k('routes'), event.data.vehicleId, JSON.stringify(event.data));
        return true;
      case 'incident':
        if (event.data.active) await redis.hset(k('incidents'), event.data.id, JSON.stringify(event.data));
        else await redis.hdel(k('incidents'), event.data.id);
        return true;
      case 'feed':
        await redis.hset(k('feeds'), event.data.feed, JSON.stringify(event.data));
        return true;
      case 'ingest-dead-letter':
        await redis.multi().lpush(k('ingest-dlq'), JSON.stringify(event.data)).ltrim(k('ingest-dlq'), 0, INGEST_DLQ_MAX - 1).exec();
        return true;
      case 'vehicle': // the snapshot comes from fleet; vehicle events only pass through to the stream
      case 'traffic':
        return true;
    }
  }

  const getJobs = async (ids: string[]): Promise<JobView[]> => {
    if (ids.length === 0) return [];
    const raw = await redis.mget(ids.map(jobKey));
    return raw.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as JobView);
  };

  return {
    async apply(event) {
      return (await store(event)) ? ((await append(event)) ?? undefined) : undefined;
    },
    async operatorOfJob(jobId) {
      const raw = await redis.get(jobKey(jobId));
      return raw ? (JSON.parse(raw) as JobView).operatorId : undefined;
    },
    async jobs(viewer, limit) {
      return getJobs(await redis.zrevrange(viewer.admin ? k('jobs:all') : opIndex(viewer.operatorId), 0, limit - 1));
    },
    async job(jobId) {
      return (await getJobs([jobId]))[0];
    },
    async timeline(jobId) {
      return (await redis.zrange(timelineKey(jobId), 0, -1)).map((v) => JSON.parse(v) as JobView);
    },
    routes: async () => values<RouteView>(await redis.hgetall(k('routes'))),
    incidents: async () => values<IncidentView>(await redis.hgetall(k('incidents'))),
    feeds: async () => values<FeedView>(await redis.hgetall(k('feeds'))),
    lastEventId: async () => ((await redis.xrevrange(k('stream'), '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0',
    ingestDeadLetters: async () => (await redis.lrange(k('ingest-dlq'), 0, -1)).map((v) => JSON.parse(v) as IngestDeadLetterView),
  };
}
