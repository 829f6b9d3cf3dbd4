import { createLogger, createShutdown, crashOnUnexpected, startTelemetry } from '@kera/platform';
import { loadConfig } from './config.js';
import { startIngestService } from './service.js';

/** Composition root: config, logger, telemetry, the service, one shutdown. */
const config = loadConfig();
const log = createLogger({ name: 'ingest', level: config.LOG_LEVEL });
const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
crashOnUnexpected(log, shutdown);
shutdown.installSignalHandlers();

const telemetry = startTelemetry({ serviceName: 'ingest' });
shutdown.add('telemetry', () => telemetry.shutdown());

try {
  const service = await startIngestService(config, { log, telemetry });
  shutdown.add('ingest', () => service.stop());
} catch (err) {
  log.fatal({ err }, 'ingest failed to start');
  await shutdown.run('start failed');
  process.exit(1);
}
