import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { metrics as otelMetrics, type Meter } from '@opentelemetry/api';
import {
  closeRedis,
  createGrpcAuth,
  createGrpcServer,
  createKafka,
  kafkaSecurity,
  createRedis,
  channelCredentials,
  createShutdown,
  createTokenVerifier,
  startOpsServer,
  type Telemetry,
  type Shutdown,
} from '@kera/platform';
import { FleetServiceService } from '@kera/proto/fleet/v1/fleet';
import { JobServiceService } from '@kera/proto/fleet/v1/jobs';
import { VehicleLinkService } from '@kera/proto/fleet/v1/vehicle_link';
import { createJobAccess, createVehicleQueries } from './app/access.js';
import type { TrafficChangeInbox } from './app/eta-ports.js';
import { createLiveEtas, type LiveEtas } from './app/live-etas.js';
import { createDispatcher } from './app/dispatcher.js';
import { createJobUseCases } from './app/jobs.js';
import type { Clock, DispatchQueue, Ids, JobStore, Outbox, ReplicaHeartbeats, RoutePlanner, VehicleStore } from './app/ports.js';
import { createReconciler, type Repairs } from './app/reconciler.js';
import { createVehicleLink, type VehicleLink } from './app/vehicle-link.js';
import { publishingEveryChange } from './app/vehicle-records.js';
import { fleetService } from './adapters/grpc/fleet-service.js';
import { jobService } from './adapters/grpc/job-service.js';
import { createRoutingClient } from './adapters/grpc/routing-client.js';
import { vehicleLinkService } from './adapters/grpc/vehicle-link-service.js';
import { createOutboxRelay, encodeOutboxEntries } from './adapters/kafka/outbox-relay.js';
import type { TopicNames } from './adapters/proto-mapping.js';
import { createDispatchQueue } from './adapters/queue/dispatch-queue.js';
import { createDispatchMetrics } from './adapters/telemetry/dispatch-metrics.js';
import { createJobEventFeed } from './adapters/redis/job-event-feed.js';
import { createClusterSingletons } from './adapters/redis/cluster-lock.js';
import { createCommandLedgerStore, createReplicaHeartbeats, createSessionDirectory, linkKeys } from './adapters/redis/link-store.js';
import { createRedisEtaStores } from './adapters/redis/eta-store.js';
import { createRedisStores, fleetKeys, type EncodeEvents } from './adapters/redis/stores.js';
import { createTrafficChangeConsumer } from './adapters/kafka/traffic-change-consumer.js';
import { createEtaMetrics } from './adapters/telemetry/eta-metrics.js';
import { createLinkMetrics } from './adapters/telemetry/link-metrics.js';
import type { Config } from './config.js';

export interface FleetService {
  grpcPort: number;
  opsPort: number;
  replicaId: string;
  /** One reconciler pass now (tests; in service it runs once cluster-wide under the lock). */
  reconcile(): Promise<Repairs>;
  stop(): Promise<void>;
}

type Closers = ReturnType<typeof createShutdown>;

/**
 * Live ETAs: the ETA history and traffic inbox on Redis, the use case, and a
 * vehicle link that also tells it of every state report (without waiting:
 * the link never waits on routing for an ETA).
 */
function buildLiveEtas(deps: {
  config: Config;
  redis: Redis;
  keys: ReturnType<typeof fleetKeys>;
  encode: EncodeEvents;
  appended: () => void;
  jobs: JobStore;
  vehicles: VehicleStore;
  routes: RoutePlanner;
  clock: Clock;
  log: Logger;
  meter: Meter;
}): { liveEtas: LiveEtas; inbox: TrafficChangeInbox; reportingTo: (link: VehicleLink) => VehicleLink } {
  const { config } = deps;
  const { etas, inbox } = createRedisEtaStores(deps.redis, { keys: deps.keys, encode: deps.encode, appended: deps.appended, historyMax: config.ETA_HISTORY_MAX });
  const liveEtas = createLiveEtas({
    ...deps, etas, inbox, metrics: createEtaMetrics(deps.meter),
    settings: { thresholdS: config.ETA_CHANGE_THRESHOLD_S, progressIntervalMs: config.ETA_PROGRESS_INTERVAL_MS, scanLimit: 10_000, concurrency: 8 },
  });
  const reportingTo = (link: VehicleLink): VehicleLink => ({
    ...link,
    async connect(hello, channel) {
      const session = await link.connect(hello, channel);
      return {
        ...session,
        async onState(report) {
          await session.onState(report);
          void liveEtas.vehicleReported(hello.vehicleId);
        },
      };
    },
  });
  return { liveEtas, inbox, reportingTo };
}

/**
 * This replica's part in the cluster: heartbeats, its own link housekeeping
 * (resends, silent streams, who is connected where), and the cluster-wide
 * lease watchdog under a lock that moves to a survivor when its holder dies.
 */
