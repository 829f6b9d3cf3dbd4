import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { RoutingServiceService, type RoutingServiceServer } from '@kera/proto/routing/v1/routing';
import { createKafka, createLogger, TOPICS, type KafkaPort, type Telemetry } from '@kera/platform';
import { deleteKeys, testInfra, uniqueName, waitFor } from '@kera/testkit';
import { loadConfig, type Config } from '../src/config.js';
import { startFleetService, type FleetService } from '../src/service.js';
import type { TopicNames } from '../src/adapters/proto-mapping.js';
import { testKeys } from './auth.js';

const R = 6_371_000;
const metres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
  const dLat = ((b.lat - a.lat) * Math.PI) / 180;
  const dLon = ((b.lon - a.lon) * Math.PI) / 180;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos((a.lat * Math.PI) / 180) * Math.cos((b.lat * Math.PI) / 180) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(x));
};

/** What the stand-in's traffic is now: every duration is multiplied by `slowdown`; plans report `version`. */
export interface StandInTraffic {
  slowdown: number;
  version: number;
}

/**
 * A stand-in RoutingService over a real socket: straight lines at 1.5 m/s
 * (divided by `traffic.slowdown`), leg i driving over graph edge i. Fleet's
 * own tests use it so they do not depend on the map; the end-to-end test uses
 * the real routing service.
 */
export async function startStraightLineRouting(): Promise<{ address: string; close(): void; calls: string[]; traffic: StandInTraffic }> {
  const calls: string[] = [];
  const traffic: StandInTraffic = { slowdown: 1, version: 1 };
  const speed = () => 1.5 / traffic.slowdown;
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
        return { distanceM, durationS: distanceM / speed(), edgeIds: [i], points: [from, to] };
      });
      const distanceM = legs.reduce((s, l) => s + l.distanceM, 0);
      callback(null, { legs, distanceM, durationS: distanceM / speed(), trafficVersion: traffic.version, edgeIds: legs.map((_, i) => i), geometryJson: '' } as never);
    },
    planMatrix(call, callback) {
      calls.push('planMatrix');
      const { sources, destinations } = call.request;
      if ([...sources, ...destinations].some((p) => p.lat > 61)) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'source 0 is 120 km from the nearest street' });
        return;
      }
      const durationsS = sources.flatMap((s) => destinations.map((d) => metres(s, d) / speed()));
      callback(null, { rows: sources.length, cols: destinations.length, durationsS, distancesM: [], trafficVersion: traffic.version });
    },
    getNetwork(_call, callback) {
      callback({ code: grpc.status.UNIMPLEMENTED, details: 'the straight-line stand-in has no street network' });
    },
  };
  const server = new grpc.Server();
  server.addService(RoutingServiceService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown(), calls, traffic };
}

/** Names one fleet cluster under test shares: topics, Redis prefix, dispatch queue, its group on traffic changes. */
export interface FleetNames {
  topics: TopicNames;
  /** The routing.traffic-changes.v1 stand-in fleet consumes (its own, so parallel tests never share a group or records). */
  trafficChanges: string;
  etaGroupId: string;
  redisPrefix: string;
  dispatchQueue: string;
}

/** Fresh names for a cluster under test, with its topics created. */
export async function createFleetNames(kafka: KafkaPort): Promise<FleetNames> {
  const topics: TopicNames = {
    jobEvents: uniqueName('test.fleet.job-events'),
    vehicleEvents: uniqueName('test.fleet.vehicle-events'),
    orders: uniqueName('test.fleet.orders'),
  };
  const trafficChanges = uniqueName('test.fleet.traffic-changes');
  await kafka.ensureTopics([
    { ...TOPICS.fleetJobEvents, name: topics.jobEvents },
    { ...TOPICS.fleetVehicleEvents, name: topics.vehicleEvents },
    { ...TOPICS.fleetOrders, name: topics.orders },
    { ...TOPICS.routingTrafficChanges, name: trafficChanges },
  ]);
  // A busy broker may answer for a new topic's partitions a moment after creating it.
  for (const topic of [...Object.values(topics), trafficChanges]) await waitFor(`topic ${topic} served`, () => kafka.endOffsets(topic).then((o) => o.length > 0));
  return { topics, trafficChanges, etaGroupId: uniqueName('fleet-eta-test'), redisPrefix: uniqueName('fleet-test'), dispatchQueue: uniqueName('dispatch') };
}

