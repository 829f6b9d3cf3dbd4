/**
 * npm run bench:ingest — the five city formats (with a share of invalid
 * records) through the real broker: a bare kafkajs consume → produce loop as
 * the baseline, and ingest, on the same records in the same run. Each subject
 * runs in its own process (see subject.ts) with the same partition concurrency;
 * a warm-up round, then BENCH_ROUNDS rounds in alternating order; the figures
 * are medians. Then a paced phase for end-to-end lag. Writes
 * bench/results/ingest.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeRedis, createKafka, createLogger, createRedis, TOPICS, type KafkaPort, type TopicSpec } from '@kera/platform';
import type { IngestTopics } from '../src/service.js';
import { Accounting, collect } from './accounting.js';
import { generateMix, stationListing, TMS_STATIONS, WEATHER_STATIONS, type BenchRecord } from './mix.js';
import type { SubjectSpec } from './subject.js';

const RESULTS = fileURLToPath(new URL('../../../../bench/results/ingest.json', import.meta.url));
const SUBJECT = fileURLToPath(new URL('./subject.js', import.meta.url));
const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP_ROUNDS ?? 1);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 3_000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 10);
const RUN_TIMEOUT_MS = Number(process.env.BENCH_RUN_TIMEOUT_S ?? 300) * 1000;
/** Partitions handled at once, the same for the baseline and ingest (INGEST_CONCURRENT_PARTITIONS). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENT_PARTITIONS ?? 8);
/** Node flags for the ingest process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const INGEST_EXEC_ARGV = (process.env.BENCH_INGEST_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = createLogger({ name: 'bench', level: 'error' });
const run = `bench-${Date.now().toString(36)}`;

const inputTopics = { tms: `${run}.city.tms`, weather: `${run}.city.weather`, ngsi: `${run}.city.ngsi`, situations: `${run}.city.situations`, pole: `${run}.city.pole` };
const inputs = Object.values(inputTopics);
const roundTopics = (r: number): IngestTopics => ({ ...inputTopics, observations: `${run}.r${r}.observations`, incidents: `${run}.r${r}.incidents`, dlq: `${run}.r${r}.dlq`, feedStatus: `${run}.r${r}.feed-status` });
const baselineOut = (r: number) => `${run}.r${r}.baseline-out`;

interface Measured {
  readonly recordsPerSecond: number;
  /** CPU time of the subject's process per wall time of the run (1 = one core busy all along). */
  readonly cpuShare: number;
  readonly accounting: Accounting;
  readonly accountedAtEnd: number;
  readonly stop: () => Promise<void>;
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'bench-ingest', log });
  const rounds = WARMUP + ROUNDS;
  await kafka.ensureTopics(topicSpecs(rounds));
  const files = metadataFiles();
  const records = generateMix(RECORDS, Date.now() - 2_000);
  await produceAll(kafka, records);
  console.log(`produced ${records.length} records (${records.filter((r) => r.invalid).length} invalid) to ${inputs.length} topics; ${WARMUP} warm-up + ${ROUNDS} rounds`);

  const results: Array<{ round: number; baseline: number; ingest: number; ratio: number; accountedFor: number; ingestCpu: number; baselineCpu: number; load: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const load = loadavg()[0]!;
    // Alternate the order, so neither subject always meets a broker still busy with the other's work.
    const order = r % 2 === 1 ? (['ingest', 'baseline'] as const) : (['baseline', 'ingest'] as const);
    const runs: Partial<Record<'ingest' | 'baseline', Measured>> = {};
    for (const role of order) {
      runs[role] = role === 'ingest' ? await runIngest(kafka, r, records.length, files) : await runBaseline(kafka, r, records.length);
      await runs[role].stop();
    }
    const { ingest, baseline } = runs as Record<'ingest' | 'baseline', Measured>;
    const row = { round: r, baseline: Math.round(baseline.recordsPerSecond), ingest: Math.round(ingest.recordsPerSecond), ratio: round3(ingest.recordsPerSecond / baseline.recordsPerSecond), accountedFor: ingest.accountedAtEnd, ingestCpu: round2(ingest.cpuShare), baselineCpu: round2(baseline.cpuShare), load: round2(load) };
    console.log(`${r < WARMUP ? 'warm-up' : `round ${r - WARMUP + 1}`}: ${JSON.stringify(row)}`);
    if (r >= WARMUP) results.push(row);
  }
  // The last round's ingest group again (its offsets are committed), now fed at a steady rate.
  const lagging = await runIngest(kafka, rounds - 1, 0, files);
  const p99LagMs = await measureLag(kafka, lagging.accounting);
  console.log(`lag:      p99 ${p99LagMs} ms at ${LAG_RATE} records/s`);
  await lagging.stop();

  const result = {
    recordsPerSecond: median(results.map((x) => x.ingest)),
    baselineRecordsPerSecond: median(results.map((x) => x.baseline)),
    ratio: median(results.map((x) => x.ratio)),
    p99LagMs,
    records: records.length,
    invalid: records.filter((r) => r.invalid).length,
    accountedFor: Math.min(...results.map((x) => x.accountedFor)),
    rounds: results,
    lagRateRecordsPerSecond: LAG_RATE,
    concurrentPartitions: CONCURRENCY,
    machine: { cores: cpus().length, node: process.version, load: loadavg().map(round2) },
    at: new Date().toISOString(),
  };
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  await kafka.deleteTopics(topicSpecs(rounds).map((t) => t.name));
}

