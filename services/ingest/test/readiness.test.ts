import { after, before, describe, it } from 'node:test';
import { readyzBecomes, startCuttableInfra, testInfra, type CuttableInfra } from '@kera/testkit';
import { ingestHarness, type IngestHarness } from './support/harness.js';

/**
 * /readyz follows Kafka and Redis: each is cut (a TCP proxy between this
 * ingest and the shared broker / Redis drops its connections; the shared
 * servers keep running) and restored.
 */
describe('ingest /readyz follows Kafka and Redis', () => {
  let harness: IngestHarness;
  let infra: CuttableInfra;
  let opsPort: number;

  before(async () => {
    const shared = await testInfra();
    // The harness's own clients connect first, straight to the shared servers; only this ingest's go through the proxies.
    harness = await ingestHarness('readiness');
    infra = await startCuttableInfra(shared);
    opsPort = (await harness.start(infra.env)).opsPort;
  });

  after(async () => {
    infra.kafka.restore();
    infra.redis.restore();
    await harness.close();
    await infra.close();
  });

  for (const dependency of ['redis', 'kafka'] as const) {
    it(`is ready, unready while ${dependency} is cut, and ready again when it returns`, async () => {
      await readyzBecomes(opsPort, 200, 'ready');
      infra[dependency].cut();
      await readyzBecomes(opsPort, 503, `unready without ${dependency}`);
      infra[dependency].restore();
      await readyzBecomes(opsPort, 200, `ready with ${dependency} back`);
    });
  }
});
