import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import { metrics as otelMetrics } from '@opentelemetry/api';
import { closeRedis, createGrpcServer, createKafka, createRedis, createShutdown, startOpsServer, type Telemetry } from '@kera/platform';
import { FleetServiceService } from '@kera/proto/fleet/v1/fleet';
import { JobServiceService } from '@kera/proto/fleet/v1/jobs';
import { VehicleLinkService } from '@kera/proto/fleet/v1/vehicle_link';
import { createDispatcher } from './app/dispatcher.js';
import { createJobUseCases } from './app/jobs.js';
import { createReconciler, type Repairs } from './app/reconciler.js';
import type { Clock, Ids } from './app/ports.js';
import { createVehicleLink } from './app/vehicle-link.js';
import { fleetService } from './adapters/grpc/fleet-service.js';
import { jobService } from './adapters/grpc/job-service.js';
import { createRoutingClient } from './adapters/grpc/routing-client.js';
import { vehicleLinkService } from './adapters/grpc/vehicle-link-service.js';
import { createOutboxRelay, encodeOutboxEntries } from './adapters/kafka/outbox-relay.js';
import { defaultTopics, type TopicNames } from './adapters/proto-mapping.js';
import { createDispatchQueue } from './adapters/queue/dispatch-queue.js';
import { createDispatchMetrics } from './adapters/telemetry/dispatch-metrics.js';
import { createJobEventFeed } from './adapters/redis/job-event-feed.js';
import { createRedisStores, fleetKeys } from './adapters/redis/stores.js';
import type { Config } from './config.js';

export interface FleetService {
  grpcPort: number;
  opsPort: number;
  /** One reconciler pass now (tests, and a cluster-wide singleton once replicas share a lock). */
  reconcile(): Promise<Repairs>;
  stop(): Promise<void>;
}

/**
 * Builds fleet's adapters, wires the use cases and starts serving. Every
 * closer goes into one platform shutdown, so stop() runs them all, last started first.
 */
