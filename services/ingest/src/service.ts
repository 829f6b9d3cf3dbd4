import {
  closeRedis,
  createKafka,
  kafkaSecurity,
  createLogger,
  createRedis,
  createShutdown,
  startOpsServer,
  TOPICS,
  type Logger,
  type Shutdown,
  type TopicSpec,
} from '@kera/platform';
import { metrics as otelMetrics, type Meter } from '@opentelemetry/api';
import { createCityConsumer } from './adapters/kafka/city-consumer.js';
import { createFeedStatusPublisher } from './adapters/kafka/feed-status-publisher.js';
import { createTrafficPublisher } from './adapters/kafka/traffic-publisher.js';
import { loadStationMetadata } from './adapters/files/station-metadata.js';
import { createRedisIngestState } from './adapters/redis/ingest-state.js';
import { createIngestMetrics } from './adapters/telemetry/metrics.js';
import { createFeedWatch, type WatchedFeed } from './app/feed-watch.js';
import { createBatchIngest } from './app/ingest-batch.js';
import type { IngestConfig } from './config.js';
import { createSituationsFormat } from './domain/digitraffic/situations.js';
import { createTmsFormat } from './domain/digitraffic/tms.js';
import { createWeatherFormat } from './domain/digitraffic/weather.js';
import { createNgsiFormat } from './domain/ngsi/format.js';
import { createPoleFormat } from './domain/pole/pole.js';
import type { FeedFormat } from './domain/reading.js';

type PrometheusExporter = NonNullable<Parameters<typeof startOpsServer>[0]['exporter']>;

/** Every topic ingest reads and writes; tests pass fresh names. */
export interface IngestTopics {
  readonly tms: string;
  readonly weather: string;
  readonly ngsi: string;
  readonly situations: string;
  readonly pole: string;
  readonly observations: string;
  readonly incidents: string;
  readonly dlq: string;
  readonly feedStatus: string;
}

export const DEFAULT_INGEST_TOPICS: IngestTopics = {
  tms: TOPICS.cityTms.name,
  weather: TOPICS.cityWeather.name,
  ngsi: TOPICS.cityNgsi.name,
  situations: TOPICS.citySituations.name,
  pole: TOPICS.cityPoleSensors.name,
  observations: TOPICS.trafficObservations.name,
  incidents: TOPICS.trafficIncidents.name,
  dlq: TOPICS.ingestDlq.name,
  feedStatus: TOPICS.ingestFeedStatus.name,
};

export interface IngestOverrides {
  readonly log?: Logger;
  /** Topic names (tests use fresh ones); partitions and retention still come from the registry. */
  readonly topics?: IngestTopics;
  /** From main's startTelemetry; without it metrics go to the global (no-op) meter and /metrics is absent. */
  readonly telemetry?: { readonly meter: Meter; readonly exporter?: PrometheusExporter };
  readonly clock?: () => Date;
  /** runService's process shutdown; closers are added to it instead of a shutdown of ingest's own. */
  readonly shutdown?: Shutdown;
}

export interface IngestService {
  readonly opsPort: number;
  /** Runs one feed freshness check now (tests; the service also runs it every INGEST_FEED_CHECK_MS). */
  checkFeeds(): Promise<void>;
  /** Idempotent: drains the consumer, then closes producer, Redis and the ops server. */
  stop(): Promise<void>;
}

