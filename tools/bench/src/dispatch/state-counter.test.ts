import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { counterValue, createIncreaseTracker } from './state-counter.js';

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
});
