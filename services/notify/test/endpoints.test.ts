import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { uniqueName } from '@kera/testkit';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startNotifyHarness, type NotifyHarness } from './support/notify.js';

describe('per-endpoint concurrency', () => {
  let notify: NotifyHarness;
  const receivers: Receiver[] = [];

  before(async () => {
    // 4 worker slots in all, at most 2 per endpoint; a request may hang for 30 s (longer than the test).
    notify = await startNotifyHarness({ WEBHOOK_CONCURRENCY: '4', WEBHOOK_ENDPOINT_CONCURRENCY: '2', WEBHOOK_TIMEOUT_MS: '30000' });
  });

  after(async () => {
    // Receivers first: closing them ends the hanging requests, so notify stops without waiting for them.
    await Promise.all(receivers.map((r) => r.close()));
    await notify.close();
  });

  it('delivers to a fast endpoint while a slow one hangs on every request', async () => {
    const slow = await startReceiver(() => 'hang');
    const fast = await startReceiver(() => 200);
    receivers.push(slow, fast);
    const slowOperator = uniqueName('op-slow');
    const fastOperator = uniqueName('op-fast');
    await notify.subscribe({ operatorId: slowOperator, url: slow.url });
    await notify.subscribe({ operatorId: fastOperator, url: fast.url });

    // Eight jobs (eight lanes) for the slow endpoint first: without per-endpoint
    // slots they would take all four worker slots for the whole timeout.
    for (let i = 0; i < 8; i += 1) await notify.publishLifecycle(uniqueName('job-slow'), slowOperator, [JobStatus.CREATED]);
    await slow.requests.waitUntil('the slow endpoint holding its slots', (items) => items.length >= 2);
    const fastJobs = Array.from({ length: 6 }, () => uniqueName('job-fast'));
    for (const jobId of fastJobs) await notify.publishLifecycle(jobId, fastOperator, [JobStatus.CREATED, JobStatus.QUEUED]);

    await fast.requests.waitUntil('every fast webhook', (items) => items.length >= 12);
    assert.equal(slow.requests.items.length, 2, 'the slow endpoint never had more than its 2 slots in flight');
    assert.ok(slow.requests.items.every((r) => r.answer === 'hang'), 'none of the slow requests has finished');
    for (const jobId of fastJobs) {
      const types = fast.requests.items.filter((r) => JSON.parse(r.rawBody).data.job.id === jobId).map((r) => r.eventType);
      assert.deepEqual(types, ['job.created', 'job.queued'], `order kept for ${jobId}`);
    }
  });
});
