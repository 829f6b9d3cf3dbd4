/**
 * The harness's routing process: the real routing service on the Otaniemi
 * map, on the topics the parent names. Tells the parent when it is ready.
 */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const service = (await import(`${root}services/routing/dist/src/service.js`)) as { startRoutingService(config: unknown, overrides: unknown): Promise<{ stop(): Promise<void> }> };
const configModule = (await import(`${root}services/routing/dist/src/config.js`)) as { loadConfig(): unknown };
const routing = await service.startRoutingService(configModule.loadConfig(), { topics: JSON.parse(process.env.ROUTING_TOPICS ?? '{}') as unknown });
process.send?.('ready');
process.on('SIGTERM', () => void routing.stop().then(() => process.exit(0)));