/** Remove a cluster's topics and Redis keys. */
export async function deleteFleetNames(kafka: KafkaPort, names: FleetNames, queuePrefix = 'bull'): Promise<void> {
  const infra = await testInfra();
  await kafka.deleteTopics([...Object.values(names.topics), names.trafficChanges]);
  await kafka.deleteGroup(names.etaGroupId).catch(() => undefined); // absent when no replica ever joined
  await deleteKeys(infra.redisUrl, [`${names.redisPrefix}:*`, `${queuePrefix}:${names.dispatchQueue}:*`]);
}

const fleetEnv = (infra: { kafkaBrokers: string[]; redisUrl: string }, routingAddress: string, names: FleetNames, overrides: Record<string, string>): Record<string, string> => ({
  KAFKA_BROKERS: infra.kafkaBrokers.join(','),
  REDIS_URL: infra.redisUrl,
  ROUTING_ADDR: routingAddress,
  GRPC_PORT: '0',
  OPS_PORT: '0',
  REDIS_PREFIX: names.redisPrefix,
  DISPATCH_QUEUE: names.dispatchQueue,
  DISPATCH_RETRY_MS: '200',
  OUTBOX_POLL_MS: '100',
  TRAFFIC_CHANGES_TOPIC: names.trafficChanges,
  ETA_GROUP_ID: names.etaGroupId,
  // Trusts the test key pair (./auth.js): clients present tokens with asAdmin() / asOperator(id).
  AUTH_PUBLIC_KEYS: testKeys.publicKeys,
  ...overrides,
});

export interface FleetUnderTest {
  fleet: FleetService;
  kafka: KafkaPort;
  topics: TopicNames;
  names: FleetNames;
  config: Config;
  address: string;
  stop(): Promise<void>;
}

/**
 * Fleet in-process on real Redis, Kafka and gRPC sockets, with fresh names
 * for everything; or, given `names`, one more replica of an existing cluster
 * (then stop() leaves the shared names to deleteFleetNames).
 */
export async function startFleetUnderTest(
  routingAddress: string,
  overrides: Record<string, string> = {},
  shared?: FleetNames,
  options: { telemetry?: Telemetry } = {},
): Promise<FleetUnderTest> {
  const infra = await testInfra();
  const log = createLogger({ name: 'fleet-test', level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'fleet-test', log });
  const names = shared ?? (await createFleetNames(kafka));
  const config = loadConfig(fleetEnv(infra, routingAddress, names, overrides));
  const fleet = await startFleetService(config, { log, topics: names.topics, ...options });
  return {
    fleet,
    kafka,
    topics: names.topics,
    names,
    config,
    address: `127.0.0.1:${fleet.grpcPort}`,
    async stop() {
      await fleet.stop();
      if (!shared) await deleteFleetNames(kafka, names, config.QUEUE_PREFIX);
    },
  };
}

export interface FleetProcess {
  address: string;
  opsPort: number;
  replicaId: string;
  /** What it logged, one pino line each. */
  logs: string[];
  /** `kill -9`: no shutdown, no cleanup, as a crashed pod. */
  kill(): Promise<void>;
  /** SIGTERM and wait for its graceful exit. */
  stop(): Promise<void>;
}

const FLEET_MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** A fleet replica as its own process (the real main.ts), ready when it logs "fleet ready". */
export async function startFleetProcess(routingAddress: string, names: FleetNames, overrides: Record<string, string> = {}): Promise<FleetProcess> {
  const infra = await testInfra();
  const env = { ...process.env, ...fleetEnv(infra, routingAddress, names, overrides), LOG_LEVEL: 'info',
    JOB_EVENTS_TOPIC: names.topics.jobEvents, VEHICLE_EVENTS_TOPIC: names.topics.vehicleEvents, ORDERS_TOPIC: names.topics.orders };
  const child = spawn(process.execPath, [FLEET_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<{ grpcPort: number; opsPort: number; replicaId: string }>((resolve, reject) => {
    const onLine = (line: string) => {
      logs.push(line);
      if (line.includes('"fleet ready"')) resolve(JSON.parse(line) as { grpcPort: number; opsPort: number; replicaId: string });
    };
    let buffered = '';
    const onData = (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      parts.filter((l) => l.trim()).forEach(onLine);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`fleet process exited before it was ready:\n${logs.slice(-20).join('\n')}`)));
  });
  const { grpcPort, opsPort, replicaId } = await ready;
  return {
    address: `127.0.0.1:${grpcPort}`,
    opsPort,
    replicaId,
    logs,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
