import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { summarise, type Observed } from './results.js';
import type { CounterSample } from './state-counter.js';

/** Fleet's counter scraped every second over 60 s at `rate(t)` per second. */
const counter = (rate: (t: number) => number): CounterSample[] => {
  const samples: CounterSample[] = [{ at: 0, total: 0 }];
  for (let t = 1; t <= 60; t++) samples.push({ at: t * 1_000, total: samples.at(-1)!.total + rate(t) });
  return samples;
};

const observed = (statesHandled: CounterSample[], sent = 1_000): Observed => ({
  vehicles: 1_000,
  replicas: 2,
  rate: 50,
  submissions: [],
  receivedAt: () => undefined,
  outcomes: new Map(),
  duplicates: { count: 0, keys: [] },
  failover: { killedAt: 30_000, restartedAt: 36_000, recoveredAt: 40_000 },
  load: { from: 0, to: 60_000 },
  statesSentPerSecond: () => sent,
  statesHandled,
  stateSamples: [],
  baseline: null,
});

describe('state absorption from fleet counter', () => {
  it('does not call a backlog what a killed replica took with it: the failover window is left out of the judgement', () => {
    // Half the reports go uncounted from the kill until every vehicle is back.
    const r = summarise(observed(counter((t) => (t > 30 && t <= 40 ? 500 : 1_000))));
    assert.equal(r.stateBacklogGrowing, false);
    assert.equal(r.stateMessagesPerSecond, 917, 'the figure itself is over the whole load window');
    assert.deepEqual(r.details.stateMessagesOutsideFailover, { handledPerSecond: 1_000, sentPerSecond: 1_000, seconds: 50 });
  });

  it('calls it growing when fleet handles clearly less than the vehicles send outside the failover window', () => {
    const r = summarise(observed(counter(() => 800)));
    assert.equal(r.stateBacklogGrowing, true);
    assert.equal(r.stateMessagesPerSecond, 800);
  });
});