export async function startFleetService(config: Config, options: { log: Logger; telemetry?: Telemetry; topics?: TopicNames }): Promise<FleetService> {
  const { log } = options;
  const topics = options.topics ?? defaultTopics();
  const closers = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  const stop = (): Promise<void> => closers.run('stop');

  try {
    const clock: Clock = { now: () => new Date() };
    const ids: Ids = { jobId: () => `job-${uuidv7()}`, orderId: () => `ord-${uuidv7()}`, commandId: () => uuidv7() };
    const keys = fleetKeys(config.REDIS_PREFIX);

    const redis = createRedis({ url: config.REDIS_URL, log, name: 'fleet' });
    closers.add('redis', () => closeRedis(redis));
    const subscriber = createRedis({ url: config.REDIS_URL, log, name: 'fleet-watch', blocking: true });
    closers.add('redis-subscriber', () => closeRedis(subscriber));

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'fleet', log });
    const producer = await kafka.producer();
    closers.add('kafka-producer', () => producer.close());

    const metrics = createDispatchMetrics(options.telemetry?.meter ?? otelMetrics.getMeter('fleet'));
    closers.add('metrics', async () => metrics.stop());

    // The relay is created first so every store write that appends events can wake it.
    const relay = createOutboxRelay({
      redis,
      keys,
      producer,
      topics,
      log,
      pollMs: config.OUTBOX_POLL_MS,
      instanceId: `${hostname()}-${randomUUID()}`,
      parked: metrics.parked,
    });
    const { jobs, vehicles, outbox } = createRedisStores(redis, keys, encodeOutboxEntries(topics, clock.now), relay.kick, metrics.jobSaved);
    relay.start();
    closers.add('outbox-relay', () => relay.stop());

    const routes = createRoutingClient(config.ROUTING_ADDR, config.ROUTING_DEADLINE_MS);
    closers.add('routing-client', () => routes.close());

    const queueConnection = { url: config.REDIS_URL, enableOfflineQueue: false };
    const dispatchQueue = createDispatchQueue({
      connection: queueConnection,
      workerConnection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
      name: config.DISPATCH_QUEUE,
      prefix: config.QUEUE_PREFIX,
      retryMs: config.DISPATCH_RETRY_MS,
      concurrency: config.DISPATCH_CONCURRENCY,
      log,
    });
    closers.add('dispatch-queue', () => dispatchQueue.close());
    metrics.observe({
      jobCounts: () => jobs.countByStatus(),
      queueCounts: () => dispatchQueue.depth(),
      outboxCounts: async () => ({ pending: await redis.llen(keys.outbox), parked: await redis.llen(keys.outboxParked) }),
    });

    const link = createVehicleLink({ jobs, vehicles, queue: dispatchQueue.port, outbox, clock, ids, log, leaseMs: config.LEASE_MS, resendMs: config.COMMAND_RESEND_MS });
    const jobUseCases = createJobUseCases({ jobs, vehicles, routes, queue: dispatchQueue.port, commands: link.commands, clock, ids });
    const dispatcher = createDispatcher({ jobs, vehicles, routes, commands: link.commands, clock, ids, rules: { minBatteryPct: config.MIN_BATTERY_PCT, candidates: config.DISPATCH_CANDIDATES }, log });
    const feed = await createJobEventFeed(subscriber, keys, log);

    const grpcServer = createGrpcServer({ log, services: ['kera.fleet.v1.JobService', 'kera.fleet.v1.FleetService', 'kera.fleet.v1.VehicleLink'] });
    grpcServer.server.addService(JobServiceService, jobService({ jobs: jobUseCases, feed, log }));
    grpcServer.server.addService(FleetServiceService, fleetService({ vehicles, commands: link.commands, log }));
    grpcServer.server.addService(
      VehicleLinkService,
      vehicleLinkService({ link, token: config.FLEET_TOKEN, stateIntervalMs: config.STATE_INTERVAL_MS, leaseMs: config.LEASE_MS, newId: ids.commandId, log }),
    );
    const grpcPort = await grpcServer.listen(`0.0.0.0:${config.GRPC_PORT}`);
    closers.add('grpc', () => grpcServer.close(config.SHUTDOWN_DEADLINE_MS / 2));

    let ticking: Promise<void> | undefined;
    const leaseTimer = setInterval(() => {
      ticking ??= link.tick().catch((err: unknown) => log.warn({ err }, 'lease check failed')).finally(() => (ticking = undefined));
    }, 1_000);
    closers.add('lease-timer', async () => {
      clearInterval(leaseTimer);
      await ticking;
    });

    const reconciler = createReconciler({
      jobs,
      vehicles,
      queue: dispatchQueue.port,
      outbox: relay,
      clock,
      log,
      settings: { assignTimeoutMs: config.RECONCILE_ASSIGN_TIMEOUT_MS, graceMs: config.RECONCILE_GRACE_MS, batch: 1_000 },
      repaired: metrics.repaired,
    });
    // TODO(merge): a plain interval on every replica for now (the repairs are idempotent);
    // move it under fleet-link's ClusterSingletons.every('reconciler', config.RECONCILE_INTERVAL_MS, …).
    closers.add('reconciler', repeat(config.RECONCILE_INTERVAL_MS, reconciler.runOnce));

    dispatchQueue.startWorker(dispatcher);
    grpcServer.setServing(true);
    const ops = await startOpsServer({ port: config.OPS_PORT, log, ready: () => redis.status === 'ready', exporter: options.telemetry?.exporter });
    closers.add('ops', () => ops.close());
    log.info({ grpcPort, opsPort: ops.port }, 'fleet ready');
    return { grpcPort, opsPort: ops.port, reconcile: reconciler.runOnce, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Run `work` every `intervalMs`, one pass at a time; the returned stop waits for a pass in flight. */
function repeat(intervalMs: number, work: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= work().finally(() => (running = undefined));
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
