import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  createGrpcServer,
  createKafka,
  kafkaSecurity,
  createLogger,
  startOpsServer,
  TOPICS,
  type EventProducer,
  type Logger,
  type OpsServer,
  createShutdown,
  type Shutdown,
} from '@kera/platform';
import { RoutingServiceService } from '@kera/proto/routing/v1/routing';
import { createRoutingServer } from './adapters/grpc/routing-server.js';
import { createChangePublisher } from './adapters/kafka/change-publisher.js';
import { createTrafficConsumer, type TrafficConsumer, type TrafficTopics } from './adapters/kafka/traffic-consumer.js';
import { loadNetworks } from './adapters/osm/network-loader.js';
import { createMatrixWorker } from './adapters/workers/matrix-rows.js';
import { createRoutePlanner } from './app/route-planner.js';
import { createTrafficUpdater, type TrafficUpdater } from './app/traffic-updater.js';
import type { RoutingConfig } from './config.js';
import { matchEdges } from './domain/edge-matching.js';
import type { ProfileNetwork } from './domain/network.js';
import { noGoZonesFromGeoJson, type NoGoZone } from './domain/no-go.js';
import { PROFILES, type ProfileName } from './domain/profiles.js';
import { FeedHealth } from './domain/traffic-feeds.js';
import { TrafficState } from './domain/traffic-state.js';
import { nextVersion, WeightStore } from './domain/weights.js';
import { createRoutingMetrics } from './metrics.js';

export interface RoutingService {
  readonly grpcPort: number;
  readonly opsPort: number;
  stop(): Promise<void>;
}

export interface RoutingOverrides {
  log?: Logger;
  topics?: TrafficTopics;
  /** Serves /metrics on the ops port when given (main passes the telemetry's exporter). */
  exporter?: Parameters<typeof startOpsServer>[0]['exporter'];
  clock?: () => number;
  /** runService's process shutdown; closers are added to it instead of a shutdown of routing's own. */
  shutdown?: Shutdown;
}

/**
 * Starts routing and resolves once it is ready: graphs loaded (from the cache
 * or the map), traffic rebuilt from the topics, gRPC serving.
 */
