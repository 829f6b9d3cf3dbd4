import type { Meter } from '@opentelemetry/api';
import type { FeedWatch } from '../../app/feed-watch.js';
import type { IngestMetrics } from '../../app/ports.js';

/** Every metric ingest exports, in one place (Prometheus names in comments). */
export const METRIC_NAMES = {
  /** ingest_messages_total{topic,outcome} */
  messages: 'ingest.messages',
  /** ingest_records_total{kind}: observation, incident, dead_letter */
  records: 'ingest.records',
  /** ingest_rejections_total{error_code}: rejected records (a message may hold several) */
  rejections: 'ingest.rejections',
  /** ingest_duplicates_total{source} */
  duplicates: 'ingest.duplicates',
  /** ingest_ignored_fields_total{field} */
  ignoredFields: 'ingest.ignored_fields',
  /** ingest_outside_map_total{source}: records whose geometry lies outside the loaded map */
  outsideMap: 'ingest.outside_map',
  /** ingest_feed_status_changes_total{feed,state}: transitions this replica announced */
  feedStatusChanges: 'ingest.feed.status_changes',
  /** ingest_feed_stale{feed}: 1 while the feed is silent past its cadence */
  feedStale: 'ingest.feed.stale',
  /** ingest_feed_last_event_time_seconds{feed}: newest accepted event time */
  feedLastEventTime: 'ingest.feed.last_event_time',
  /** ingest_feed_age_seconds{feed}: now minus the last accepted record's arrival */
  feedAge: 'ingest.feed.age',
} as const;

export function createIngestMetrics(meter: Meter, clock: () => Date): IngestMetrics & { watch(feeds: FeedWatch): void } {
  const messages = meter.createCounter(METRIC_NAMES.messages, { description: 'Provider messages handled, by outcome' });
  const records = meter.createCounter(METRIC_NAMES.records, { description: 'Observations, incidents and dead letters emitted' });
  const rejections = meter.createCounter(METRIC_NAMES.rejections, { description: 'Rejected records, by error code' });
  const duplicates = meter.createCounter(METRIC_NAMES.duplicates, { description: 'Readings skipped as already merged' });
  const ignored = meter.createCounter(METRIC_NAMES.ignoredFields, { description: 'Reported values an observation could not carry' });
  const outside = meter.createCounter(METRIC_NAMES.outsideMap, { description: 'Records whose geometry lies outside the loaded map' });
  const changes = meter.createCounter(METRIC_NAMES.feedStatusChanges, { description: 'Feed stale/fresh transitions announced' });

  return {
    messageHandled: (topic, outcome) => messages.add(1, { topic, outcome }),
    recordsEmitted: (kind, count) => {
      if (count > 0) records.add(count, { kind });
    },
    rejected: (code, count) => rejections.add(count, { error_code: code }),
    duplicatesSkipped: (source, count) => duplicates.add(count, { source }),
    fieldIgnored: (field) => ignored.add(1, { field }),
    outsideMap: (source) => outside.add(1, { source }),
    feedStatusChanged: (feed, state) => changes.add(1, { feed, state }),
    watch(feeds) {
      meter.createObservableGauge(METRIC_NAMES.feedStale, { description: '1 while a feed is silent past its expected cadence' }).addCallback((result) => {
        for (const f of feeds.snapshot()) result.observe(f.state === 'stale' ? 1 : 0, { feed: f.feed });
      });
      meter.createObservableGauge(METRIC_NAMES.feedLastEventTime, { description: 'Newest accepted event time per feed', unit: 's' }).addCallback((result) => {
        for (const f of feeds.snapshot()) result.observe(f.eventMs / 1000, { feed: f.feed });
      });
      meter.createObservableGauge(METRIC_NAMES.feedAge, { description: 'Seconds since the feed last delivered an accepted record', unit: 's' }).addCallback((result) => {
        const now = clock().getTime();
        for (const f of feeds.snapshot()) result.observe((now - f.seenAtMs) / 1000, { feed: f.feed });
      });
    },
  };
}