function startLinkTimers(deps: { link: VehicleLink; heartbeats: ReplicaHeartbeats; redis: Redis; config: Config; replicaId: string; clock: Clock; log: Logger; closers: Closers }) {
  const { link, config, clock, log, closers } = deps;
  const repeat = (name: string, ms: number, work: () => Promise<void>) => {
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      running ??= work().catch((err: unknown) => log.warn({ err }, `${name} failed`)).finally(() => (running = undefined));
    }, ms);
    closers.add(name, async () => {
      clearInterval(timer);
      await running;
    });
  };
  repeat('heartbeat', config.HEARTBEAT_MS, () => deps.heartbeats.beat(clock.now()));
  repeat('link-tick', Math.min(1_000, config.COMMAND_RESEND_MS), () => link.tick());
  const singletons = createClusterSingletons({ redis: deps.redis, prefix: config.REDIS_PREFIX, replicaId: deps.replicaId, ttlMs: config.CLUSTER_LOCK_TTL_MS, clock, log });
  closers.add('cluster-locks', () => singletons.close());
  singletons.every('lease-watchdog', config.LEASE_CHECK_MS, () => link.sweepLeases());
  return singletons;
}

/**
 * The vehicle link of this replica on its shared Redis parts: the command
 * ledger, the session directory (with its own subscriber connection for
 * nudges and connects), replica heartbeats and the link's metrics.
 */
async function buildVehicleLink(deps: {
  config: Config;
  replicaId: string;
  redis: Redis;
  closers: Closers;
  jobs: JobStore;
  vehicles: VehicleStore;
  queue: DispatchQueue;
  outbox: Outbox;
  routes: RoutePlanner;
  clock: Clock;
  ids: Ids;
  log: Logger;
  meter: Meter | undefined;
}): Promise<{ link: VehicleLink; heartbeats: ReplicaHeartbeats }> {
  const { config, replicaId, redis, closers, clock, log } = deps;
  const lk = linkKeys(config.REDIS_PREFIX);
  const nudges = createRedis({ url: config.REDIS_URL, log, name: 'fleet-nudges', blocking: true });
  closers.add('redis-nudges', () => closeRedis(nudges));
  const ledgerStore = createCommandLedgerStore(redis, lk);
  const heartbeats = createReplicaHeartbeats(redis, lk, replicaId, config.REPLICA_TTL_MS);
  await heartbeats.beat(clock.now());
  // The directory and the metrics call back into the link built after them.
  const late: { link?: VehicleLink } = {};
  const directory = await createSessionDirectory({
    redis, subscriber: nudges, keys: lk, replicaId, replicaTtlMs: config.REPLICA_TTL_MS, clock, log,
    onNudge: (vehicleId) => void late.link?.nudged(vehicleId).catch((err: unknown) => log.warn({ err, vehicleId }, 'delivering nudged commands failed')),
    onSessionChange: (vehicleId, connected) => late.link?.sessionChanged(vehicleId, connected),
  });
  const linkMetrics = createLinkMetrics(deps.meter ?? otelMetrics.getMeter('fleet'), {
    replicaId,
    connected: () => late.link?.connectedCount() ?? 0,
    pending: async () => (await Promise.all((await ledgerStore.vehiclesWithPending()).map((id) => redis.hlen(lk.commands(id))))).reduce((a, b) => a + b, 0),
  });
  const link = createVehicleLink({
    ...deps, ledgerStore, directory, heartbeats, metrics: linkMetrics,
    leaseMs: config.LEASE_MS, resendMs: config.COMMAND_RESEND_MS, maxSends: config.COMMAND_MAX_SENDS, positionEventMs: config.POSITION_EVENT_MS,
  });
  late.link = link;
  return { link, heartbeats };
}

/**
 * Builds fleet's adapters, wires the use cases and starts serving. Every
 * closer goes into one platform shutdown, so stop() runs them all, last started first.
 */
