/**
 * One measured subject of the ingest benchmark in its own process, so it
 * does not share a JavaScript thread with the collector or the producer of the
 * benchmark: either the bare kafkajs consume → produce baseline, or ingest.
 * The parent passes a SubjectSpec as JSON in BENCH_SUBJECT; the child reports
 * `{ started: <ms> }` once its consumer joined; on `'cpu'` it answers with its
 * CPU time since then (`{ cpuMs }`), and it stops on `'stop'`.
 */
import { createLogger } from '@kera/platform';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../src/config.js';
import { startIngestService, type IngestTopics } from '../src/service.js';

export interface SubjectSpec {
  readonly role: 'baseline' | 'ingest';
  readonly brokers: string[];
  readonly redisUrl: string;
  readonly groupId: string;
  readonly inputs: string[];
  /** Baseline: the one output topic. */
  readonly output?: string;
  /** Ingest: every topic. */
  readonly topics?: IngestTopics;
  readonly redisPrefix?: string;
  readonly concurrency: number;
  /** Ingest config entries (metadata files, tuning from the environment). */
  readonly env?: Record<string, string>;
}

const spec = JSON.parse(process.env.BENCH_SUBJECT ?? '{}') as SubjectSpec;
const log = createLogger({ name: `bench-${spec.role}`, level: 'error' });

async function baseline(): Promise<() => Promise<void>> {
  const client = new Kafka({ clientId: 'bench-baseline', brokers: spec.brokers, logLevel: logLevel.ERROR });
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = client.consumer({ groupId: spec.groupId, sessionTimeout: 15_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: spec.inputs, fromBeginning: true });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: spec.concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      await producer.send({ topic: spec.output!, acks: -1, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) });
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
      await heartbeat();
    },
  });
  await joined;
  return async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}

async function ingest(): Promise<() => Promise<void>> {
  const config = loadConfig({
    KAFKA_BROKERS: spec.brokers.join(','),
    REDIS_URL: spec.redisUrl,
    OPS_PORT: '0',
    LOG_LEVEL: 'error',
    INGEST_GROUP_ID: spec.groupId,
    INGEST_REDIS_PREFIX: spec.redisPrefix!,
    INGEST_ENSURE_TOPICS: 'false',
    INGEST_CONCURRENT_PARTITIONS: String(spec.concurrency),
    ...spec.env,
  });
  const service = await startIngestService(config, { log, topics: spec.topics! });
  return () => service.stop();
}

const stop = await (spec.role === 'baseline' ? baseline() : ingest());
const cpuAtStart = process.cpuUsage();
process.send!({ started: Date.now() });
let stopping: Promise<never> | undefined;
const exit = () =>
  (stopping ??= stop().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'bench subject failed to stop');
      process.exit(1);
    },
  ));
// A parent that failed or was interrupted leaves no consumer behind.
process.once('disconnect', () => void exit());
process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage(cpuAtStart);
    process.send!({ cpuMs: (user + system) / 1000 });
    return;
  }
  if (m === 'stop') void exit();
});
