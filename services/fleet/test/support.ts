import * as grpc from '@grpc/grpc-js';
import { RoutingServiceService, type RoutingServiceServer } from '@kera/proto/routing/v1/routing';
import { createKafka, createLogger, TOPICS, type KafkaPort, type Telemetry } from '@kera/platform';
import { deleteKeys, testInfra, uniqueName } from '@kera/testkit';
import { loadConfig, type Config } from '../src/config.js';
import { startFleetService, type FleetService } from '../src/service.js';
import type { TopicNames } from '../src/adapters/proto-mapping.js';

const R = 6_371_000;
const metres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
  const dLat = ((b.lat - a.lat) * Math.PI) / 180;
  const dLon = ((b.lon - a.lon) * Math.PI) / 180;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos((a.lat * Math.PI) / 180) * Math.cos((b.lat * Math.PI) / 180) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(x));
};

/**
 * A stand-in RoutingService over a real socket: straight lines at 1.5 m/s.
 * Fleet's own tests use it so they do not depend on the map; the end-to-end
 * test uses the real routing service.
 */
export async function startStraightLineRouting(): Promise<{ address: string; close(): void; calls: string[] }> {
  const calls: string[] = [];
  const impl: RoutingServiceServer = {
    planRoute(call, callback) {
      calls.push('planRoute');
      const pts = call.request.waypoints;
      if (pts.some((p) => p.lat > 61)) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'waypoint 0 is 120 km from the nearest street' });
        return;
      }
      const legs = pts.slice(1).map((to, i) => {
        const from = pts[i]!;
        const distanceM = metres(from, to);
        return { distanceM, durationS: distanceM / 1.5, edgeIds: [i], points: [from, to] };
      });
      const distanceM = legs.reduce((s, l) => s + l.distanceM, 0);
      callback(null, { legs, distanceM, durationS: distanceM / 1.5, trafficVersion: 1, edgeIds: legs.map((_, i) => i), geometryJson: '' } as never);
    },
    planMatrix(call, callback) {
      calls.push('planMatrix');
      const { sources, destinations } = call.request;
      const durationsS = sources.flatMap((s) => destinations.map((d) => metres(s, d) / 1.5));
      callback(null, { rows: sources.length, cols: destinations.length, durationsS, distancesM: [], trafficVersion: 1 });
    },
  };
  const server = new grpc.Server();
  server.addService(RoutingServiceService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown(), calls };
}

export interface FleetUnderTest {
  fleet: FleetService;
  kafka: KafkaPort;
  topics: TopicNames;
  config: Config;
  address: string;
  stop(): Promise<void>;
}

/** Fleet in-process on real Redis, Kafka and gRPC sockets, with fresh names for everything. */
export async function startFleetUnderTest(
  routingAddress: string,
  overrides: Record<string, string> = {},
  options: { telemetry?: Telemetry } = {},
): Promise<FleetUnderTest> {
  const infra = await testInfra();
  const log = createLogger({ name: 'fleet-test', level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'fleet-test', log });
  const topics: TopicNames = {
    jobEvents: uniqueName('test.fleet.job-events'),
    vehicleEvents: uniqueName('test.fleet.vehicle-events'),
    orders: uniqueName('test.fleet.orders'),
  };
  await kafka.ensureTopics([
    { ...TOPICS.fleetJobEvents, name: topics.jobEvents },
    { ...TOPICS.fleetVehicleEvents, name: topics.vehicleEvents },
    { ...TOPICS.fleetOrders, name: topics.orders },
  ]);
  const config = loadConfig({
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    ROUTING_ADDR: routingAddress,
    GRPC_PORT: '0',
    OPS_PORT: '0',
    REDIS_PREFIX: uniqueName('fleet-test'),
    DISPATCH_QUEUE: uniqueName('dispatch'),
    DISPATCH_RETRY_MS: '200',
    OUTBOX_POLL_MS: '100',
    ...overrides,
  });
  const fleet = await startFleetService(config, { log, topics, ...options });
  return {
    fleet,
    kafka,
    topics,
    config,
    address: `127.0.0.1:${fleet.grpcPort}`,
    async stop() {
      await fleet.stop();
      await kafka.deleteTopics(Object.values(topics));
      await deleteKeys(infra.redisUrl, [`${config.REDIS_PREFIX}:*`, `${config.QUEUE_PREFIX}:${config.DISPATCH_QUEUE}:*`]);
    },
  };
}
