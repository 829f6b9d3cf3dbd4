import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { createShutdown, crashOnUnexpected } from './shutdown.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

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
  start: (config: C, context: { log: Logger; telemetry: Telemetry }) => Promise<{ stop(): Promise<void> }>,
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
    const service = await start(config, { log, telemetry });
    shutdown.add(name, () => service.stop());
  } catch (err) {
    log.fatal({ err }, `${name} failed to start`);
    await shutdown.run('start failed');
    process.exit(1);
  }
}