/** Wire and start ingest. Resolves once the consumer has joined its group. */
export async function startIngestService(config: IngestConfig, overrides: IngestOverrides = {}): Promise<IngestService> {
  const log = overrides.log ?? createLogger({ name: 'ingest', level: config.LOG_LEVEL });
  const clock = overrides.clock ?? (() => new Date());
  const topics = overrides.topics ?? DEFAULT_INGEST_TOPICS;
  // runService's shutdown when run as a process; its own in tests.
  const closers = overrides.shutdown ?? createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  const stop = () => closers.run('stop');

  try {
    const formats = buildFormats(config, topics);
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'ingest', log, security: kafkaSecurity(config) });
    if (config.INGEST_ENSURE_TOPICS) await kafka.ensureTopics(topicSpecs(topics));

    const redis = createRedis({ url: config.REDIS_URL, log, name: 'ingest-state' });
    closers.add('redis', () => closeRedis(redis));
    // Up to INGEST_CONCURRENT_PARTITIONS batches deliver at once: their outputs share produce requests.
    const producer = await kafka.producer({ joinConcurrentSends: true });
    closers.add('producer', () => producer.close());

    const policy = { windowMs: config.INGEST_WINDOW_S * 1000, latenessMs: config.INGEST_ALLOWED_LATENESS_S * 1000 };
    const state = createRedisIngestState({
      redis,
      prefix: config.INGEST_REDIS_PREFIX,
      policy,
      ttlSeconds: config.INGEST_DEDUPE_TTL_S,
      incidentTtlSeconds: config.INGEST_INCIDENT_TTL_S,
    });
    const metrics = createIngestMetrics(overrides.telemetry?.meter ?? otelMetrics.getMeter('ingest'), clock);
    const ingest = createBatchIngest({
      formats,
      state,
      publisher: createTrafficPublisher(producer, topics),
      metrics,
      limits: { maxAgeMs: config.INGEST_MAX_AGE_S * 1000, maxFutureMs: config.INGEST_MAX_FUTURE_S * 1000 },
      policy,
      bounds: config.INGEST_MAP_BOUNDS,
      clock,
      log: log.child({ component: 'ingest' }),
    });

    let consuming = false;
    let consumerLive = (): boolean => false;
    const ops = await startOpsServer({
      port: config.OPS_PORT,
      log,
      // Ready while the consumer's broker answers and Redis is connected: unready when either is gone.
      ready: () => consuming && consumerLive() && redis.status === 'ready',
      ...(overrides.telemetry?.exporter ? { exporter: overrides.telemetry.exporter } : {}),
    });
    closers.add('ops server', () => ops.close());

    const consumer = createCityConsumer({
      kafka,
      groupId: config.INGEST_GROUP_ID,
      topics: [...formats.keys()],
      fromBeginning: config.INGEST_FROM_BEGINNING,
      ingest,
      maxBatchSize: config.INGEST_BATCH_SIZE,
      concurrentPartitions: config.INGEST_CONCURRENT_PARTITIONS,
      fetch: { minBytes: config.INGEST_FETCH_MIN_BYTES, maxWaitTimeInMs: config.INGEST_FETCH_MAX_WAIT_MS },
    });
    closers.add('consumer', async () => {
      consuming = false;
      await consumer.stop();
    });
    await consumer.start();
    consumerLive = () => consumer.live();
    consuming = true;

    const watch = createFeedWatch({
      feeds: watchedFeeds(config, formats),
      store: state,
      publisher: createFeedStatusPublisher(producer, topics.feedStatus),
      metrics,
      clock,
      log: log.child({ component: 'feed-watch' }),
    });
    metrics.watch(watch);
    const timer = setInterval(() => {
      watch.check().catch((err: unknown) => log.warn({ err }, 'feed freshness check failed; retrying at the next one'));
    }, config.INGEST_FEED_CHECK_MS);
    timer.unref();
    closers.add('feed watch', () => clearInterval(timer));

    log.info({ topics, groupId: config.INGEST_GROUP_ID, opsPort: ops.port }, 'ingest consuming');
    return { opsPort: ops.port, checkFeeds: () => watch.check(), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Input topic → its format; metadata files are read here, so a broken copy fails the start. */
function buildFormats(config: IngestConfig, topics: IngestTopics): Map<string, FeedFormat> {
  const limits = { maxBytes: config.INGEST_MAX_MESSAGE_BYTES };
  const tms = loadStationMetadata(config.INGEST_TMS_STATIONS_FILE, config.INGEST_TMS_SENSORS_FILE);
  const weather = loadStationMetadata(config.INGEST_WEATHER_STATIONS_FILE, config.INGEST_WEATHER_SENSORS_FILE);
  return new Map<string, FeedFormat>([
    [topics.tms, createTmsFormat(tms, limits)],
    [topics.weather, createWeatherFormat(weather, limits, config.INGEST_WEATHER_RADIUS_M)],
    [topics.ngsi, createNgsiFormat(limits)],
    [topics.situations, createSituationsFormat(limits)],
    [topics.pole, createPoleFormat(limits)],
  ]);
}

function watchedFeeds(config: IngestConfig, formats: ReadonlyMap<string, FeedFormat>): WatchedFeed[] {
  return [...formats].map(([topic, format]) => ({ feed: format.feed, topic, cadenceS: config.INGEST_FEED_CADENCES.get(format.feed) ?? 300 }));
}

function topicSpecs(topics: IngestTopics): TopicSpec[] {
  return [
    { ...TOPICS.cityTms, name: topics.tms },
    { ...TOPICS.cityWeather, name: topics.weather },
    { ...TOPICS.cityNgsi, name: topics.ngsi },
    { ...TOPICS.citySituations, name: topics.situations },
    { ...TOPICS.cityPoleSensors, name: topics.pole },
    { ...TOPICS.trafficObservations, name: topics.observations },
    { ...TOPICS.trafficIncidents, name: topics.incidents },
    { ...TOPICS.ingestDlq, name: topics.dlq },
    { ...TOPICS.ingestFeedStatus, name: topics.feedStatus },
  ];
}
