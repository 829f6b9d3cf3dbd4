import type { createRedis } from '@kera/platform';
import type {
  CommitInput,
  FeedActivity,
  FeedState,
  FeedStatusStore,
  IngestStateStore,
  Prepared,
  PrepareInput,
  ReadingOutcome,
} from '../../app/ports.js';
import { SUMMED_VALUES, surfaceRank, type WindowAggregate, type WindowPolicy } from '../../domain/windows.js';
import { COMMIT_LUA, PREPARE_LUA, TRANSITION_LUA } from './ingest-state-lua.js';

type Redis = ReturnType<typeof createRedis>;
type Script = (...args: string[]) => Promise<unknown>;

interface Scripts {
  keraIngestPrepare: Script;
  keraIngestCommit: Script;
  keraIngestTransition: Script;
}

function scripts(redis: Redis): Scripts {
  const r = redis as unknown as Partial<Scripts> & Redis;
  if (!r.keraIngestPrepare) {
    redis.defineCommand('keraIngestPrepare', { numberOfKeys: 0, lua: PREPARE_LUA });
    redis.defineCommand('keraIngestCommit', { numberOfKeys: 0, lua: COMMIT_LUA });
    redis.defineCommand('keraIngestTransition', { numberOfKeys: 0, lua: TRANSITION_LUA });
  }
  return r as unknown as Scripts;
}

const num = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : String(v));

/** Windows, emitted marks and feed activity in Redis: one script call per batch to prepare, one to commit. */
export function createRedisIngestState(options: {
  redis: Redis;
  prefix: string;
  policy: WindowPolicy;
  /** Window and dedupe memory; must outlive the accepted event age. */
  ttlSeconds: number;
  /** How long an incident's last emitted version is remembered. */
  incidentTtlSeconds: number;
}): IngestStateStore & FeedStatusStore {
  const { redis, prefix, policy } = options;
  const run = scripts(redis);
  return {
    async prepare(input: PrepareInput): Promise<Prepared> {
      const readings = input.readings.map((r) => {
        const v = r.values;
        return [r.locationId, String(r.eventMs), r.readingKey, num(v.speedKmh), num(v.flowVph), num(v.occupancyPct), num(v.pedestrianDensity), num(v.surfaceTemperatureC), num(v.friction), String(surfaceRank(v.surface))];
      });
      const marks = input.incidents.map((i) => [i.incidentId, String(i.orderMs), i.fingerprint]);
      const args = [prefix, String(policy.windowMs), String(policy.latenessMs), String(options.ttlSeconds), JSON.stringify(readings), JSON.stringify(marks), JSON.stringify(input.messageKeys)];
      const [outcomes, windows, incidents, sent] = (await run.keraIngestPrepare(...args)) as [string[], Array<[string, string, string[]]>, number[], number[]];
      return {
        readings: outcomes.map(readOutcome),
        windows: windows.map(([locationId, start, fields]) => readAggregate(locationId, Number(start), fields)),
        emitIncident: incidents.map((f) => f === 1),
        deadLetterSent: sent.map((f) => f === 1),
      };
    },

    async commit(input: CommitInput): Promise<void> {
      const args = [
        prefix,
        String(options.ttlSeconds),
        String(options.incidentTtlSeconds),
        JSON.stringify(input.windows.map((w) => [w.locationId, String(w.windowStartMs), String(w.sampleCount)])),
        JSON.stringify(input.incidents.map((i) => [i.incidentId, String(i.orderMs), i.fingerprint])),
        JSON.stringify(input.deadLetters),
        JSON.stringify(input.feeds.map((f) => [f.feed, String(f.seenAtMs), String(f.eventMs)])),
      ];
      await run.keraIngestCommit(...args);
    },

    async activity(): Promise<FeedActivity[]> {
      const [seen, event] = await Promise.all([redis.hgetall(`${prefix}feeds:seen`), redis.hgetall(`${prefix}feeds:event`)]);
      return Object.entries(seen).map(([feed, seenAt]) => ({ feed, seenAtMs: Number(seenAt), eventMs: Number(event[feed] ?? 0) }));
    },

    async transition(feed: string, state: FeedState) {
      const previous = (await run.keraIngestTransition(prefix, feed, state)) as string;
      return previous === '' ? undefined : (previous as FeedState | 'unknown');
    },

    async revert(feed, previous) {
      if (previous === 'unknown') await redis.hdel(`${prefix}feeds:state`, feed);
      else await redis.hset(`${prefix}feeds:state`, feed, previous);
    },
  };
}

function readOutcome(text: string): ReadingOutcome {
  if (text === 'm') return { kind: 'merged' };
  if (text === 'd') return { kind: 'duplicate' };
  const [start, watermark] = text.slice(1).split(':');
  return { kind: 'late', windowStartMs: Number(start), watermarkMs: Number(watermark) };
}

function readAggregate(locationId: string, windowStartMs: number, flat: string[]): WindowAggregate {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  const sums: Record<string, { sum: number; n: number }> = {};
  for (const name of SUMMED_VALUES) {
    const n = Number(fields.get(`${name}:n`) ?? 0);
    if (n > 0) sums[name] = { sum: Number(fields.get(`${name}:s`)), n };
  }
  const fmin = fields.get('fmin');
  return {
    locationId,
    windowStartMs,
    sampleCount: Number(fields.get('n') ?? 0),
    emittedCount: Number(fields.get('e') ?? 0),
    sums,
    ...(fmin === undefined ? {} : { frictionMin: Number(fmin) }),
    surfaceRank: Number(fields.get('sr') ?? 0),
  };
}
