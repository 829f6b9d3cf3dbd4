/**
 * npm run bench:ingest — the five city formats (with a share of invalid
 * records) through the real broker: a bare kafkajs consume → produce loop as
 * the baseline, then ingest, on the same records in the same run. Then a
 * paced phase for end-to-end lag. Writes bench/results/ingest.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeRedis, createKafka, createLogger, createRedis, EVENTS, TOPICS, unwrap, type EventConsumer, type IncomingMessage, type KafkaPort } from '@kera/platform';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../src/config.js';
import { startIngestService, type IngestTopics } from '../src/service.js';
import { generateMix, stationListing, TMS_STATIONS, WEATHER_STATIONS, type BenchRecord } from './mix.js';

const RESULTS = fileURLToPath(new URL('../../../../bench/results/ingest.json', import.meta.url));
const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 3_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 10);
/** Partitions handled at once, the same for the baseline and ingest (INGEST_CONCURRENT_PARTITIONS). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENT_PARTITIONS ?? 8);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger({ name: 'bench', level: process.env.LOG_LEVEL === undefined ? 'error' : (process.env.LOG_LEVEL as 'warn') });
const run = `bench-${Date.now().toString(36)}`;

const inputTopics = { tms: `${run}.city.tms`, weather: `${run}.city.weather`, ngsi: `${run}.city.ngsi`, situations: `${run}.city.situations`, pole: `${run}.city.pole` };
const topics: IngestTopics = { ...inputTopics, observations: `${run}.observations`, incidents: `${run}.incidents`, dlq: `${run}.dlq`, feedStatus: `${run}.feed-status` };
const baselineOut = `${run}.baseline-out`;

/** Counts what ingest (or the baseline) wrote until every input record is accounted for. */
class Accounting {
  private readonly windows = new Map<string, number>();
  accounted = 0;
  observations = 0;
  incidents = 0;
  deadLetters = 0;
  lags: number[] = [];
  lastAt = 0;
  /** Send times of paced inputs by the identity of the output that reflects them, oldest first. */
  readonly sentAt = new Map<string, number[]>();

  see(m: IncomingMessage, topicsSeen: IngestTopics): void {
    this.lastAt = Date.now();
    const value = m.value ?? Buffer.alloc(0);
    if (m.topic === topicsSeen.observations) {
      this.observations += 1;
      const { payload } = unwrap(EVENTS.observation, value);
      const key = `${payload.locationId}|${Math.floor(payload.windowStart!.getTime() / 60_000)}`;
      const before = this.windows.get(key) ?? 0;
      if (payload.sampleCount > before) {
        this.accounted += payload.sampleCount - before;
        this.windows.set(key, payload.sampleCount);
        this.lag(key, m.timestamp, payload.sampleCount - before);
      }
    } else if (m.topic === topicsSeen.incidents) {
      this.incidents += 1;
      this.accounted += 1;
      this.lag(unwrap(EVENTS.incident, value).payload.incidentId, m.timestamp);
    } else if (m.topic === topicsSeen.dlq) {
      this.deadLetters += 1;
      this.accounted += 1;
      this.lag(unwrap(EVENTS.deadLetter, value).payload.originalValue.toString('base64'), m.timestamp);
    } else {
      this.accounted += 1;
    }
  }

  /** The output reflects the next `inputs` paced inputs of its identity: each one's lag. */
  private lag(identity: string, outputAt: number, inputs = 1): void {
    const queue = this.sentAt.get(identity);
    for (let i = 0; i < inputs && queue && queue.length > 0; i++) this.lags.push(Math.max(0, outputAt - queue.shift()!));
  }

