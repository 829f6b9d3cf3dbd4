import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertRuleMetrics, EXTERNAL_METRICS, serviceOfMetric } from './alert-rules.js';

/**
 * Each service's own test scrapes its /metrics and checks the metrics the
 * rules use (missingAlertMetrics). This one makes sure no rule's metric falls
 * outside those checks: each is a Kera service's, or a known external series.
 */
describe('alert rules name only metrics someone exports', () => {
  it('reads the series of every rule, and each belongs to a service or a known exporter', async () => {
    const used = await alertRuleMetrics();
    assert.ok(used.length >= 10, `the rules use metrics (found ${used.length})`);
    const unowned = used.filter((u) => !serviceOfMetric(u.metric) && !EXTERNAL_METRICS.has(u.metric));
    assert.deepEqual(unowned, [], 'every series is a service metric or a known external one');
    const services = new Set(used.map((u) => serviceOfMetric(u.metric)).filter(Boolean));
    assert.deepEqual([...services].sort(), ['fleet', 'ingest', 'notify'], 'services whose metrics the rules use (each has a test)');
  });

  it('leaves label names, label values and functions out', async () => {
    const metrics = new Set((await alertRuleMetrics()).map((u) => u.metric));
    for (const word of ['sum', 'rate', 'histogram_quantile', 'consumergroup', 'le', 'state', 'waiting']) assert.ok(!metrics.has(word), word);
    assert.ok(metrics.has('fleet_job_submit_to_ack_seconds_bucket'));
    assert.ok(metrics.has('ingest_messages_total'));
  });
});
