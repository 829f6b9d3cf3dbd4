import { EVENTS, wrap, type EventProducer } from '@kera/platform';
import { FeedState } from '@kera/proto/ingest/v1/feed_status';
import type { FeedStatusChange, FeedStatusPublisher } from '../../app/feed-watch.js';
import { stableEventId } from '../../domain/windows.js';

/** Feed transitions → ingest.feed-status.v1 (compacted, key = feed), awaited. */
export function createFeedStatusPublisher(producer: EventProducer, topic: string): FeedStatusPublisher {
  return {
    async publish(change: FeedStatusChange) {
      const payload = {
        feed: change.feed,
        sourceTopic: change.sourceTopic,
        state: change.state === 'stale' ? FeedState.STALE : FeedState.FRESH,
        lastSeenAt: change.lastSeenAt,
        lastEventTime: change.lastEventTime,
        expectedCadenceS: change.expectedCadenceS,
        changedAt: change.changedAt,
      };
      const id = stableEventId(`feed-status|${change.feed}|${change.state}|${change.lastSeenAt.getTime()}`);
      await producer.send(topic, [{ key: change.feed, value: wrap(EVENTS.feedStatus, payload, { source: 'ingest', occurredAt: change.changedAt, id }) }]);
    },
  };
}
