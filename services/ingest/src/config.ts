import { fileURLToPath } from 'node:url';
import { baseConfigSchema, env, parseConfig } from '@kera/platform';
import { z } from 'zod';
import { parseBounds } from './domain/map-bounds.js';

/** services/ingest/data, from dist/src. */
const dataFile = (name: string): string => fileURLToPath(new URL(`../../data/${name}`, import.meta.url));

/** Feed name → silence (seconds) after which it is stale. */
export const DEFAULT_CADENCES = 'digitraffic-tms=180,digitraffic-weather=900,digitraffic-situations=3600,pole=120,ngsi-ld=300';

const cadences = z
  .string()
  .default(DEFAULT_CADENCES)
  .transform((text, ctx) => {
    const out = new Map<string, number>();
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [name, seconds] = part.split('=');
      const value = Number(seconds);
      if (!name || !Number.isInteger(value) || value <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected feed=seconds pairs, got "${part}"` });
        return z.NEVER;
      }
      out.set(name.trim(), value);
    }
    return out;
  });

const bounds = z
  .string()
  .default('24.80,60.17,24.86,60.20')
  .transform((text, ctx) => {
    try {
      return parseBounds(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

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
    /** How long windows and their readings are remembered (dedupe horizon). */
    INGEST_DEDUPE_TTL_S: env.positiveInt(2 * 60 * 60),
    /** How long the last emitted version of each incident is remembered. */
    INGEST_INCIDENT_TTL_S: env.positiveInt(30 * 24 * 60 * 60),
    /** Readings whose event time is older than this go to the DLQ as stale. */
    INGEST_MAX_AGE_S: env.positiveInt(60 * 60),
    /** Tolerated provider clock skew; later event times go to the DLQ as stale. */
    INGEST_MAX_FUTURE_S: env.positiveInt(5 * 60),
    /** Event-time window per location. */
    INGEST_WINDOW_S: env.positiveInt(60),
    /** How long after its end a window still takes readings (by the location's newest event time). */
    INGEST_ALLOWED_LATENESS_S: z.coerce.number().int().min(0).default(120),
    /** Largest accepted Kafka value, and largest decompressed body. */
    INGEST_MAX_MESSAGE_BYTES: env.positiveInt(512 * 1024),
    /** Messages of one partition handled together. */
    INGEST_BATCH_SIZE: env.positiveInt(1000),
    /** Partitions one instance handles at the same time (their Redis and Kafka round trips overlap). */
    INGEST_CONCURRENT_PARTITIONS: env.positiveInt(8),
    /** A fetch returns once this many bytes are there or INGEST_FETCH_MAX_WAIT_MS passed (kafkajs defaults); raise to batch more under load. */
    INGEST_FETCH_MIN_BYTES: env.positiveInt(1),
    INGEST_FETCH_MAX_WAIT_MS: env.positiveInt(5_000),
    /** The loaded map's area "minLon,minLat,maxLon,maxLat" (with a margin); geometry outside it is dead-lettered. */
    INGEST_MAP_BOUNDS: bounds,
    /** Digitraffic station and sensor listings (GeoJSON / {"sensors": [...]}), as the API publishes them. */
    INGEST_TMS_STATIONS_FILE: z.string().min(1).default(dataFile('tms-stations.json')),
    INGEST_TMS_SENSORS_FILE: z.string().min(1).default(dataFile('tms-sensors.json')),
    INGEST_WEATHER_STATIONS_FILE: z.string().min(1).default(dataFile('weather-stations.json')),
    INGEST_WEATHER_SENSORS_FILE: z.string().min(1).default(dataFile('weather-sensors.json')),
    /** A road-weather station's reading covers the streets within this distance. */
    INGEST_WEATHER_RADIUS_M: env.positiveInt(300),
    /** Expected cadence per feed: silent longer than this, a feed is stale. */
    INGEST_FEED_CADENCES: cadences,
    /** How often feed freshness is checked. */
    INGEST_FEED_CHECK_MS: env.positiveInt(5_000),
  })
  .refine((c) => c.INGEST_DEDUPE_TTL_S >= c.INGEST_MAX_AGE_S + c.INGEST_MAX_FUTURE_S, {
    path: ['INGEST_DEDUPE_TTL_S'],
    message:
      'must be at least INGEST_MAX_AGE_S + INGEST_MAX_FUTURE_S, or a redelivered reading that is not yet stale would be emitted twice',
  });

export type IngestConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): IngestConfig =>
  parseConfig(schema, source);
