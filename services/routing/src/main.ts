import { runService } from '@kera/platform';
import { loadConfig } from './config.js';
import { startRoutingService } from './service.js';

await runService('routing', loadConfig, (config, { log, telemetry, shutdown }) =>
  startRoutingService(config, { log, exporter: telemetry.exporter, shutdown }),
);
