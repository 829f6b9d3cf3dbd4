/**
 * Traces as an SRE follows them: the four services in this process on the real
 * broker, Redis and gRPC sockets, the OpenTelemetry SDK and its instrumentations
 * loaded first (as `node --import @kera/platform/register` does), spans kept in
 * memory. One job is one trace from SubmitJob to its last webhook; one city
 * record is one trace from ingest to routing's weight swap.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadInstrumented, startTracing } from '@kera/platform/tracing-sdk';

// As `node --import @kera/platform/register` does, with spans kept in memory.
const exported = new InMemorySpanExporter();
const tracing = startTracing({ serviceName: 'kera-traces-test', spanProcessors: [new SimpleSpanProcessor(exported)] });
loadInstrumented();

// Everything traced is imported only now, so the instrumentations wrap gRPC, HTTP, ioredis and kafkajs.
const grpc = await import('@grpc/grpc-js');
const { JobServiceClient } = await import('@kera/proto/fleet/v1/jobs');
const { RoutingServiceClient } = await import('@kera/proto/routing/v1/routing');
const { Profile } = await import('@kera/proto/traffic/v1/events');
const { deleteKeys, testInfra, uniqueName, waitFor } = await import('@kera/testkit');
const { createFleetNames, startFleetUnderTest, startStraightLineRouting } = await import('@kera/fleet/dist/test/support.js');
const { ScriptedVehicle, ActionStatus } = await import('@kera/fleet/dist/test/scripted-vehicle.js');
const { asAdmin } = await import('@kera/fleet/dist/test/auth.js');
const { startNotifyHarness } = await import('@kera/notify/dist/test/support/notify.js');
const { startReceiver } = await import('@kera/notify/dist/test/support/receiver.js');
const { ingestHarness, secondsAgo, silentLog } = await import('@kera/ingest/dist/test/support/harness.js');
const { sensorValue, tmsTopic, TMS_OTAKAARI, SPEED_DIR1 } = await import('@kera/ingest/dist/test/fixtures/digitraffic.js');
const { loadConfig: loadRoutingConfig } = await import('@kera/routing/dist/src/config.js');
const { OTANIEMI } = await import('@kera/routing/dist/src/demo-places.js');
const { startRoutingService } = await import('@kera/routing/dist/src/service.js');
const { TOPICS } = await import('@kera/platform');

const tracer = trace.getTracer('traces-test');
const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };

const spansOf = (traceId: string): ReadableSpan[] => exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const traceIdOf = (traceparent: string | string[] | undefined): string | undefined => (typeof traceparent === 'string' ? traceparent.split('-')[1] : undefined);

/** Waits until the trace holds a finished span matching each of `wanted`; returns the trace's spans. */
async function traceHolding(traceId: string, wanted: Record<string, (s: ReadableSpan) => boolean>): Promise<ReadableSpan[]> {
  const missing = () => Object.entries(wanted).filter(([, match]) => !spansOf(traceId).some(match)).map(([what]) => what);
  await waitFor(`a trace holding ${Object.keys(wanted).join(', ')}`, () => missing().length === 0, { timeoutMs: 30_000 }).catch((err: Error) => {
    throw new Error(`${err.message}; missing: ${missing().join(', ')}; trace has: ${spansOf(traceId).map((s) => s.name).join(', ')}`);
  });
  return spansOf(traceId);
}

/** Every span of the trace reaches the root through its parents: one tree, no orphans. */
function assertOneTree(spans: ReadableSpan[], rootSpanId: string): void {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const s of spans) {
    const parent = s.parentSpanContext?.spanId;
    if (s.spanContext().spanId === rootSpanId) continue;
    assert.ok(parent && ids.has(parent), `span "${s.name}" hangs under a span outside the trace`);
  }
}

