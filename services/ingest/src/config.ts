import { baseConfigSchema, env, parseConfig } from '@kera/platform';
import { z } from 'zod';

const schema = z
  .object({
    ...baseConfigSchema,
    OPS_PORT: env.port(9100),
    REDIS_URL: env.redisUrl(),
    /** Consumer group; instances of ingest share it. */
    INGEST_GROUP_ID: z.string().min(1).default('ingest'),
    /** Where a group without committed offsets starts (true: keep nothing unread). */
    INGEST_FROM_BEGINNING: env.flag(true),
    /** Create the topics ingest reads and writes at start (from the topic registry). */
    INGEST_ENSURE_TOPICS: env.flag(true),
    /** Namespace of ingest's Redis keys; tests use a fresh one each. */
    INGEST_REDIS_PREFIX: z.string().min(1).default('ingest:'),
    /** How long a reading is remembered for dedupe. */
    INGEST_DEDUPE_TTL_S: env.positiveInt(2 * 60 * 60),
    /** Readings whose event time is older than this go to the DLQ as stale. */
    INGEST_MAX_AGE_S: env.positiveInt(60 * 60),
    /** Tolerated provider clock skew; later event times go to the DLQ as stale. */
    INGEST_MAX_FUTURE_S: env.positiveInt(5 * 60),
    /** A source without a new event for this long is logged as quiet. */
    INGEST_FEED_QUIET_AFTER_S: env.positiveInt(5 * 60),
  })
  .refine((c) => c.INGEST_DEDUPE_TTL_S >= c.INGEST_MAX_AGE_S + c.INGEST_MAX_FUTURE_S, {
    path: ['INGEST_DEDUPE_TTL_S'],
    message:
      'must be at least INGEST_MAX_AGE_S + INGEST_MAX_FUTURE_S, or a redelivered reading that is not yet stale would be emitted twice',
  });

export type IngestConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): IngestConfig =>
  parseConfig(schema, source);
