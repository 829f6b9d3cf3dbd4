import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { counterValue, createIncreaseTracker, rateBetween } from './state-counter.js';

describe('fleet state counter', () => {
  it('sums every series of the counter and ignores others', () => {
    const text = [
      '# HELP fleet_vehicle_states_total State messages handled',
      '# TYPE fleet_vehicle_states_total counter',
      'fleet_vehicle_states_total{replica="a"} 120',
      'fleet_vehicle_states_total{replica="b"} 30',
      'fleet_vehicle_states_totalish 999',
    ].join('\n');
    assert.equal(counterValue(text, 'fleet_vehicle_states_total'), 150);
    assert.equal(counterValue('other_total 5', 'fleet_vehicle_states_total'), undefined);
  });

  it('adds increases per replica and counts a restarted replica from zero', () => {
    const t = createIncreaseTracker();
    t.observe('a', 100);
    t.observe('b', 10);
    t.observe('a', 150);
    t.observe('a', 20); // restarted
    t.observe('b', 40);
    assert.equal(t.increase(), 50 + 20 + 30);
  });

  it('takes the rate between the first and last scrape inside a span', () => {
    const samples = [0, 1_000, 2_000, 3_000, 4_000].map((at, i) => ({ at, total: [0, 1_000, 2_000, 2_500, 3_500][i]! }));
    assert.deepEqual(rateBetween(samples, 0, 2_000), { perSecond: 1_000, seconds: 2 });
    assert.deepEqual(rateBetween(samples, 1_500, 4_000), { perSecond: 750, seconds: 2 });
    assert.equal(rateBetween(samples, 3_500, 4_500), undefined, 'one scrape is no rate');
  });
});
