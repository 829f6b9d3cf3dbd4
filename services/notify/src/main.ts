import { createLogger, createShutdown, crashOnUnexpected, startTelemetry } from '@kera/platform';
import { loadConfig } from './config.js';
import { startNotifyService } from './service.js';

const config = loadConfig();
const log = createLogger({ name: 'notify', level: config.LOG_LEVEL });
const telemetry = startTelemetry({ serviceName: 'notify' });
const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
shutdown.add('telemetry', () => telemetry.shutdown());
crashOnUnexpected(log, shutdown);
shutdown.installSignalHandlers();

try {
  const service = await startNotifyService(config, { log, telemetry });
  shutdown.add('notify', () => service.stop());
} catch (err) {
  log.fatal({ err }, 'notify failed to start');
  await shutdown.run('startup failed');
  process.exit(1);
}
