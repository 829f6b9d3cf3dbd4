/** Runs a fleet of virtual robots and shuttles against the fleet service's VehicleLink. */
import { credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { issueToken, type Logger, type SigningKey } from '@kera/platform';
import { VehicleLinkClient } from '@kera/proto/fleet/v1/vehicle_link';
import type { LatLon } from './geo.js';
import type { VehicleKind } from './model-types.js';
import { startVehicleClient, type VehicleHandle, type VehicleObserver } from './vehicle-client.js';
import { initialVehicleState, vehicleSpec } from './vehicle-model.js';

export interface SimVehicleConfig {
  id: string;
  kind: VehicleKind;
  start: LatLon;
  batteryPct?: number;
}

export interface FleetSimOptions {
  /** Any gRPC target: host:port, or several addresses (ipv4:a:1,b:2) with a load-balancing policy in channelOptions. */
  fleetAddr: string;
  /** TLS to fleet when given (GRPC_TLS_CA, plus a client certificate when fleet requires mTLS). */
  credentials?: ChannelCredentials;
  vehicles: SimVehicleConfig[];
  /** Sim seconds per wall-clock second. */
  speedup: number;
  /** The token each vehicle presents in its Hello: one per vehicle id (fleet accepts a vehicle token for its own id only). */
  token: string | ((vehicleId: string) => string);
  log: Logger;
  /** Wall-clock milliseconds between simulation steps. */
  tickMs?: number;
  softwareVersion?: string;
  reconnect?: { initialMs: number; maxMs: number };
  /** Extra channel options (e.g. a round_robin service config for several fleet addresses). */
  channelOptions?: ChannelOptions;
  /** Connections to spread the vehicles over (1: all streams on one connection). */
  channels?: number;
  observer?: VehicleObserver;
}

export interface FleetSim {
  readonly vehicles: readonly VehicleHandle[];
  /** Idempotent: closes every vehicle's stream, then the channel. */
  stop(): Promise<void>;
}

export const SIM_SOFTWARE_VERSION = 'kera-sim/0.1.0';

export function startFleetSim(options: FleetSimOptions): FleetSim {
  const log = options.log.child({ component: 'fleet-sim' });
  const channels = Math.max(1, options.channels ?? 1);
  const links = Array.from(
    { length: channels },
    () =>
      new VehicleLinkClient(options.fleetAddr, options.credentials ?? credentials.createInsecure(), {
        // Notice a dead fleet connection within seconds, not at the next TCP timeout.
        'grpc.keepalive_time_ms': 15_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.keepalive_permit_without_calls': 1,
        'grpc.initial_reconnect_backoff_ms': 250,
        'grpc.max_reconnect_backoff_ms': 5_000,
        // Several channels to one target share a connection unless each keeps its own.
        ...(channels > 1 ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
        ...options.channelOptions,
      }),
  );
  const vehicles = options.vehicles.map((config, i) =>
    startVehicleClient({
      link: links[i % channels]!,
      initial: initialVehicleState(vehicleSpec(config.id, config.kind), config.start, config.batteryPct ?? 100),
      token: typeof options.token === 'string' ? options.token : options.token(config.id),
      softwareVersion: options.softwareVersion ?? SIM_SOFTWARE_VERSION,
      speedup: options.speedup,
      tickMs: options.tickMs ?? 200,
      log,
      ...(options.reconnect ? { reconnect: options.reconnect } : {}),
      ...(options.observer ? { observer: options.observer } : {}),
    }),
  );
  log.info({ fleetAddr: options.fleetAddr, vehicles: vehicles.length, channels, speedup: options.speedup }, 'virtual fleet started');

  let stopping: Promise<void> | undefined;
  return {
    vehicles,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.allSettled(vehicles.map((v) => v.stop()));
        links.forEach((link) => link.close());
        log.info('virtual fleet stopped');
      })()),
  };
}

/** One vehicle token per vehicle, issued with the simulator's signing key. */
export async function issueVehicleTokens(
  vehicles: readonly SimVehicleConfig[],
  signing: { key: SigningKey; issuer: string; audience: string; ttlSeconds: number },
): Promise<(vehicleId: string) => string> {
  const tokens = new Map<string, string>();
  for (const { id } of vehicles) tokens.set(id, await issueToken(signing.key, { scope: 'vehicle', vehicleId: id }, signing));
  return (vehicleId) => {
    const token = tokens.get(vehicleId);
    if (token === undefined) throw new Error(`no token issued for vehicle ${vehicleId}`);
    return token;
  };
}

/** Street positions in Otaniemi, Espoo (taken from the demo OSM extract): footways and side streets for robots. */
const ROBOT_STARTS: readonly LatLon[] = [
  { lat: 60.1851, lon: 24.82595 }, // Otakaari
  { lat: 60.18653, lon: 24.82687 }, // Otakaari, main building
  { lat: 60.18514, lon: 24.82516 }, // Biologinkuja
  { lat: 60.18651, lon: 24.8224 }, // Konemiehentie
  { lat: 60.18734, lon: 24.82504 }, // Puumiehenkuja
  { lat: 60.18825, lon: 24.82864 }, // Sähkömiehentie
  { lat: 60.18462, lon: 24.83307 }, // Luolamiehentie
  { lat: 60.18765, lon: 24.83494 }, // Jämeräntaival
  { lat: 60.18391, lon: 24.82815 }, // Vuorimiehentie
  { lat: 60.18379, lon: 24.82693 }, // Kemistintie
];

/** Drivable roads for shuttles. */
const SHUTTLE_STARTS: readonly LatLon[] = [
  { lat: 60.1842, lon: 24.82798 }, // Otaniementie
  { lat: 60.18572, lon: 24.82587 }, // Otakaari
  { lat: 60.18047, lon: 24.82481 }, // Tekniikantie
  { lat: 60.18587, lon: 24.82414 }, // Otaniementie, north
  { lat: 60.18806, lon: 24.83757 }, // Jämeräntaival
];

/** Positions beyond the list repeat it with a few metres' offset, so vehicles never stack exactly. */
function startAt(list: readonly LatLon[], index: number): LatLon {
  const base = list[index % list.length]!;
  const round = Math.floor(index / list.length);
  return { lat: base.lat + round * 0.00004, lon: base.lon + round * 0.00006 };
}

/** The demo fleet: robot-1..n and shuttle-1..m spread around the Otaniemi campus, batteries 80–100 %. */
export function otaniemiFleet(counts: { robots: number; shuttles: number }): SimVehicleConfig[] {
  const battery = (i: number) => 100 - ((i * 7) % 21);
  const robots = Array.from({ length: counts.robots }, (_, i): SimVehicleConfig => ({
    id: `robot-${i + 1}`,
    kind: 'ROBOT',
    start: startAt(ROBOT_STARTS, i),
    batteryPct: battery(i),
  }));
  const shuttles = Array.from({ length: counts.shuttles }, (_, i): SimVehicleConfig => ({
    id: `shuttle-${i + 1}`,
    kind: 'SHUTTLE',
    start: startAt(SHUTTLE_STARTS, i),
    batteryPct: battery(i + 3),
  }));
  return [...robots, ...shuttles];
}
