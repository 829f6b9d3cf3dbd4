import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rateOver } from './vehicle-reports.js';

describe('state messages sent per second', () => {
  // A simulator reporting every second: 100 messages per report.
  const reports = Array.from({ length: 20 }, (_, i) => ({ at: 1_000 * (i + 1), count: 100 }));

  it('divides by the time the reports in the window cover, not by the window', () => {
    // [2,500, 17,500): reports at 3 s … 17 s cover 2 s … 17 s.
    assert.equal(rateOver(reports, 2_500, 17_500), 100);
    assert.equal(rateOver(reports, 0, 5_000), 100, 'no report before the window: the first one only marks the start');
  });

  it('has no rate without reports', () => {
    assert.equal(rateOver([], 0, 10_000), 0);
    assert.equal(rateOver(reports.slice(0, 1), 0, 10_000), 0);
  });
});
