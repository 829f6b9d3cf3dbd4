import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { createIngestMetrics, METRIC_NAMES } from './metrics.js';

describe('ingest metrics', () => {
  it('exports per feed its staleness and ages, and dead letters by code', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const now = new Date('2025-05-06T07:16:00Z');
    const metrics = createIngestMetrics(provider.getMeter('ingest'), () => now);
    const seenAtMs = Date.parse('2025-05-06T07:15:00Z');
    metrics.watch({ check: async () => undefined, snapshot: () => [{ feed: 'digitraffic-tms', seenAtMs, eventMs: seenAtMs - 5000, state: 'stale' }] });
    metrics.rejected('late', 2);
    await reader.forceFlush();

    const points = (name: string): Array<{ attributes: object; value: unknown }> =>
      exporter
        .getMetrics()
        .flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as Array<{ attributes: object; value: unknown }>);
    assert.deepEqual(points(METRIC_NAMES.feedStale)[0], { ...points(METRIC_NAMES.feedStale)[0], attributes: { feed: 'digitraffic-tms' }, value: 1 });
    assert.equal(points(METRIC_NAMES.feedAge)[0]?.value, 60);
    assert.equal(points(METRIC_NAMES.feedLastEventTime)[0]?.value, (seenAtMs - 5000) / 1000);
    const [late] = points(METRIC_NAMES.rejections);
    assert.deepEqual(late?.attributes, { error_code: 'late' });
    assert.equal(late?.value, 2);
    await provider.shutdown();
  });
});
