import { runService } from '@kera/platform';
import { loadConfig } from './config.js';
import { startIngestService } from './service.js';

await runService('ingest', loadConfig, (config, { log, telemetry, shutdown }) => startIngestService(config, { log, telemetry, shutdown }));