  sent(identity: string, at: number): void {
    const queue = this.sentAt.get(identity);
    if (queue) queue.push(at);
    else this.sentAt.set(identity, [at]);
  }
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'bench-ingest', log });
  const input = [TOPICS.cityTms, TOPICS.cityWeather, TOPICS.cityNgsi, TOPICS.citySituations, TOPICS.cityPoleSensors];
  const names = Object.values(inputTopics);
  await kafka.ensureTopics([
    ...input.map((spec, i) => ({ ...spec, name: names[i]! })),
    { ...TOPICS.trafficObservations, name: topics.observations },
    { ...TOPICS.trafficIncidents, name: topics.incidents, cleanupPolicy: 'delete' as const, retentionMs: 3_600_000 },
    { ...TOPICS.ingestDlq, name: topics.dlq, partitions: 3 },
    { ...TOPICS.ingestFeedStatus, name: topics.feedStatus },
    { ...TOPICS.trafficObservations, name: baselineOut },
  ]);
  const files = metadataFiles();
  const records = generateMix(RECORDS, Date.now() - 2_000);
  await produceAll(kafka, records);
  console.log(`produced ${records.length} records (${records.filter((r) => r.invalid).length} invalid) to ${names.length} topics`);

  const baseline = await runBaseline(kafka, records.length);
  console.log(`baseline: ${Math.round(baseline.recordsPerSecond)} records/s`);
  const measured = await runIngest(kafka, records.length, files);
  console.log(`ingest:   ${Math.round(measured.recordsPerSecond)} records/s, accounted for ${measured.accounting.accounted} of ${records.length}`);
  const p99LagMs = await measureLag(kafka, measured.accounting);
  console.log(`lag:      p99 ${p99LagMs} ms at ${LAG_RATE} records/s`);
  await measured.stop();

  const result = {
    recordsPerSecond: Math.round(measured.recordsPerSecond),
    baselineRecordsPerSecond: Math.round(baseline.recordsPerSecond),
    ratio: Number((measured.recordsPerSecond / baseline.recordsPerSecond).toFixed(3)),
    p99LagMs,
    records: records.length,
    invalid: records.filter((r) => r.invalid).length,
    accountedFor: measured.accountedAtEnd,
    outputs: measured.outputs,
    lagRateRecordsPerSecond: LAG_RATE,
    concurrentPartitions: CONCURRENCY,
    machine: { cores: (await import('node:os')).cpus().length, node: process.version, load: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))) },
    at: new Date().toISOString(),
  };
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  await kafka.deleteTopics([...names, topics.observations, topics.incidents, topics.dlq, topics.feedStatus, baselineOut]);
}

function metadataFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const write = (name: string, json: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(json));
    return join(dir, name);
  };
  return {
    INGEST_TMS_STATIONS_FILE: write('tms-stations.json', stationListing(TMS_STATIONS, 30001)),
    INGEST_TMS_SENSORS_FILE: join(DATA, 'tms-sensors.json'),
    INGEST_WEATHER_STATIONS_FILE: write('weather-stations.json', stationListing(WEATHER_STATIONS, 2001)),
    INGEST_WEATHER_SENSORS_FILE: join(DATA, 'weather-sensors.json'),
  };
}

async function produceAll(kafka: KafkaPort, records: readonly BenchRecord[]): Promise<void> {
  const producer = await kafka.producer();
  for (let i = 0; i < records.length; i += 2_000) {
    const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
    for (const r of records.slice(i, i + 2_000)) {
      const list = byTopic.get(inputTopics[r.topic]) ?? [];
      list.push({ key: r.key, value: r.value });
      byTopic.set(inputTopics[r.topic], list);
    }
    await producer.sendMany([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }
  await producer.close();
}

/** Collects output topics until `count` records are accounted for; resolves with the time that happened. */
async function collect(kafka: KafkaPort, outputs: string[], accounting: Accounting, count: () => number): Promise<{ consumer: EventConsumer; done: Promise<number> }> {
  let resolve!: (at: number) => void;
  const done = new Promise<number>((r) => (resolve = r));
  const consumer = kafka.batchConsumer({
    groupId: `${run}-collector-${outputs[0]}`,
    topics: outputs,
    fromBeginning: true,
    handleBatch: async (messages) => {
      for (const m of messages) accounting.see(m, topics);
      if (accounting.accounted >= count()) resolve(accounting.lastAt);
    },
  });
  await consumer.start();
  return { consumer, done };
}

async function runBaseline(kafka: KafkaPort, count: number): Promise<{ recordsPerSecond: number }> {
  const accounting = new Accounting();
  const collector = await collect(kafka, [baselineOut], accounting, () => count);
  const client = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.ERROR });
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = client.consumer({ groupId: `${run}-baseline`, sessionTimeout: 15_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(inputTopics), fromBeginning: true });
  const joined = new Promise<number>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r(Date.now())));
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: CONCURRENCY,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      await producer.send({ topic: baselineOut, acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) });
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
    },
  });
  const start = await joined;
  const end = await collector.done;
  await consumer.disconnect();
  await producer.disconnect();
  await collector.consumer.stop();
  return { recordsPerSecond: (count * 1000) / (end - start) };
}

