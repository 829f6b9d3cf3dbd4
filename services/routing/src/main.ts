import { runService } from '@kera/platform';
import { loadConfig } from './config.js';
import { startRoutingService } from './service.js';

await runService('routing', loadConfig, (config, { log, telemetry }) => startRoutingService(config, { log, exporter: telemetry.exporter }));
