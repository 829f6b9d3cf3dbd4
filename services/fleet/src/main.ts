import { createLogger, createShutdown, crashOnUnexpected, startTelemetry } from '@kera/platform';
import { loadConfig } from './config.js';
import { startFleetService } from './service.js';

const config = loadConfig();
const log = createLogger({ name: 'fleet', level: config.LOG_LEVEL });
const telemetry = startTelemetry({ serviceName: 'fleet' });
const shutdown = createShutdown({ log, deadlineMs: config.SHUTDOWN_DEADLINE_MS });
shutdown.add('telemetry', () => telemetry.shutdown());
crashOnUnexpected(log, shutdown);
shutdown.installSignalHandlers();

const fleet = await startFleetService(config, { log, telemetry });
shutdown.add('fleet', () => fleet.stop());
