import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName } from '@kera/testkit';
import { startReceiver, type Receiver } from './support/receiver.js';
import { LIFECYCLE_TYPES, startNotifyHarness, type NotifyHarness } from './support/notify.js';

/**
 * Two notify deployments on one Redis (staging and production, or two test
 * systems) with the default queue name: each has its own REDIS_PREFIX, and its
 * webhook queue lives under it, so neither worker takes the other's deliveries.
 */
describe('two notify deployments sharing one Redis', () => {
  const deployments: NotifyHarness[] = [];
  const receivers: Receiver[] = [];

  after(async () => {
    await Promise.all(deployments.map((d) => d.close()));
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('each delivers every webhook of its own jobs, under the same queue name', async () => {
    const queueName = uniqueName('webhooks-shared');
    deployments.push(await startNotifyHarness({}, undefined, { queueName }), await startNotifyHarness({}, undefined, { queueName }));
    const runs = await Promise.all(
      deployments.map(async (notify) => {
        const hooks = await startReceiver();
        receivers.push(hooks);
        const operatorId = uniqueName('op');
        await notify.subscribe({ operatorId, url: hooks.url, eventTypes: ['job.*'] });
        const ids = await notify.publishLifecycle(uniqueName('job'), operatorId);
        return { hooks, ids };
      }),
    );
    for (const { hooks, ids } of runs) {
      const received = await hooks.requests.waitUntil('six webhooks', (items) => items.length >= 6);
      assert.deepEqual(received.map((r) => r.eventType), LIFECYCLE_TYPES);
      assert.deepEqual(received.map((r) => r.eventId), ids);
    }
  });
});
