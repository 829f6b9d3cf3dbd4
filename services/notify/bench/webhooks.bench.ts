/**
 * Webhook delivery benchmark: how long a batch of webhooks to a fast endpoint
 * takes (from publishing the batch to each receipt) while a slow endpoint
 * hangs on every request. Three runs on the same machine, in
 * the same process, against real Kafka, Redis and HTTP receivers:
 *  - reference: no slow endpoint;
 *  - baseline: the slow endpoint present, per-endpoint slots as large as the
 *    worker pool (what notify did before: any endpoint could take every slot);
 *  - isolated: the slow endpoint present, WEBHOOK_ENDPOINT_CONCURRENCY=4.
 * Run: npm run build && node services/notify/dist/bench/webhooks.bench.js
 * Needs KAFKA_BROKERS and REDIS_URL (or the local stack). Prints JSON and a table.
 */
import { EVENTS, wrap } from '@kera/platform';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { uniqueName } from '@kera/testkit';
import { envelopeId, jobEvent, startNotifyHarness } from '../test/support/notify.js';
import { startReceiver } from '../test/support/receiver.js';

const FAST_JOBS = Number(process.env.BENCH_FAST_JOBS ?? 300);
const SLOW_JOBS = Number(process.env.BENCH_SLOW_JOBS ?? 64);
const CONCURRENCY = 16;
const SLOW_TIMEOUT_MS = 2_000;

interface Figures {
  run: string;
  fastWebhooks: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  slowRequestsStarted: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(run: string, withSlow: boolean, endpointConcurrency: number): Promise<Figures> {
  const notify = await startNotifyHarness({
    WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    WEBHOOK_ENDPOINT_CONCURRENCY: String(endpointConcurrency),
    WEBHOOK_TIMEOUT_MS: String(SLOW_TIMEOUT_MS),
    WEBHOOK_MAX_ATTEMPTS: '2',
    LOG_LEVEL: 'error',
  });
  const slow = await startReceiver(() => 'hang');
  const fast = await startReceiver(() => 200);
  try {
    const fastOperator = uniqueName('bench-fast');
    const slowOperator = uniqueName('bench-slow');
    await notify.subscribe({ operatorId: fastOperator, url: fast.url });
    await notify.subscribe({ operatorId: slowOperator, url: slow.url });
    // Warm-up: the consumer has joined and the path is hot before anything is timed.
    await notify.publishLifecycle(uniqueName('warm-up'), fastOperator, [JobStatus.CREATED]);
    await fast.requests.waitUntil('warm-up webhook', (items) => items.length >= 1, 60_000);
    const warmUp = fast.requests.items[0]!.eventId;
    if (withSlow) {
      for (let i = 0; i < SLOW_JOBS; i += 1) await notify.publishLifecycle(uniqueName('slow'), slowOperator, [JobStatus.CREATED]);
      await slow.requests.waitUntil('slow endpoint busy', (items) => items.length >= Math.min(endpointConcurrency, SLOW_JOBS), 60_000);
    }
    // One batch, so the figures measure notify rather than the benchmark's own producer.
    const batch = Array.from({ length: FAST_JOBS }, () => {
      const jobId = uniqueName('fast');
      const id = envelopeId();
      const event = jobEvent(jobId, fastOperator, JobStatus.CREATED, JobStatus.UNSPECIFIED, 1);
      return { id, message: { key: jobId, value: wrap(EVENTS.jobEvent, event, { source: 'fleet', id }) } };
    });
    const started = performance.now();
    await notify.producer.send(notify.topic, batch.map((b) => b.message));
    const sentAt = new Map(batch.map((b) => [b.id, started]));
    const receivedAt = new Map<string, number>([[warmUp, 0]]);
    await fast.requests.waitUntil('every fast webhook', (items) => {
      for (const r of items) if (!receivedAt.has(r.eventId)) receivedAt.set(r.eventId, performance.now());
      return receivedAt.size >= FAST_JOBS + 1;
    }, 600_000);
    const latencies = [...sentAt].map(([id, at]) => receivedAt.get(id)! - at).sort((a, b) => a - b);
    return {
      run,
      fastWebhooks: FAST_JOBS,
      totalMs: Math.round(performance.now() - started),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
      slowRequestsStarted: slow.requests.items.length,
    };
  } finally {
    await notify.close();
    await Promise.all([slow.close(), fast.close()]);
  }
}

const results = [
  await measure('reference (no slow endpoint)', false, 4),
  await measure('baseline (slow endpoint, no per-endpoint limit)', true, CONCURRENCY),
  await measure('isolated (slow endpoint, 4 slots per endpoint)', true, 4),
];
process.stdout.write(`${JSON.stringify({ fastJobs: FAST_JOBS, slowJobs: SLOW_JOBS, concurrency: CONCURRENCY, slowTimeoutMs: SLOW_TIMEOUT_MS, results }, null, 2)}\n`);
for (const r of results) {
  process.stdout.write(`${r.run.padEnd(50)} total ${r.totalMs} ms  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  slow requests ${r.slowRequestsStarted}\n`);
}