export async function startFleetService(config: Config, options: { log: Logger; telemetry?: Telemetry; topics?: TopicNames; shutdown?: Shutdown }): Promise<FleetService> {
  const { log } = options;
  const topics = options.topics ?? { jobEvents: config.JOB_EVENTS_TOPIC, vehicleEvents: config.VEHICLE_EVENTS_TOPIC, orders: config.ORDERS_TOPIC };
  // runService's shutdown when run as a process; its own in tests.
  const closers = options.shutdown ?? createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  const stop = (): Promise<void> => closers.run('stop');

  try {
    const clock: Clock = { now: () => new Date() };
    const ids: Ids = { jobId: () => `job-${uuidv7()}`, orderId: () => `ord-${uuidv7()}`, commandId: () => uuidv7() };
    const keys = fleetKeys(config.REDIS_PREFIX);
    const replicaId = config.REPLICA_ID ?? `${hostname()}-${randomUUID().slice(0, 8)}`;

    // No auto-pipelining on this connection: ioredis then has one batch in flight at a time, so one
    // slow reply (a 1,000-vehicle MGET) holds up every state report behind it.
    const redis = createRedis({ url: config.REDIS_URL, log, name: 'fleet' });
    closers.add('redis', () => closeRedis(redis));
    const subscriber = createRedis({ url: config.REDIS_URL, log, name: 'fleet-watch', blocking: true });
    closers.add('redis-subscriber', () => closeRedis(subscriber));

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'fleet', log, security: kafkaSecurity(config) });
    const producer = await kafka.producer();
    closers.add('kafka-producer', () => producer.close());

    const metrics = createDispatchMetrics(options.telemetry?.meter ?? otelMetrics.getMeter('fleet'));
    closers.add('metrics', async () => metrics.stop());

    // The relay is created first so every store write that appends events can wake it.
    const relay = createOutboxRelay({ redis, keys, producer, topics, log, pollMs: config.OUTBOX_POLL_MS, instanceId: replicaId, parked: metrics.parked });
    const stores = createRedisStores(redis, keys, encodeOutboxEntries(topics, clock.now), relay.kick, metrics.jobSaved);
    const { jobs, outbox } = stores;
    const vehicles = publishingEveryChange(stores.vehicles);
    relay.start();
    closers.add('outbox-relay', () => relay.stop());

    const routes = createRoutingClient(config.ROUTING_ADDR, config.ROUTING_DEADLINE_MS, channelCredentials({ ca: config.GRPC_TLS_CA }));
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

    const { link, heartbeats } = await buildVehicleLink({ config, replicaId, redis, closers, jobs, vehicles, queue: dispatchQueue.port, outbox, routes, clock, ids, log, meter: options.telemetry?.meter });
    const jobUseCases = createJobUseCases({ jobs, vehicles, routes, queue: dispatchQueue.port, commands: link.commands, clock, ids });
    const dispatcher = createDispatcher({ jobs, vehicles, routes, commands: link.commands, queue: dispatchQueue.port, clock, ids, rules: { minBatteryPct: config.MIN_BATTERY_PCT, candidates: config.DISPATCH_CANDIDATES }, log });
    const feed = await createJobEventFeed(subscriber, keys, log);
    const { liveEtas, inbox, reportingTo } = buildLiveEtas({ config, redis, keys, encode: encodeOutboxEntries(topics, clock.now), appended: relay.kick, jobs, vehicles, routes, clock, log, meter: options.telemetry?.meter ?? otelMetrics.getMeter('fleet') });

    const verifier = createTokenVerifier({ keys: config.AUTH_PUBLIC_KEYS, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE });
    const auth = createGrpcAuth(verifier);
    const grpcServer = createGrpcServer({ log, tls: config, services: ['kera.fleet.v1.JobService', 'kera.fleet.v1.FleetService', 'kera.fleet.v1.VehicleLink'] });
    grpcServer.server.addService(JobServiceService, jobService({ jobs: createJobAccess(jobUseCases, liveEtas), feed, auth, log }));
    const queries = createVehicleQueries({ vehicles, jobs });
    grpcServer.server.addService(FleetServiceService, fleetService({ vehicles, queries, commands: link.commands, auth, log }));
    grpcServer.server.addService(
      VehicleLinkService,
      vehicleLinkService({ link: reportingTo(link), verifier, stateIntervalMs: config.STATE_INTERVAL_MS, leaseMs: config.LEASE_MS, newId: ids.commandId, log }),
    );
    const grpcPort = await grpcServer.listen(`0.0.0.0:${config.GRPC_PORT}`);
    closers.add('grpc', () => grpcServer.close(config.SHUTDOWN_DEADLINE_MS / 2));

    const singletons = startLinkTimers({ link, heartbeats, redis, config, replicaId, clock, log, closers });

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
    // Once cluster-wide, on whichever replica holds the lock (the repairs are idempotent anyway).
    singletons.every('reconciler', config.RECONCILE_INTERVAL_MS, async () => void (await reconciler.runOnce()));
    // Every replica consumes (one group) into the shared inbox; one at a time recomputes the ETAs.
    singletons.every('eta-traffic', config.ETA_TRAFFIC_SWEEP_MS, async () => void (await liveEtas.sweepTrafficChanges()));
    const trafficChanges = createTrafficChangeConsumer({ kafka, topic: config.TRAFFIC_CHANGES_TOPIC, groupId: config.ETA_GROUP_ID, inbox, log });
    closers.add('traffic-changes-consumer', () => trafficChanges.stop());
    await trafficChanges.start();

    dispatchQueue.startWorker(dispatcher);
    grpcServer.setServing(true);
    const ops = await startOpsServer({ port: config.OPS_PORT, log, ready: () => redis.status === 'ready', exporter: options.telemetry?.exporter });
    closers.add('ops', () => ops.close());
    log.info({ grpcPort, opsPort: ops.port, replicaId }, 'fleet ready');
    return { grpcPort, opsPort: ops.port, replicaId, reconcile: reconciler.runOnce, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