async function runIngest(kafka: KafkaPort, count: number, files: Record<string, string>) {
  const accounting = new Accounting();
  let target = count;
  const collector = await collect(kafka, [topics.observations, topics.incidents, topics.dlq], accounting, () => target);
  const config = loadConfig({
    KAFKA_BROKERS: brokers.join(','),
    REDIS_URL: redisUrl,
    OPS_PORT: '0',
    LOG_LEVEL: 'warn',
    INGEST_GROUP_ID: `${run}-ingest`,
    INGEST_REDIS_PREFIX: `${run}:`,
    INGEST_ENSURE_TOPICS: 'false',
    INGEST_CONCURRENT_PARTITIONS: String(CONCURRENCY),
    ...files,
    // Tuning from the environment (INGEST_BATCH_SIZE, INGEST_FETCH_MIN_BYTES, ...) applies to ingest.
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => /^INGEST_(BATCH_SIZE|FETCH_|WINDOW_S)/.test(k))),
  });
  const service = await startIngestService(config, { log, topics });
  const start = Date.now();
  const end = await collector.done;
  const accountedAtEnd = accounting.accounted;
  const outputs = { observations: accounting.observations, incidents: accounting.incidents, deadLetters: accounting.deadLetters };
  const stop = async () => {
    await service.stop();
    await collector.consumer.stop();
    const redis = createRedis({ url: redisUrl, log });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${run}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await closeRedis(redis);
  };
  // The paced lag phase adds records to what must be accounted for.
  target = Number.POSITIVE_INFINITY;
  return { recordsPerSecond: (count * 1000) / (end - start), accounting, accountedAtEnd, outputs, stop };
}

/**
 * Paced records through the running ingest (LAG_RATE records/s for
 * LAG_SECONDS); lag = broker time of the output minus send time of the input
 * it reflects (window updates take their inputs oldest first). p99 in ms.
 */
async function measureLag(kafka: KafkaPort, accounting: Accounting): Promise<number> {
  const producer = await kafka.producer();
  const perTick = Math.max(1, Math.round(LAG_RATE / 20));
  const lagsFrom = accounting.lags.length;
  const readings = new Set<string>();
  let unique = 0;
  for (let t = 0; t < LAG_SECONDS * 20; t++) {
    const tickStart = Date.now();
    const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
    for (const r of generateMix(perTick, tickStart - 1_000, `lag${t}-`)) {
      const list = byTopic.get(inputTopics[r.topic]) ?? [];
      list.push({ key: r.key, value: r.value });
      byTopic.set(inputTopics[r.topic], list);
      // A repeated reading is merged once and reflected by no output: no lag to wait for.
      if (readings.has(r.reading)) continue;
      readings.add(r.reading);
      unique += 1;
      accounting.sent(r.invalid ? r.value.toString('base64') : (r.location ?? ''), tickStart);
    }
    await producer.sendMany([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - tickStart))));
  }
  await producer.close();
  const expected = unique;
  const deadline = Date.now() + 30_000;
  while (accounting.lags.length - lagsFrom < expected * 0.95 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const lags = accounting.lags.slice(lagsFrom).sort((a, b) => a - b);
  return lags.length === 0 ? -1 : lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))]!;
}

await main();
