import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FeedFreshness } from './feed-freshness.js';

describe('FeedFreshness', () => {
  it('reports a quiet source once, and again only after it spoke and went quiet anew', () => {
    const freshness = new FeedFreshness();
    freshness.record('ngsi-ld', new Date('2025-05-06T07:00:00Z'));
    freshness.record('tms', new Date('2025-05-06T07:09:00Z'));
    const at = (iso: string) => freshness.newlyQuiet(new Date(iso), 5 * 60_000).map((f) => f.source);

    assert.deepEqual(at('2025-05-06T07:10:00Z'), ['ngsi-ld']);
    assert.deepEqual(at('2025-05-06T07:11:00Z'), []);
    freshness.record('ngsi-ld', new Date('2025-05-06T07:11:00Z'));
    assert.deepEqual(at('2025-05-06T07:12:00Z'), []);
    assert.deepEqual(at('2025-05-06T07:17:00Z'), ['ngsi-ld', 'tms']);
  });
});
