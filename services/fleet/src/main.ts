import { runService } from '@kera/platform';
import { loadConfig } from './config.js';
import { startFleetService } from './service.js';

await runService('fleet', loadConfig, (config, { log, telemetry, shutdown }) => startFleetService(config, { log, telemetry, shutdown }));
