export interface FeedState {
  readonly source: string;
  /** Latest event time seen from the source (not when it arrived). */
  readonly lastEventTime: Date;
}

/**
 * Per source, the newest event time ingest has accepted, so a feed that went
 * quiet (or froze its clock) shows up in metrics and logs before routing
 * quietly plans on old traffic.
 */
export class FeedFreshness {
  private readonly latest = new Map<string, number>();
  private readonly reportedQuiet = new Set<string>();

  record(source: string, eventTime: Date): void {
    const ms = eventTime.getTime();
    const previous = this.latest.get(source);
    if (previous !== undefined && ms <= previous) return;
    this.latest.set(source, ms);
    this.reportedQuiet.delete(source);
  }

  feeds(): FeedState[] {
    return [...this.latest].map(([source, ms]) => ({ source, lastEventTime: new Date(ms) }));
  }

  /** Sources whose newest event is older than quietAfterMs, each reported once until it speaks again. */
  newlyQuiet(now: Date, quietAfterMs: number): FeedState[] {
    const quiet = this.feeds().filter(
      (feed) => now.getTime() - feed.lastEventTime.getTime() > quietAfterMs && !this.reportedQuiet.has(feed.source),
    );
    for (const feed of quiet) this.reportedQuiet.add(feed.source);
    return quiet;
  }
}
