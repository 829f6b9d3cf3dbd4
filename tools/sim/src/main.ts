/**
 * The simulator: a fleet of virtual robots and shuttles on the fleet's
 * VehicleLink, plus the replayable city feed. A client like any other: it uses
 * only the public gRPC services and topics.
 */
import { channelCredentials, createLogger, createShutdown, crashOnUnexpected, env, parseConfig } from '@kera/platform';
import { startCityFeed } from './feed/feed.js';
import { z } from 'zod';
import { vehicleSimConfigSchema } from './vehicles/config.js';
import { issueVehicleTokens, otaniemiFleet, startFleetSim } from './vehicles/index.js';

const configSchema = z.object({
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_DEADLINE_MS: env.positiveInt(10_000),
  /** Start the city feed too, when the feed module is there; it publishes to Kafka. */
  SIM_FEED: env.flag(true),
  KAFKA_BROKERS: env.brokers(),
  FEED_INTERVAL_MS: env.positiveInt(5_000),
  FEED_TIME_SCALE: z.coerce.number().positive().default(60),
  /** TLS to fleet: the CA bundle, and the vehicles' client certificate and key when fleet requires mTLS. */
  GRPC_TLS_CA: z.string().min(1).optional(),
  GRPC_TLS_CLIENT_CERT: z.string().min(1).optional(),
  GRPC_TLS_CLIENT_KEY: z.string().min(1).optional(),
  ...vehicleSimConfigSchema,
}).superRefine((config, ctx) => {
  if (config.SIM_ROBOTS + config.SIM_SHUTTLES > 0 && !config.AUTH_SIGNING_KEY) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_SIGNING_KEY'], message: 'required to issue the vehicles their tokens (or set SIM_ROBOTS=0 SIM_SHUTTLES=0)' });
  }
});

async function main(): Promise<void> {
  const config = parseConfig(configSchema);
  const log = createLogger({ name: 'sim', level: config.LOG_LEVEL });
  const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  crashOnUnexpected(log, shutdown);
  shutdown.installSignalHandlers();

  const vehicles = otaniemiFleet({ robots: config.SIM_ROBOTS, shuttles: config.SIM_SHUTTLES });
  const token = config.AUTH_SIGNING_KEY
    ? await issueVehicleTokens(vehicles, { key: config.AUTH_SIGNING_KEY, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ttlSeconds: config.SIM_TOKEN_TTL_S })
    : '';
  const fleet = startFleetSim({
    fleetAddr: config.FLEET_ADDR,
    credentials: channelCredentials({ ca: config.GRPC_TLS_CA, cert: config.GRPC_TLS_CLIENT_CERT, key: config.GRPC_TLS_CLIENT_KEY }),
    vehicles,
    speedup: config.SIM_SPEEDUP,
    token,
    tickMs: config.SIM_TICK_MS,
    log,
  });
  shutdown.add('virtual fleet', fleet.stop);

  if (config.SIM_FEED) {
    const feed = await startCityFeed({
      brokers: config.KAFKA_BROKERS,
      intervalMs: config.FEED_INTERVAL_MS,
      timeScale: config.FEED_TIME_SCALE,
      log,
    });
    shutdown.add('city feed', () => feed.stop());
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`sim failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
