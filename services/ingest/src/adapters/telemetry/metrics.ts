import type { Meter } from '@opentelemetry/api';
import type { FeedFreshness } from '../../domain/feed-freshness.js';
import type { IngestMetrics } from '../../app/ports.js';

/** Every metric ingest exports, in one place (Prometheus names in comments). */
export const METRIC_NAMES = {
  /** ingest_messages_total{topic,outcome} */
  messages: 'ingest.messages',
  /** ingest_records_total{kind} */
  records: 'ingest.records',
  /** ingest_rejections_total{error_code}: rejected entities (a batch may hold several) */
  rejections: 'ingest.rejections',
  /** ingest_duplicates_total{source} */
  duplicates: 'ingest.duplicates',
  /** ingest_ignored_fields_total{field} */
  ignoredFields: 'ingest.ignored_fields',
  /** ingest_feed_last_event_time_seconds{source}: newest accepted event time */
  feedLastEventTime: 'ingest.feed.last_event_time',
  /** ingest_feed_age_seconds{source}: now minus the newest accepted event time */
  feedAge: 'ingest.feed.age',
} as const;

export function createIngestMetrics(meter: Meter, freshness: FeedFreshness, clock: () => Date): IngestMetrics {
  const messages = meter.createCounter(METRIC_NAMES.messages, { description: 'Provider messages handled, by outcome' });
  const records = meter.createCounter(METRIC_NAMES.records, { description: 'Observations and incidents emitted' });
  const rejections = meter.createCounter(METRIC_NAMES.rejections, { description: 'Rejected entities, by error code' });
  const duplicates = meter.createCounter(METRIC_NAMES.duplicates, { description: 'Readings skipped as already emitted' });
  const ignored = meter.createCounter(METRIC_NAMES.ignoredFields, { description: 'Reported values an observation could not carry' });

  meter
    .createObservableGauge(METRIC_NAMES.feedLastEventTime, { description: 'Newest accepted event time per source', unit: 's' })
    .addCallback((result) => {
      for (const feed of freshness.feeds()) result.observe(feed.lastEventTime.getTime() / 1000, { source: feed.source });
    });
  meter
    .createObservableGauge(METRIC_NAMES.feedAge, { description: 'Age of the newest accepted event per source', unit: 's' })
    .addCallback((result) => {
      const now = clock().getTime();
      for (const feed of freshness.feeds()) result.observe((now - feed.lastEventTime.getTime()) / 1000, { source: feed.source });
    });

  return {
    messageHandled: (topic, outcome) => messages.add(1, { topic, outcome }),
    recordsEmitted: (kind, count) => {
      if (count > 0) records.add(count, { kind });
    },
    rejected: (code, count) => rejections.add(count, { error_code: code }),
    duplicatesSkipped: (source, count) => duplicates.add(count, { source }),
    fieldIgnored: (field) => ignored.add(1, { field }),
  };
}
