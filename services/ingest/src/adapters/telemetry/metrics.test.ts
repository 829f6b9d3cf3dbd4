import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { FeedFreshness } from '../../domain/feed-freshness.js';
import { createIngestMetrics, METRIC_NAMES } from './metrics.js';

describe('ingest metrics', () => {
  it('exports per source the newest event time and its age, and dead letters by code', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const freshness = new FeedFreshness();
    const now = new Date('2025-05-06T07:16:00Z');
    const metrics = createIngestMetrics(provider.getMeter('ingest'), freshness, () => now);

    freshness.record('ngsi-ld', new Date('2025-05-06T07:15:00Z'));
    metrics.rejected('stale', 2);
    await reader.forceFlush();

    const points = (name: string): Array<{ attributes: object; value: unknown }> =>
      exporter
        .getMetrics()
        .flatMap((m) => m.scopeMetrics.flatMap((s) => s.metrics))
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as Array<{ attributes: object; value: unknown }>);
    const [last] = points(METRIC_NAMES.feedLastEventTime);
    assert.deepEqual(last?.attributes, { source: 'ngsi-ld' });
    assert.equal(last?.value, Date.parse('2025-05-06T07:15:00Z') / 1000);
    assert.equal(points(METRIC_NAMES.feedAge)[0]?.value, 60);
    const [stale] = points(METRIC_NAMES.rejections);
    assert.deepEqual(stale?.attributes, { error_code: 'stale' });
    assert.equal(stale?.value, 2);
    await provider.shutdown();
  });
});
