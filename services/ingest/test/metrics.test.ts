import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTelemetry, type Telemetry } from '@kera/platform';
import { missingAlertMetrics, waitFor } from '@kera/testkit';
import { SPEED_DIR1, TMS_OTAKAARI, sensorValue, tmsTopic } from './fixtures/digitraffic.js';
import { ingestHarness, secondsAgo, type IngestHarness } from './support/harness.js';
import type { IngestService } from '../src/service.js';

describe('ingest /metrics and the alert rules', () => {
  let harness: IngestHarness;
  let telemetry: Telemetry;
  let service: IngestService;

  before(async () => {
    harness = await ingestHarness('metrics');
    telemetry = startTelemetry({ serviceName: 'ingest' });
    service = await harness.start({}, undefined, telemetry);
  });

  after(async () => {
    await harness.close();
    await telemetry.shutdown();
  });

  it('exports every ingest metric the alert rules use, after messages and a feed check', async () => {
    const garbage = Buffer.from('not a sensor reading');
    await harness.publish(harness.topics.tms, garbage, 'metrics-key');
    await harness.deadLetters.waitFor('the rejected message', (d) => d.payload.originalValue.equals(garbage));
    // A feed has a freshness state (and a series) once it delivered an accepted record.
    await harness.publish(harness.topics.tms, sensorValue(42, secondsAgo(30)), tmsTopic(TMS_OTAKAARI, SPEED_DIR1));
    await harness.observations.waitFor('the accepted reading', () => true);
    // The feed gauges report what the freshness check (every INGEST_FEED_CHECK_MS) last saw.
    await service.checkFeeds();

    // The gauges are observed on scrape; poll until the feed check's result is there (it runs in the background too).
    let text = '';
    await waitFor('every ingest metric an alert uses exported', async () => {
      await service.checkFeeds();
      text = await (await fetch(`http://127.0.0.1:${service.opsPort}/metrics`)).text();
      return (await missingAlertMetrics('ingest', text)).length === 0;
    }).catch(() => undefined);
    assert.deepEqual(await missingAlertMetrics('ingest', text), [], 'every ingest metric an alert uses is exported');
    assert.match(text, /^ingest_messages_total\{[^}]*outcome="rejected"[^}]*\} 1$/m, 'the rejected message counted');
  });
});
