import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTelemetry, type Telemetry } from '@kera/platform';
import { missingAlertMetrics, uniqueName, waitFor } from '@kera/testkit';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startNotifyHarness, type NotifyHarness } from './support/notify.js';

describe('notify /metrics and the alert rules', () => {
  let telemetry: Telemetry;
  let notify: NotifyHarness;
  let hooks: Receiver;

  before(async () => {
    telemetry = startTelemetry({ serviceName: 'notify' });
    notify = await startNotifyHarness({}, telemetry);
    // 410 Gone is final at once: the job.assigned delivery fails for good.
    hooks = await startReceiver(({ eventType }) => (eventType === 'job.assigned' ? 410 : 200));
  });

  after(async () => {
    await notify.close();
    await hooks.close();
    await telemetry.shutdown();
  });

  it('exports every notify metric the alert rules use, after a delivery failed for good', async () => {
    const operatorId = uniqueName('op');
    await notify.subscribe({ operatorId, url: hooks.url });
    await notify.publishLifecycle(uniqueName('job'), operatorId);
    await hooks.requests.waitFor('the delivered webhook', (r) => r.eventType === 'job.delivered');

    const scrape = async () => (await fetch(`http://127.0.0.1:${notify.service.opsPort}/metrics`)).text();
    const text = await waitFor('the failed delivery counted', async () => {
      const t = await scrape();
      return /^notify_webhook_deliveries_failed_total\{[^}]*event_type="job.assigned"[^}]*\} 1$/m.test(t) ? t : undefined;
    });
    assert.deepEqual(await missingAlertMetrics('notify', text), [], 'every notify metric an alert uses is exported');
  });
});