export async function startRoutingService(config: RoutingConfig, overrides: RoutingOverrides = {}): Promise<RoutingService> {
  const log = overrides.log ?? createLogger({ name: 'routing', level: config.LOG_LEVEL });
  const clock = overrides.clock ?? Date.now;
  const topics: TrafficTopics = overrides.topics ?? {
    observations: TOPICS.trafficObservations.name,
    incidents: TOPICS.trafficIncidents.name,
    changes: TOPICS.routingTrafficChanges.name,
    deadLetters: TOPICS.ingestDlq.name,
    feedStatus: TOPICS.ingestFeedStatus.name,
  };
  // runService's shutdown when run as a process; its own in tests.
  const closers = overrides.shutdown ?? createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  let ready = false;
  const stop = (): Promise<void> => closers.run('stop');

  try {
    const ops: OpsServer = await startOpsServer({
      port: config.OPS_PORT,
      log,
      ready: () => ready,
      ...(overrides.exporter ? { exporter: overrides.exporter } : {}),
    });
    closers.add('ops', () => ops.close());

    const { networks } = loadNetworks({
      mapPath: config.MAP_PATH,
      ...(config.GRAPH_CACHE_DIR !== 'off' ? { cacheDir: config.GRAPH_CACHE_DIR } : {}),
      noGoZones: readNoGoZones(config.NO_GO_ZONES),
      log,
    });
    const metrics = createRoutingMetrics();
    const store = new WeightStore({
      version: nextVersion(0, clock()),
      arcWeights: { road: networks.road.freeFlow, sidewalk: networks.sidewalk.freeFlow },
    });
    metrics.setTrafficVersion(store.current.version);

    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? 'routing', log, security: kafkaSecurity(config) });
    const producer: EventProducer = await kafka.producer();
    closers.add('producer', () => producer.close());
    const state = new TrafficState(
      (profile, geometry, bearing) => matchEdges(networks[profile].graph, networks[profile].snap, geometry, bearing),
      config.TRAFFIC_FRESHNESS_MS,
    );
    const feeds = new FeedHealth();
    const updater = startTraffic({ config, networks, store, state, producer, topics, clock, log, metrics });
    closers.add('traffic', async () => {
      updater.close();
      await updater.published();
    });
    const consumer: TrafficConsumer = createTrafficConsumer({
      kafka,
      producer,
      topics,
      // Every replica needs every observation: its own group, read from the beginning.
      groupId: `routing-${hostname()}-${randomBytes(4).toString('hex')}`,
      updater,
      feeds,
      metrics,
      log,
    });
    closers.add('consumer', () => consumer.stop());
    updater.hold(true);
    await consumer.start(config.READY_TIMEOUT_MS);
    updater.hold(false);
    updater.flush();

    const grpc = createGrpcServer({ log, tls: config, services: ['kera.routing.v1.RoutingService'] });
    // Customize the hierarchy for the current weights now, so the first query does not pay for it.
    if (config.SEARCH === 'hierarchy') for (const profile of PROFILES) networks[profile].hierarchy.metricFor(store.current.arcWeights[profile]);
    const matrixRows = config.MATRIX_WORKER && config.SEARCH === 'landmarks' ? createMatrixWorker(networks, log) : undefined;
    if (matrixRows) closers.add('matrix worker', () => matrixRows.close());
    const planner = createRoutePlanner({
      networks,
      weights: store,
      snapRadiusM: config.SNAP_RADIUS_M,
      search: config.SEARCH,
      ...(matrixRows ? { matrixRows } : {}),
    });
    const freshness = (profile: ProfileName) => feeds.freshness(profile, state.dataAsOfMs, clock());
    grpc.server.addService(
      RoutingServiceService,
      createRoutingServer({
        planner,
        clock,
        metrics,
        log,
        freshness,
        network: { graphs: { road: networks.road.graph, sidewalk: networks.sidewalk.graph }, weights: () => store.current },
      }),
    );
    const grpcPort = await grpc.listen(`${config.GRPC_HOST}:${config.GRPC_PORT}`);
    closers.add('grpc', () => grpc.close(config.SHUTDOWN_DEADLINE_MS));
    grpc.setServing(true);
    // Registered last, so it runs first: probes fail before anything closes.
    closers.add('readiness', () => {
      ready = false;
    });
    ready = true;
    log.info({ grpcPort, opsPort: ops.port, trafficVersion: store.current.version }, 'routing ready');
    return { grpcPort, opsPort: ops.port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function readNoGoZones(path: string | undefined): NoGoZone[] {
  if (!path) return [];
  try {
    return noGoZonesFromGeoJson(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new Error(`NO_GO_ZONES ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function startTraffic(deps: {
  config: RoutingConfig;
  networks: Record<ProfileName, ProfileNetwork>;
  store: WeightStore;
  state: TrafficState;
  producer: EventProducer;
  topics: TrafficTopics;
  clock: () => number;
  log: Logger;
  metrics: ReturnType<typeof createRoutingMetrics>;
}): TrafficUpdater {
  const { networks, metrics, state } = deps;
  return createTrafficUpdater({
    networks,
    store: deps.store,
    state,
    publisher: createChangePublisher(deps.producer, deps.topics.changes),
    clock: deps.clock,
    log: deps.log.child({ component: 'traffic' }),
    coalesceMs: deps.config.TRAFFIC_COALESCE_MS,
    tickMs: deps.config.TRAFFIC_TICK_MS,
    onSwap: (result) => {
      metrics.weightSwaps.add(1);
      metrics.changedEdges.add(result.changed.road.length + result.changed.sidewalk.length);
      metrics.setTrafficVersion(result.version);
    },
  });
}