const round2 = (x: number) => Number(x.toFixed(2));
const round3 = (x: number) => Number(x.toFixed(3));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : round3((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};

function topicSpecs(rounds: number): TopicSpec[] {
  const input = [TOPICS.cityTms, TOPICS.cityWeather, TOPICS.cityNgsi, TOPICS.citySituations, TOPICS.cityPoleSensors];
  const specs: TopicSpec[] = input.map((spec, i) => ({ ...spec, name: inputs[i]! }));
  for (let r = 0; r < rounds; r++) {
    const t = roundTopics(r);
    specs.push(
      { ...TOPICS.trafficObservations, name: t.observations },
      { ...TOPICS.trafficIncidents, name: t.incidents, cleanupPolicy: 'delete' as const, retentionMs: 3_600_000 },
      { ...TOPICS.ingestDlq, name: t.dlq, partitions: 3 },
      { ...TOPICS.ingestFeedStatus, name: t.feedStatus },
      { ...TOPICS.trafficObservations, name: baselineOut(r) },
    );
  }
  return specs;
}

function metadataFiles(): Record<string, string> {
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
    // Tuning from the environment (INGEST_BATCH_SIZE, INGEST_FETCH_MIN_BYTES, ...) applies to ingest.
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^INGEST_(BATCH_SIZE|FETCH_|WINDOW_S)/.test(e[0]) && e[1] !== undefined)),
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

/** Starts a subject process; resolves with it and the time its consumer joined. */
async function startSubject(spec: SubjectSpec, execArgv: string[]): Promise<{ child: ChildProcess; started: number; cpuMs: () => Promise<number>; stop: () => Promise<void> }> {
  const child = fork(SUBJECT, [], { env: { ...process.env, BENCH_SUBJECT: JSON.stringify(spec) }, execArgv });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const started = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { started: number }).started));
    void exited.then((code) => reject(new Error(`bench ${spec.role} exited with ${code} before it started`)));
  });
  const stop = async () => {
    if (child.connected) child.send('stop');
    await exited;
  };
  const cpuMs = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs));
      child.send('cpu');
    });
  return { child, started, cpuMs, stop };
}

/** Waits for the collector, failing clearly if the subject never accounts for every record. */
async function measured(role: string, done: Promise<number>): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${role} did not account for every record within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS)));
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runBaseline(kafka: KafkaPort, r: number, count: number): Promise<Measured> {
  const accounting = new Accounting();
  const collector = await collect(kafka, `${run}-r${r}-baseline-collector`, [baselineOut(r)], accounting, () => count);
  const subject = await startSubject({ role: 'baseline', brokers, redisUrl, groupId: `${run}-r${r}-baseline`, inputs, output: baselineOut(r), concurrency: CONCURRENCY }, []);
  const end = await measured('baseline', collector.done);
  const cpuMs = await subject.cpuMs();
  const stop = async () => {
    await subject.stop();
    await collector.consumer.stop();
  };
  return { recordsPerSecond: (count * 1000) / (end - subject.started), cpuShare: cpuMs / (end - subject.started), accounting, accountedAtEnd: accounting.accounted, stop };
}

async function runIngest(kafka: KafkaPort, r: number, count: number, env: Record<string, string>): Promise<Measured> {
  const topics = roundTopics(r);
  const accounting = new Accounting(topics);
  let target = count;
  const collector = await collect(kafka, `${run}-r${r}-ingest-collector-${count}`, [topics.observations, topics.incidents, topics.dlq], accounting, () => target);
  const prefix = `${run}:r${r}:`;
  const subject = await startSubject({ role: 'ingest', brokers, redisUrl, groupId: `${run}-r${r}-ingest`, inputs, topics, redisPrefix: prefix, concurrency: CONCURRENCY, env }, INGEST_EXEC_ARGV);
  const end = count > 0 ? await measured('ingest', collector.done) : Date.now();
  const accountedAtEnd = accounting.accounted;
  const cpuMs = await subject.cpuMs();
  // The paced lag phase adds records to what must be accounted for.
  target = Number.POSITIVE_INFINITY;
  const stop = async () => {
    await subject.stop();
    await collector.consumer.stop();
    await deleteKeys(prefix);
  };
  return { recordsPerSecond: (count * 1000) / (end - subject.started), cpuShare: cpuMs / (end - subject.started), accounting, accountedAtEnd, stop };
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = createRedis({ url: redisUrl, log });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await closeRedis(redis);
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
