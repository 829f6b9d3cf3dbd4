import {
  closeRedis,
  createKafka,
  createLogger,
  createRedis,
  EVENTS,
  TOPICS,
  unwrap,
  type EventConsumer,
  type EventMeta,
  type EventProducer,
  type IncomingMessage,
  type KafkaPort,
} from '@kera/platform';
import type { DeadLetter } from '@kera/proto/ingest/v1/dead_letter';
import type { FeedStatus } from '@kera/proto/ingest/v1/feed_status';
import type { Incident, Observation } from '@kera/proto/traffic/v1/events';
import { Inbox, testInfra, uniqueName, waitFor } from '@kera/testkit';
import { loadConfig, type IngestConfig } from '../../src/config.js';
import { startIngestService, type IngestOverrides, type IngestService, type IngestTopics } from '../../src/service.js';

export interface Received<T> {
  key: string;
  meta: EventMeta;
  payload: T;
}

export const silentLog = createLogger({ name: 'ingest-test', level: 'silent' });

/**
 * Fresh topics (one partition each, so "the marker arrived" means everything
 * before it did), a fresh Redis prefix and group, a provider producer and a
 * collector of everything ingest writes.
 */
export interface IngestHarness {
  readonly topics: IngestTopics;
  readonly config: IngestConfig;
  readonly kafka: KafkaPort;
  readonly observations: Inbox<Received<Observation>>;
  readonly incidents: Inbox<Received<Incident>>;
  readonly deadLetters: Inbox<Received<DeadLetter>>;
  readonly feedStatus: Inbox<Received<FeedStatus>>;
  /** Starts one more ingest instance (same group unless env says otherwise). */
  start(env?: Record<string, string>, clock?: () => Date, telemetry?: IngestOverrides['telemetry']): Promise<IngestService>;
  publish(topic: string, value: Buffer | null, key?: string, headers?: Record<string, string>): Promise<void>;
  /** Runs a feed freshness check on every started instance. */
  checkAll(): Promise<void>;
  close(): Promise<void>;
}

export async function ingestHarness(name: string, env: Record<string, string> = {}, inputPartitions = 1): Promise<IngestHarness> {
  const infra = await testInfra();
  const t = (topic: string) => uniqueName(`test.${name}.${topic}`);
  const topics: IngestTopics = {
    tms: t('tms'), weather: t('weather'), ngsi: t('ngsi'), situations: t('situations'), pole: t('pole'),
    observations: t('observations'), incidents: t('incidents'), dlq: t('dlq'), feedStatus: t('feed-status'),
  };
  const baseEnv = {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    OPS_PORT: '0',
    LOG_LEVEL: 'silent',
    INGEST_GROUP_ID: uniqueName(`ingest-${name}`),
    INGEST_REDIS_PREFIX: `${uniqueName(`ingest-${name}`)}:`,
    INGEST_FEED_CHECK_MS: '3600000',
    ...env,
  };
  const config = loadConfig(baseEnv);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `ingest-test-${name}`, log: silentLog });
  const specs = [TOPICS.cityTms, TOPICS.cityWeather, TOPICS.cityNgsi, TOPICS.citySituations, TOPICS.cityPoleSensors, TOPICS.trafficObservations, TOPICS.trafficIncidents, TOPICS.ingestDlq, TOPICS.ingestFeedStatus];
  const names = [topics.tms, topics.weather, topics.ngsi, topics.situations, topics.pole, topics.observations, topics.incidents, topics.dlq, topics.feedStatus];
  // A busy broker may answer for new topics a moment after creating them (creation is idempotent).
  await waitFor('the new topics to have leaders', async () => {
    try {
      await kafka.ensureTopics(specs.map((spec, i) => ({ ...spec, name: names[i]!, partitions: i < 5 ? inputPartitions : 1 })));
      for (const topic of names) await kafka.endOffsets(topic);
      return true;
    } catch {
      return false;
    }
  }, { timeoutMs: 60_000, intervalMs: 250 });
  const provider: EventProducer = await kafka.producer();
  const observations = new Inbox<Received<Observation>>();
  const incidents = new Inbox<Received<Incident>>();
  const deadLetters = new Inbox<Received<DeadLetter>>();
  const feedStatus = new Inbox<Received<FeedStatus>>();
  const collect = async (m: IncomingMessage) => {
    const key = m.key?.toString() ?? '';
    const value = m.value ?? Buffer.alloc(0);
    if (m.topic === topics.observations) observations.push({ key, ...unwrap(EVENTS.observation, value) });
    else if (m.topic === topics.incidents) incidents.push({ key, ...unwrap(EVENTS.incident, value) });
    else if (m.topic === topics.feedStatus) feedStatus.push({ key, ...unwrap(EVENTS.feedStatus, value) });
    else deadLetters.push({ key, ...unwrap(EVENTS.deadLetter, value) });
  };
  const collector: EventConsumer = kafka.consumer({
    groupId: uniqueName(`ingest-${name}-collector`),
    topics: [topics.observations, topics.incidents, topics.dlq, topics.feedStatus],
    fromBeginning: true,
    handle: collect,
  });
  await collector.start();
  const services: IngestService[] = [];
  return {
    topics,
    config,
    kafka,
    observations,
    incidents,
    deadLetters,
    feedStatus,
    async start(extra = {}, clock, telemetry) {
      const service = await startIngestService(loadConfig({ ...baseEnv, ...extra }), {
        log: silentLog,
        topics,
        ...(clock ? { clock } : {}),
        ...(telemetry ? { telemetry } : {}),
      });
      services.push(service);
      return service;
    },
    checkAll: async () => {
      await Promise.all(services.map((s) => s.checkFeeds()));
    },
    publish: (topic, value, key = 'provider-key', headers) =>
      provider.send(topic, [{ key, value: value ?? Buffer.alloc(0), ...(headers ? { headers } : {}) }]),
    async close() {
      for (const s of services) await s.stop();
      await collector.stop();
      await provider.close();
      await kafka.deleteTopics(names);
      const redis = createRedis({ url: config.REDIS_URL, log: silentLog });
      const keys = await redis.keys(`${config.INGEST_REDIS_PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      await closeRedis(redis);
    },
  };
}

/** A time that is `secondsAgo` in the past, on a whole second. */
export const secondsAgo = (s: number): Date => new Date(Math.floor(Date.now() / 1000) * 1000 - s * 1000);
