import type { ProfileName } from './profiles.js';

/**
 * The city feeds each profile's weights depend on (Observation.source and
 * FeedStatus.feed names): shuttles read road speeds, robots read pole crowding;
 * both read weather, traffic messages and NGSI-LD.
 */
export const PROFILE_FEEDS: Readonly<Record<ProfileName, readonly string[]>> = {
  road: ['digitraffic-tms', 'digitraffic-weather', 'digitraffic-situations', 'ngsi-ld'],
  sidewalk: ['pole', 'digitraffic-weather', 'digitraffic-situations', 'ngsi-ld'],
};

export interface TrafficFreshness {
  /** Newest observation window end behind the weights; undefined before any observation. */
  readonly dataAsOf?: Date;
  /** Seconds from dataAsOf to now; -1 without data. */
  readonly dataAgeS: number;
  readonly staleFeeds: readonly string[];
  readonly stale: boolean;
}

/**
 * The stale/fresh state of each feed as ingest announces it
 * (ingest.feed-status.v1). A replayed older announcement never overrides a
 * newer one.
 */
export class FeedHealth {
  private readonly feeds = new Map<string, { stale: boolean; changedAtMs: number }>();

  apply(feed: string, stale: boolean, changedAtMs: number): void {
    const previous = this.feeds.get(feed);
    if (previous && previous.changedAtMs > changedAtMs) return;
    this.feeds.set(feed, { stale, changedAtMs });
  }

  staleFeeds(profile: ProfileName): string[] {
    return PROFILE_FEEDS[profile].filter((feed) => this.feeds.get(feed)?.stale === true);
  }

  freshness(profile: ProfileName, dataAsOfMs: number | undefined, nowMs: number): TrafficFreshness {
    const staleFeeds = this.staleFeeds(profile);
    return {
      ...(dataAsOfMs === undefined ? {} : { dataAsOf: new Date(dataAsOfMs) }),
      dataAgeS: dataAsOfMs === undefined ? -1 : Math.max(0, (nowMs - dataAsOfMs) / 1000),
      staleFeeds,
      stale: staleFeeds.length > 0,
    };
  }
}
