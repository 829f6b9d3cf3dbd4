import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { createShutdown, crashOnUnexpected, type Shutdown } from './shutdown.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

/**
 * What runService hands a service: its logger, telemetry and the process's one
 * shutdown. The service adds its closers to that shutdown (and does not build
 * its own), so a signal runs each closer once and logs `shutdown complete` once.
 */
export interface ServiceContext {
  log: Logger;
  telemetry: Telemetry;
  shutdown: Shutdown;
}

interface RunnableConfig {
  LOG_LEVEL: string;
  SHUTDOWN_DEADLINE_MS: number;
}

/**
 * The body of every service's main.ts: typed config that fails fast (every
 * problem listed, exit 2), one logger, telemetry, the service, and one
 * shutdown on SIGINT/SIGTERM or an unexpected error.
 */
export async function runService<C extends RunnableConfig>(
  name: string,
  loadConfig: () => C,
  start: (config: C, context: ServiceContext) => Promise<unknown>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exit(2);
  }
  const log = createLogger({ name, level: config.LOG_LEVEL });
  const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
  crashOnUnexpected(log, shutdown);
  shutdown.installSignalHandlers();
  const telemetry = startTelemetry({ serviceName: name });
  shutdown.add('telemetry', () => telemetry.shutdown());
  try {
    await start(config, { log, telemetry, shutdown });
  } catch (err) {
    log.fatal({ err }, `${name} failed to start`);
    await shutdown.run('start failed');
    process.exit(1);
  }
}
