import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FeedHealth } from './traffic-feeds.js';

describe('feed health', () => {
  it('reports a stale feed only to the profiles that depend on it, until it recovers', () => {
    const health = new FeedHealth();
    health.apply('pole', true, 1_000);
    assert.deepEqual(health.freshness('sidewalk', 50_000, 60_000), { dataAsOf: new Date(50_000), dataAgeS: 10, staleFeeds: ['pole'], stale: true });
    assert.deepEqual(health.staleFeeds('road'), []);
    health.apply('pole', false, 2_000);
    assert.equal(health.freshness('sidewalk', 50_000, 60_000).stale, false);
  });

  it('keeps the newer announcement when an older one is replayed', () => {
    const health = new FeedHealth();
    health.apply('digitraffic-weather', false, 5_000);
    health.apply('digitraffic-weather', true, 4_000);
    assert.deepEqual(health.staleFeeds('road'), []);
  });

  it('says -1 when no observation arrived yet', () => {
    assert.equal(new FeedHealth().freshness('road', undefined, 1).dataAgeS, -1);
  });
});
