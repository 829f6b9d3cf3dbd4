/**
 * The simulator: a fleet of virtual robots and shuttles on the fleet's
 * VehicleLink, plus the replayable city feed. A client like any other: it uses
 * only the public gRPC services and topics.
 */
import { createLogger, createShutdown, crashOnUnexpected, env, parseConfig, type Logger, type Shutdown } from '@kera/platform';
import { z } from 'zod';
import { vehicleSimConfigSchema } from './vehicles/config.js';
import { otaniemiFleet, startFleetSim } from './vehicles/index.js';

const configSchema = z.object({
  LOG_LEVEL: env.logLevel(),
  SHUTDOWN_DEADLINE_MS: env.positiveInt(10_000),
  /** Start the city feed too, when the feed module is there; it publishes to Kafka. */
  SIM_FEED: env.flag(true),
  KAFKA_BROKERS: env.brokers(),
  ...vehicleSimConfigSchema,
});

async function main(): Promise<void> {
  const config = parseConfig(configSchema);
  const log = createLogger({ name: 'sim', level: config.LOG_LEVEL });
  const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  crashOnUnexpected(log, shutdown);
  shutdown.installSignalHandlers();

  const fleet = startFleetSim({
    fleetAddr: config.FLEET_ADDR,
    vehicles: otaniemiFleet({ robots: config.SIM_ROBOTS, shuttles: config.SIM_SHUTTLES }),
    speedup: config.SIM_SPEEDUP,
    token: config.FLEET_TOKEN,
    tickMs: config.SIM_TICK_MS,
    log,
  });
  shutdown.add('virtual fleet', fleet.stop);

  if (config.SIM_FEED) await startCityFeedIfPresent({ brokers: config.KAFKA_BROKERS, log }, shutdown);
}

// ─── City feed ─────────────────────────────────────────────────────────────
// tools/sim/src/feed is written by the feed's author. Until feed/index.ts
// exports `startCityFeed({ brokers, log, ... }) → { stop() }` the simulator
// runs vehicles only. WIRING: once it does, replace this block with a static
// import and pass the feed's further options (FEED_* settings) as needed.
const FEED_MODULE = './feed/index.js';

interface FeedOptions {
  brokers: string[];
  log: Logger;
}

interface RunningFeed {
  stop?: () => Promise<void> | void;
}

async function startCityFeedIfPresent(options: FeedOptions, shutdown: Shutdown): Promise<void> {
  const { log } = options;
  let feed: { startCityFeed?: (options: FeedOptions) => Promise<RunningFeed> | RunningFeed };
  try {
    feed = (await import(FEED_MODULE)) as typeof feed;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes('/feed/index.js');
    if (!missing) throw err;
    log.info('city feed module not built; running vehicles only');
    return;
  }
  if (typeof feed.startCityFeed !== 'function') {
    log.info('feed module exports no startCityFeed; running vehicles only');
    return;
  }
  const running = await feed.startCityFeed(options);
  if (typeof running?.stop === 'function') shutdown.add('city feed', () => running.stop?.());
}
// ───────────────────────────────────────────────────────────────────────────

main().catch((err: unknown) => {
  process.stderr.write(`sim failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
