import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { absorbedLowerBound, inFailoverWindow, quantile, slowByBucket, splitLatencies } from './stats.js';

describe('benchmark figures', () => {
  it('takes quantiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantile(samples, 0.5), 50);
    assert.equal(quantile(samples, 0.99), 99);
    assert.equal(quantile([7], 0.99), 7);
    assert.equal(quantile([], 0.5), undefined);
  });

  it('puts a job in the failover window when its wait for an order overlapped the outage', () => {
    const window = { from: 1_000, to: 2_000 };
    assert.equal(inFailoverWindow({ submittedAt: 900, receivedAt: 950 }, window), false, 'served before the kill');
    assert.equal(inFailoverWindow({ submittedAt: 900, receivedAt: 1_500 }, window), true, 'waiting across the kill');
    assert.equal(inFailoverWindow({ submittedAt: 1_500, receivedAt: 3_000 }, window), true);
    assert.equal(inFailoverWindow({ submittedAt: 2_100, receivedAt: 2_150 }, window), false, 'submitted after recovery');
    assert.equal(inFailoverWindow({ submittedAt: 1_500, receivedAt: 1_600 }, undefined), false, 'no kill, no window');
  });

  it('splits submit → received latencies at the window and skips jobs never received', () => {
    const jobs = [
      { submittedAt: 0, receivedAt: 10 },
      { submittedAt: 100, receivedAt: 120 },
      { submittedAt: 1_100, receivedAt: 4_100 },
      { submittedAt: 1_200 },
    ];
    const split = splitLatencies(jobs, { from: 1_000, to: 2_000 });
    assert.deepEqual(split, { p50Ms: 10, p99Ms: 20, failoverP99Ms: 3_000, samplesOutside: 2, samplesInside: 1 });
    assert.equal(splitLatencies(jobs, undefined).failoverP99Ms, null);
  });

  it('counts slow samples per bucket of submit time, so a burst shows where it happened', () => {
    const samples = [
      { submittedAt: 1_000, latencyMs: 50 },
      { submittedAt: 2_000, latencyMs: 2_050 },
      { submittedAt: 12_000, latencyMs: 40 },
    ];
    assert.deepEqual(slowByBucket(samples, { from: 0, bucketMs: 5_000, overMs: 100 }), [
      { fromS: 0, slow: 1, of: 2, maxMs: 2_050 },
      { fromS: 10, slow: 0, of: 1, maxMs: 40 },
    ]);
  });

  it('bounds absorbed state messages from below by the mean age of lastSeen', () => {
    // 1,000 vehicles handled once a second each: mean age 500 ms → 1,000 per second.
    assert.equal(absorbedLowerBound([{ at: 0, vehicles: 1_000, meanAgeMs: 500 }]), 1_000);
    // Fleet handles only 500/s: each vehicle is seen every 2 s, mean age 1 s.
    assert.equal(absorbedLowerBound([{ at: 0, vehicles: 1_000, meanAgeMs: 1_000 }]), 500);
    assert.equal(absorbedLowerBound([]), undefined);
  });
});
