/**
 * The system under test, each part a separate process: routing, N fleet
 * replicas sharing one Redis namespace and dispatch queue, one address in
 * front of them, and the recording simulators.
 */
import type { RunCredentials } from './credentials.js';
import { freePort } from './front.js';
import { nextMessage, waitReady, type Child, type ProcessGroup } from './processes.js';
import type { Place } from './places.js';
import type { BenchOptions } from './options.js';

const READY_TIMEOUT_MS = 180_000;
/**
 * Simulated vehicles check every tick whether a report is due, so fleet asks
 * for reports a little under the wanted period: with 250 ms ticks, asking for
 * 900 ms gives one report every 1,000 ms (asking for 1,000 ms would give
 * one every 1,000–1,250 ms).
 */
const SIM_TICK_MS = 250;
const fleetStateIntervalMs = (wantedMs: number) => Math.max(SIM_TICK_MS, wantedMs - 100);

export interface Shared {
  run: string;
  kafkaBrokers: string;
  redisUrl: string;
  logLevel: string;
  credentials: RunCredentials;
}

export interface Routing {
  addr: string;
}

export async function startRouting(group: ProcessGroup, shared: Shared): Promise<Routing> {
  const [grpcPort, opsPort] = [await freePort(), await freePort()];
  const child = group.start('routing', 'services/routing/dist/src/main.js', {
    KAFKA_BROKERS: shared.kafkaBrokers,
    REDIS_URL: shared.redisUrl,
    LOG_LEVEL: shared.logLevel,
    GRPC_PORT: String(grpcPort),
    OPS_PORT: String(opsPort),
    REDIS_PREFIX: `${shared.run}:routing`,
  });
  await waitReady(child, opsPort, READY_TIMEOUT_MS);
  return { addr: `127.0.0.1:${grpcPort}` };
}

export interface Replica {
  index: number;
  grpcPort: number;
  opsPort: number;
  child: Child;
}

export interface Fleet {
  replicas: Replica[];
  /** The one target clients use: the replica itself when there is one, else the TCP front or every replica with gRPC round_robin. */
  target: string;
  lb: 'pick_first' | 'round_robin';
  /** kill -9 one replica, then start it again on the same ports; resolves when it is ready again. */
  killAndRestart(index: number, onKilled: (at: number) => void): Promise<number>;
}

/** One address for all replicas: a TCP front process, or the replicas' addresses for gRPC round_robin. */
async function fleetTarget(group: ProcessGroup, replicas: Replica[], front: BenchOptions['front']): Promise<{ target: string; lb: Fleet['lb'] }> {
  if (replicas.length === 1) return { target: `127.0.0.1:${replicas[0]!.grpcPort}`, lb: 'pick_first' };
  if (front === 'addresses') return { target: `ipv4:${replicas.map((r) => `127.0.0.1:${r.grpcPort}`).join(',')}`, lb: 'round_robin' };
  const child = group.start('front', 'tools/bench/dist/src/dispatch/front-main.js', { FRONT_BACKENDS: replicas.map((r) => r.grpcPort).join(',') });
  const { port } = await nextMessage<{ port: number }>(child);
  return { target: `127.0.0.1:${port}`, lb: 'pick_first' };
}

export async function startFleet(group: ProcessGroup, shared: Shared, routing: Routing, options: BenchOptions): Promise<Fleet> {
  const env = (r: { index: number; grpcPort: number; opsPort: number }) => ({
    KAFKA_BROKERS: shared.kafkaBrokers,
    KAFKA_CLIENT_ID: `fleet-${r.index}`,
    REDIS_URL: shared.redisUrl,
    LOG_LEVEL: shared.logLevel,
    GRPC_PORT: String(r.grpcPort),
    OPS_PORT: String(r.opsPort),
    ROUTING_ADDR: routing.addr,
    REDIS_PREFIX: `${shared.run}:fleet`,
    DISPATCH_QUEUE: `${shared.run}-dispatch`,
    STATE_INTERVAL_MS: String(fleetStateIntervalMs(options.stateIntervalMs)),
    ...shared.credentials.fleetEnv,
  });
  const launch = (r: { index: number; grpcPort: number; opsPort: number }, generation: number) =>
    group.start(`fleet-${r.index}${generation > 0 ? `-restart${generation}` : ''}`, 'services/fleet/dist/src/main.js', env(r), { cpuProfile: options.cpuProf });
  const replicas: Replica[] = [];
  for (let index = 0; index < options.replicas; index++) {
    const ports = { index, grpcPort: await freePort(), opsPort: await freePort() };
    replicas.push({ ...ports, child: launch(ports, 0) });
  }
  await Promise.all(replicas.map((r) => waitReady(r.child, r.opsPort, READY_TIMEOUT_MS)));

  const { target, lb } = await fleetTarget(group, replicas, options.front);
  let restarts = 0;
  return {
    replicas,
    target,
    lb,
    async killAndRestart(index, onKilled) {
      const replica = replicas[index]!;
      const gone = group.kill9(replica.child);
      onKilled(Date.now());
      await gone;
      replica.child = launch(replica, ++restarts);
      await waitReady(replica.child, replica.opsPort, READY_TIMEOUT_MS);
      return Date.now();
    },
  };
}

/** The environment of one recording simulator (tools/sim/src/record-main.ts). */
export function simulatorEnv(o: { shared: Shared; fleet: Fleet; index: number; robots: number; shuttles: number; places: Place[]; options: BenchOptions }): Record<string, string> {
  return {
    FLEET_ADDR: o.fleet.target,
    SIM_LB: o.fleet.lb,
    // The simulator issues each of its vehicles a token for its own id with the run's key.
    ...o.shared.credentials.simulatorEnv,
    SIM_ID_PREFIX: `${o.shared.run}-s${o.index}`,
    SIM_ROBOTS: String(o.robots),
    SIM_SHUTTLES: String(o.shuttles),
    SIM_CHANNELS: String(o.options.channels),
    SIM_SPEEDUP: String(o.options.speedup),
    SIM_TICK_MS: String(SIM_TICK_MS),
    SIM_PLACES: JSON.stringify(o.places),
    LOG_LEVEL: o.shared.logLevel,
  };
}