describe('traces', { timeout: 180_000 }, () => {
  after(async () => {
    await tracing.shutdown();
  });

  describe('a job is one trace', () => {
    let routing: Awaited<ReturnType<typeof startStraightLineRouting>>;
    let notify: Awaited<ReturnType<typeof startNotifyHarness>>;
    let fleet: Awaited<ReturnType<typeof startFleetUnderTest>>;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let jobs: InstanceType<typeof JobServiceClient>;
    let names: Awaited<ReturnType<typeof createFleetNames>>;

    before(async () => {
      routing = await startStraightLineRouting();
      notify = await startNotifyHarness();
      // Fleet writes to the topics notify reads.
      const { jobEvents, vehicleEvents, orders } = notify.topics;
      names = { ...(await createFleetNames(notify.kafka)), topics: { jobEvents, vehicleEvents, orders } };
      fleet = await startFleetUnderTest(routing.address, { LEASE_MS: '3000', COMMAND_RESEND_MS: '300' }, names);
      receiver = await startReceiver();
      await notify.subscribe({ operatorId: 'acme', url: receiver.url, eventTypes: [] });
      jobs = new JobServiceClient(fleet.address, grpc.credentials.createInsecure(), asAdmin());
    });

    after(async () => {
      jobs?.close();
      await fleet?.stop();
      // The job topics are notify's, deleted with it; the traffic-changes stand-in is fleet's own.
      if (names) await notify?.kafka.deleteTopics([names.trafficChanges]);
      await notify?.close();
      await receiver?.close();
      routing?.close();
      await deleteKeys((await testInfra()).redisUrl, [`${names.redisPrefix}:*`, `${fleet?.config.QUEUE_PREFIX ?? 'bull'}:${names.dispatchQueue}:*`]);
    });

    it('from SubmitJob through dispatch, the order on the vehicle link and the job events on Kafka to every webhook', async () => {
      const robot = new ScriptedVehicle(fleet.address, uniqueName('robot')).connect();
      await robot.received.waitFor('welcome', (m) => m.body?.$case === 'welcome');
      robot.report(undefined);

      const { job, root } = await tracer.startActiveSpan('operator submits a job', async (span) => {
        const response = await new Promise<{ job?: { id: string } }>((resolve, reject) =>
          jobs.submitJob({ requestId: uniqueName('req'), operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0 } as never, (err, res) => (err ? reject(err) : resolve(res))),
        );
        span.end();
        return { job: response.job!, root: span.spanContext() };
      });

      const { commandId, body } = await robot.nextOrder();
      robot.ack(commandId);
      robot.report(body.value, [[`${job.id}:pick`, ActionStatus.FINISHED]]);
      robot.report(body.value, [[`${job.id}:pick`, ActionStatus.FINISHED], [`${job.id}:drop`, ActionStatus.FINISHED]]);
      await receiver.requests.waitUntil('job.delivered webhook', (items) => items.some((r) => r.eventType === 'job.delivered'));
      robot.close();

      const lifecycle = ['job.created', 'job.queued', 'job.assigned', 'job.dispatched', 'job.picked_up', 'job.delivered'];
      // At-least-once: a delivery retried after a slow answer comes again with the same webhook-id, which receivers dedupe on.
      const hooksOfJob = [...new Map(receiver.requests.items.filter((r) => lifecycle.includes(r.eventType)).map((r) => [r.eventId, r])).values()];
      assert.deepEqual(hooksOfJob.map((r) => r.eventType), lifecycle);
      for (const hook of hooksOfJob) assert.equal(traceIdOf(hook.headers.traceparent), root.traceId, `${hook.eventType} webhook carries the job's trace`);

      const { jobEvents } = notify.topics;
      const spans = await traceHolding(root.traceId, {
        'the SubmitJob call (gRPC server)': (s) => s.kind === SpanKind.SERVER && /JobService\/SubmitJob$/.test(s.name),
        'fleet asking routing (gRPC client)': (s) => s.kind === SpanKind.CLIENT && /RoutingService\/Plan/.test(s.name),
        'the dispatch queue job': (s) => s.name === 'dispatch job',
        'the order on the vehicle link': (s) => s.name === 'send order' && s.attributes['kera.job.id'] === job.id,
        'the vehicle acking it (DISPATCHED)': (s) => s.name === 'job DISPATCHED',
        'the vehicle reporting delivery': (s) => s.name === 'job DELIVERED',
        'job events relayed from the outbox to Kafka': (s) => s.kind === SpanKind.PRODUCER && s.name === `send ${jobEvents}`,
        'notify consuming them': (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${jobEvents}`,
        'the webhook queue job': (s) => s.name === 'deliver webhook' && s.attributes['kera.event.type'] === 'job.delivered',
        'the webhook POST (HTTP client)': (s) => s.kind === SpanKind.CLIENT && s.name === 'POST',
      });
      assert.equal(spans.filter((s) => s.kind === SpanKind.PRODUCER && s.name === `send ${jobEvents}`).length >= lifecycle.length, true, 'every job event is sent within the trace');
      assertOneTree(spans, root.spanId);
    });
  });

  describe('a city record is one trace', () => {
    let h: Awaited<ReturnType<typeof ingestHarness>>;
    let routing: Awaited<ReturnType<typeof startRoutingService>>;
    let client: InstanceType<typeof RoutingServiceClient>;
    const cacheDir = mkdtempSync(join(tmpdir(), 'traces-routing-'));

    before(async () => {
      h = await ingestHarness('traces');
      await h.start();
      const changes = uniqueName('test.traces.changes');
      await h.kafka.ensureTopics([{ ...TOPICS.routingTrafficChanges, name: changes, partitions: 1 }]);
      const { kafkaBrokers } = await testInfra();
      const config = loadRoutingConfig({ KAFKA_BROKERS: kafkaBrokers.join(','), GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', OPS_PORT: '0', GRAPH_CACHE_DIR: cacheDir, TRAFFIC_COALESCE_MS: '10', LOG_LEVEL: 'silent' });
      routing = await startRoutingService(config, {
        log: silentLog,
        topics: { observations: h.topics.observations, incidents: h.topics.incidents, changes, deadLetters: h.topics.dlq, feedStatus: h.topics.feedStatus },
      });
      client = new RoutingServiceClient(`127.0.0.1:${routing.grpcPort}`, grpc.credentials.createInsecure());
    });

    after(async () => {
      client?.close();
      await routing?.stop();
      await h?.close();
      rmSync(cacheDir, { recursive: true, force: true });
    });

    it('from the provider message through ingest and the observations topic to routing swapping edge weights', async () => {
      const root = await tracer.startActiveSpan('provider publishes a TMS reading', async (span) => {
        await h.publish(h.topics.tms, sensorValue(6, secondsAgo(10)), tmsTopic(TMS_OTAKAARI, SPEED_DIR1));
        span.end();
        return span.spanContext();
      });
      const spans = await traceHolding(root.traceId, {
        'ingest handling the provider batch': (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${h.topics.tms}`,
        'the observation sent': (s) => s.kind === SpanKind.PRODUCER && s.name === `send ${h.topics.observations}`,
        'routing consuming it': (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${h.topics.observations}`,
        'routing swapping edge weights': (s) => s.name === 'swap traffic weights' && Number(s.attributes['kera.edges.road']) > 0,
      });
      assertOneTree(spans, root.spanId);
      // The swap is what route planning then sees.
      const plan = await new Promise<{ trafficVersion: number }>((resolve, reject) =>
        client.planRoute({ profile: Profile.ROAD, waypoints: [OTANIEMI.roadA, OTANIEMI.roadB] } as never, (err, res) => (err ? reject(err) : resolve(res))),
      );
      const swap = spans.find((s) => s.name === 'swap traffic weights')!;
      assert.ok(plan.trafficVersion >= Number(swap.attributes['kera.weights.version']), 'routes are planned on the swapped weights');
    });
  });
});
