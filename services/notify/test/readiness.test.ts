import { after, before, describe, it } from 'node:test';
import { readyzBecomes, startCuttableInfra, testInfra, type CuttableInfra } from '@kera/testkit';
import { startNotifyHarness, type NotifyHarness } from './support/notify.js';

/**
 * /readyz follows Kafka and Redis: each is cut (a TCP proxy between this
 * notify and the shared broker / Redis drops its connections; the shared
 * servers keep running) and restored.
 */
describe('notify /readyz follows Kafka and Redis', () => {
  let harness: NotifyHarness;
  let infra: CuttableInfra;
  let opsPort: number;

  before(async () => {
    infra = await startCuttableInfra(await testInfra());
    harness = await startNotifyHarness(infra.env);
    opsPort = harness.service.opsPort;
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
