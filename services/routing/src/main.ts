import { createLogger, createShutdown, crashOnUnexpected, startTelemetry } from '@kera/platform';
import { loadConfig } from './config.js';
import { startRoutingService } from './service.js';

const config = loadConfig();
const log = createLogger({ name: 'routing', level: config.LOG_LEVEL });
const telemetry = startTelemetry({ serviceName: 'routing' });
const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
shutdown.add('telemetry', () => telemetry.shutdown());
crashOnUnexpected(log, shutdown);
shutdown.installSignalHandlers();

const routing = await startRoutingService(config, { log, exporter: telemetry.exporter });
shutdown.add('routing', () => routing.stop());
