import type { Logger } from '@kera/platform';
import type { FeedActivity, FeedState, FeedStatusStore, IngestMetrics } from './ports.js';

/** What the watcher announces on ingest.feed-status.v1. */
export interface FeedStatusChange {
  readonly feed: string;
  readonly sourceTopic: string;
  readonly state: FeedState;
  readonly lastSeenAt: Date;
  readonly lastEventTime: Date;
  readonly expectedCadenceS: number;
  readonly changedAt: Date;
}

export interface FeedStatusPublisher {
  publish(change: FeedStatusChange): Promise<void>;
}

export interface WatchedFeed {
  readonly feed: string;
  readonly topic: string;
  /** Silence longer than this makes the feed stale. */
  readonly cadenceS: number;
}

export interface FeedWatch {
  /** One check of every feed; resolves when its transitions are published. */
  check(): Promise<void>;
  /** The last check's view, for metrics. */
  snapshot(): ReadonlyArray<FeedActivity & { readonly state: FeedState }>;
}

/**
 * Compares each feed's last accepted record (cluster-wide, in Redis) with its
 * expected cadence. A change of state is claimed atomically, so with several
 * replicas exactly one publishes it; if publishing fails the claim is undone
 * and the next check tries again.
 */
export function createFeedWatch(deps: {
  feeds: readonly WatchedFeed[];
  store: FeedStatusStore;
  publisher: FeedStatusPublisher;
  metrics: IngestMetrics;
  clock: () => Date;
  log: Logger;
}): FeedWatch {
  let last: Array<FeedActivity & { state: FeedState }> = [];
  const byName = new Map(deps.feeds.map((f) => [f.feed, f]));

  const settle = async (feed: WatchedFeed, activity: FeedActivity, state: FeedState, now: Date): Promise<void> => {
    const previous = await deps.store.transition(feed.feed, state);
    if (previous === undefined) return;
    const change: FeedStatusChange = {
      feed: feed.feed,
      sourceTopic: feed.topic,
      state,
      lastSeenAt: new Date(activity.seenAtMs),
      lastEventTime: new Date(activity.eventMs),
      expectedCadenceS: feed.cadenceS,
      changedAt: now,
    };
    try {
      await deps.publisher.publish(change);
    } catch (err) {
      await deps.store.revert(feed.feed, previous);
      throw err;
    }
    deps.metrics.feedStatusChanged(feed.feed, state);
    const silentS = Math.round((now.getTime() - activity.seenAtMs) / 1000);
    if (state === 'stale') deps.log.warn({ feed: feed.feed, silentS, cadenceS: feed.cadenceS }, 'feed is stale');
    else if (previous === 'stale') deps.log.info({ feed: feed.feed }, 'feed recovered');
  };

  return {
    async check() {
      const now = deps.clock();
      const activity = await deps.store.activity();
      const next: Array<FeedActivity & { state: FeedState }> = [];
      for (const a of activity) {
        const feed = byName.get(a.feed);
        if (!feed) continue;
        const state: FeedState = now.getTime() - a.seenAtMs > feed.cadenceS * 1000 ? 'stale' : 'fresh';
        next.push({ ...a, state });
        await settle(feed, a, state, now);
      }
      last = next;
    },
    snapshot: () => last,
  };
}
