import {
  closeRedis,
  createKafka,
  createLogger,
  createRedis,
  startOpsServer,
  TOPICS,
  type Logger,
  type TopicSpec,
  createShutdown,
} from '@kera/platform';
import { metrics as otelMetrics, type Meter } from '@opentelemetry/api';
import { createNgsiConsumer } from './adapters/kafka/ngsi-consumer.js';
import { createTrafficPublisher } from './adapters/kafka/traffic-publisher.js';
import { createRedisDedupeStore } from './adapters/redis/dedupe-store.js';
import { createIngestMetrics } from './adapters/telemetry/metrics.js';
import { createNgsiIngest } from './app/ingest-ngsi.js';
import type { IngestConfig } from './config.js';
import { FeedFreshness } from './domain/feed-freshness.js';

type PrometheusExporter = NonNullable<Parameters<typeof startOpsServer>[0]['exporter']>;

export interface IngestTopics {
  readonly ngsi: string;
  readonly observations: string;
  readonly incidents: string;
  readonly dlq: string;
}

export interface IngestOverrides {
  readonly log?: Logger;
  /** Topic names (tests use fresh ones); partitions and retention still come from the registry. */
  readonly topics?: IngestTopics;
  /** From main's startTelemetry; without it metrics go to the global (no-op) meter and /metrics is absent. */
  readonly telemetry?: { readonly meter: Meter; readonly exporter?: PrometheusExporter };
  readonly clock?: () => Date;
}

export interface IngestService {
  readonly opsPort: number;
  /** Idempotent: drains the consumer, then closes producer, Redis and the ops server. */
  stop(): Promise<void>;
}

const FRESHNESS_CHECK_MS = 30_000;

/** Wire and start ingest. Resolves once the consumer has joined its group. */
export async function startIngestService(config: IngestConfig, overrides: IngestOverrides = {}): Promise<IngestService> {
  const log = overrides.log ?? createLogger({ name: 'ingest', level: config.LOG_LEVEL });
  const clock = overrides.clock ?? (() => new Date());
  const topics = overrides.topics ?? {
    ngsi: TOPICS.cityNgsi.name,
    observations: TOPICS.trafficObservations.name,
    incidents: TOPICS.trafficIncidents.name,
    dlq: TOPICS.ingestDlq.name,
  };
  const closers = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  const stop = () => closers.run('stop');

  try {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'ingest', log });
    if (config.INGEST_ENSURE_TOPICS) await kafka.ensureTopics(topicSpecs(topics));

    const redis = createRedis({ url: config.REDIS_URL, log, name: 'ingest-dedupe' });
    closers.add('redis', () => closeRedis(redis));
    const producer = await kafka.producer();
    closers.add('producer', () => producer.close());

    const freshness = new FeedFreshness();
    const meter = overrides.telemetry?.meter ?? otelMetrics.getMeter('ingest');
    const ingest = createNgsiIngest({
      publisher: createTrafficPublisher(producer, topics),
      dedupe: createRedisDedupeStore({ redis, prefix: config.INGEST_REDIS_PREFIX, ttlSeconds: config.INGEST_DEDUPE_TTL_S }),
      metrics: createIngestMetrics(meter, freshness, clock),
      freshness,
      limits: eventTimeLimits(config),
      clock,
      log: log.child({ component: 'ngsi' }),
    });

    let consuming = false;
    const ops = await startOpsServer({
      port: config.OPS_PORT,
      log,
      ready: () => consuming && redis.status === 'ready',
      ...(overrides.telemetry?.exporter ? { exporter: overrides.telemetry.exporter } : {}),
    });
    closers.add('ops server', () => ops.close());

    const consumer = createNgsiConsumer({
      kafka,
      groupId: config.INGEST_GROUP_ID,
      topic: topics.ngsi,
      fromBeginning: config.INGEST_FROM_BEGINNING,
      ingest,
    });
    closers.add('consumer', async () => {
      consuming = false;
      await consumer.stop();
    });
    await consumer.start();
    consuming = true;

    const quietCheck = watchQuietFeeds(freshness, clock, config.INGEST_FEED_QUIET_AFTER_S, log);
    closers.add('freshness check', () => clearInterval(quietCheck));

    log.info({ topics, groupId: config.INGEST_GROUP_ID, opsPort: ops.port }, 'ingest consuming');
    return { opsPort: ops.port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const eventTimeLimits = (config: IngestConfig) => ({
  maxAgeMs: config.INGEST_MAX_AGE_S * 1000,
  maxFutureMs: config.INGEST_MAX_FUTURE_S * 1000,
});

/** Logs each source that stopped sending new event times (the metric shows it continuously). */
function watchQuietFeeds(freshness: FeedFreshness, clock: () => Date, quietAfterS: number, log: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    const now = clock();
    for (const feed of freshness.newlyQuiet(now, quietAfterS * 1000)) {
      const ageS = Math.round((now.getTime() - feed.lastEventTime.getTime()) / 1000);
      log.warn({ source: feed.source, lastEventTime: feed.lastEventTime.toISOString(), ageS }, 'feed is quiet');
    }
  }, FRESHNESS_CHECK_MS);
  timer.unref();
  return timer;
}

function topicSpecs(topics: IngestTopics): TopicSpec[] {
  return [
    { ...TOPICS.cityNgsi, name: topics.ngsi },
    { ...TOPICS.trafficObservations, name: topics.observations },
    { ...TOPICS.trafficIncidents, name: topics.incidents },
    { ...TOPICS.ingestDlq, name: topics.dlq },
  ];
}
