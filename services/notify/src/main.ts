import { runService } from '@kera/platform';
import { loadConfig } from './config.js';
import { startNotifyService } from './service.js';

await runService('notify', loadConfig, (config, { log, telemetry, shutdown }) => startNotifyService(config, { log, telemetry, shutdown }));
