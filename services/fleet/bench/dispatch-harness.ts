/**
 * fleet-ops' own dispatch harness (the full benchmark is `npm run bench:dispatch`):
 * real Kafka, Redis and routing (the Otaniemi map, in a child process), fleet
 * in this process, N simulated robots (tools/sim, a child process). Submits
 * jobs at a fixed rate and measures submit → order acked (the job's
 * DISPATCHED event on WatchJobs). Prints one JSON line.
 *
 *   node services/fleet/dist/bench/dispatch-harness.js   (VEHICLES=1000 RATE=50 SECONDS=20)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { createKafka, createLogger, TOPICS } from '@kera/platform';
import { JobServiceClient, JobStatus, type JobEvent, type SubmitJobRequest, type SubmitJobResponse } from '@kera/proto/fleet/v1/jobs';
import { deleteKeys, testInfra, uniqueName } from '@kera/testkit';
import { loadConfig } from '../src/config.js';
import { startFleetService } from '../src/service.js';

const VEHICLES = Number(process.env.VEHICLES ?? 1000);
const RATE = Number(process.env.RATE ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 20);
const POINTS = [
  { lat: 60.1851, lon: 24.82595 }, { lat: 60.18653, lon: 24.82687 }, { lat: 60.18514, lon: 24.82516 }, { lat: 60.18651, lon: 24.8224 },
  { lat: 60.18734, lon: 24.82504 }, { lat: 60.18825, lon: 24.82864 }, { lat: 60.18462, lon: 24.83307 }, { lat: 60.18765, lon: 24.83494 },
];
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Routing in its own process (as deployed), on this run's own traffic topics. */
function startRouting(brokers: string, port: number, topics: Record<string, string>): Promise<ChildProcess> {
  const child = fork(`${root}services/fleet/dist/bench/routing-child.js`, [], {
    env: { ...process.env, KAFKA_BROKERS: brokers, GRPC_PORT: String(port), OPS_PORT: '0', LOG_LEVEL: 'warn', ROUTING_TOPICS: JSON.stringify(topics) },
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`routing exited with ${code}`)));
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const infra = await testInfra();
  const log = createLogger({ name: 'dispatch-harness', level: process.env.LOG_LEVEL ?? 'warn' });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'dispatch-harness', log });
  const fleetTopics = { jobEvents: uniqueName('bench.fleet.job-events'), vehicleEvents: uniqueName('bench.fleet.vehicle-events'), orders: uniqueName('bench.fleet.orders') };
  const routingTopics = { observations: uniqueName('bench.obs'), incidents: uniqueName('bench.incidents'), changes: uniqueName('bench.changes'), deadLetters: uniqueName('bench.dlq') };
  await kafka.ensureTopics([
    { ...TOPICS.fleetJobEvents, name: fleetTopics.jobEvents },
    { ...TOPICS.fleetVehicleEvents, name: fleetTopics.vehicleEvents },
    { ...TOPICS.fleetOrders, name: fleetTopics.orders },
    { ...TOPICS.trafficObservations, name: routingTopics.observations },
    { ...TOPICS.trafficIncidents, name: routingTopics.incidents },
    { ...TOPICS.routingTrafficChanges, name: routingTopics.changes },
    { ...TOPICS.ingestDlq, name: routingTopics.deadLetters },
  ]);
  const routingPort = 40_000 + Math.floor(Math.random() * 10_000);
  const routing = await startRouting(infra.kafkaBrokers.join(','), routingPort, routingTopics);
  const config = loadConfig({
    ...process.env,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    ROUTING_ADDR: `127.0.0.1:${routingPort}`,
    GRPC_PORT: '0',
    OPS_PORT: '0',
    REDIS_PREFIX: uniqueName('bench-fleet'),
    DISPATCH_QUEUE: uniqueName('bench-dispatch'),
    LEASE_MS: '60000',
  });
  const fleet = await startFleetService(config, { log, topics: fleetTopics });
  const address = `127.0.0.1:${fleet.grpcPort}`;
  const sim = fork(`${root}tools/sim/dist/src/main.js`, [], {
    env: { ...process.env, FLEET_ADDR: address, SIM_ROBOTS: String(VEHICLES), SIM_SHUTTLES: '0', SIM_FEED: 'false', SIM_TICK_MS: '1000', LOG_LEVEL: 'warn', KAFKA_BROKERS: infra.kafkaBrokers.join(',') },
  });

  const jobs = new JobServiceClient(address, grpc.credentials.createInsecure());
  const submitted = new Map<string, number>();
  const submitErrors: Record<string, number> = {};
  const latencies: number[] = [];
  /** Per job, wall-clock ms of: submit call, created, assigned, acked (fleet's own timestamps). */
  const stages = new Map<string, { created?: number; assigned?: number; acked?: number }>();
  const watch = jobs.watchJobs({ jobId: '' });
  watch.on('data', (r: { event?: JobEvent }) => {
    const job = r.event?.job;
    if (!job) return;
    const s = stages.get(job.id) ?? {};
    stages.set(job.id, s);
    if (job.status === JobStatus.QUEUED) s.created = job.createdAt!.getTime();
    if (job.status === JobStatus.ASSIGNED) s.assigned = job.updatedAt!.getTime();
    if (job.status !== JobStatus.DISPATCHED) return;
    s.acked = job.updatedAt!.getTime();
    const at = submitted.get(job.id);
    if (at !== undefined) latencies.push(s.acked - at);
  });
  watch.on('error', () => undefined);

  // Let the fleet connect: wait until every vehicle has registered and reported.
  const redis = (await import('ioredis')).Redis;
  const probe = new redis(infra.redisUrl);
  for (let i = 0; (await probe.zcard(`${config.REDIS_PREFIX}:vehicles:idle:sidewalk`)) < VEHICLES && i < 600; i++) await new Promise((r) => setTimeout(r, 500));
  const connected = await probe.zcard(`${config.REDIS_PREFIX}:vehicles:idle:sidewalk`);
  // Let the connection storm settle (hellos, first reports) so the run measures steady state.
  await new Promise((r) => setTimeout(r, Number(process.env.WARMUP_MS ?? 10_000)));

  const total = RATE * SECONDS;
  const started = performance.now();
  const submits: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const pickup = POINTS[i % POINTS.length]!;
    const dropoff = POINTS[(i * 3 + 1) % POINTS.length]!;
    const req: SubmitJobRequest = { requestId: uniqueName('bench'), operatorId: 'bench', pickup, dropoff, size: 1, priority: 0 };
    const t0 = Date.now();
    submits.push(
      new Promise<void>((resolve) =>
        jobs.submitJob(req, (err: grpc.ServiceError | null, res: SubmitJobResponse) => {
          if (!err && res.job) submitted.set(res.job.id, t0);
          if (err) {
            const why = `${grpc.status[err.code]}: ${err.details.slice(0, 80)}`;
            submitErrors[why] = (submitErrors[why] ?? 0) + 1;
          }
          resolve();
        }),
      ),
    );
  }
  await Promise.all(submits);
  const deadline = performance.now() + 30_000;
  while (latencies.length < submitted.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));

  const sorted = [...latencies].sort((a, b) => a - b);
  const stage = (from: (id: string) => number | undefined, to: (id: string) => number | undefined) => {
    const d = [...submitted.keys()].flatMap((id) => {
      const a = from(id);
      const b = to(id);
      return a !== undefined && b !== undefined ? [b - a] : [];
    });
    d.sort((a, b) => a - b);
    return { p50: Math.round(percentile(d, 50)), p99: Math.round(percentile(d, 99)) };
  };
  const breakdown = {
    submitToCreated: stage((id) => submitted.get(id), (id) => stages.get(id)?.created),
    createdToAssigned: stage((id) => stages.get(id)?.created, (id) => stages.get(id)?.assigned),
    assignedToAcked: stage((id) => stages.get(id)?.assigned, (id) => stages.get(id)?.acked),
  };
  const result = {
    vehicles: connected,
    jobsPerSecond: RATE,
    seconds: SECONDS,
    submitted: submitted.size,
    dispatched: latencies.length,
    p50Ms: Math.round(percentile(sorted, 50)),
    p99Ms: Math.round(percentile(sorted, 99)),
    maxMs: Math.round(sorted.at(-1) ?? NaN),
    concurrency: config.DISPATCH_CONCURRENCY,
    candidates: config.DISPATCH_CANDIDATES,
    breakdown,
    submitErrors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  watch.cancel();
  jobs.close();
  sim.kill('SIGTERM');
  await new Promise((r) => sim.once('exit', r));
  await fleet.stop();
  routing.kill('SIGTERM');
  await new Promise((r) => routing.once('exit', r));
  probe.disconnect();
  await kafka.deleteTopics([...Object.values(fleetTopics), ...Object.values(routingTopics)]);
  await deleteKeys(infra.redisUrl, [`${config.REDIS_PREFIX}:*`, `${config.QUEUE_PREFIX}:${config.DISPATCH_QUEUE}:*`]);
}

await main();
