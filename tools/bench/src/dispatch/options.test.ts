import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseOptions, timeBoundMs } from './options.js';

describe('bench:dispatch options', () => {
  it('defaults to the issue run: 1,000 vehicles, 2 replicas, 50 jobs/s for 60 s, one kill', () => {
    const o = parseOptions([]);
    assert.deepEqual([o.vehicles, o.replicas, o.rate, o.seconds, o.kill, o.front, o.sims], [1_000, 2, 50, 60, true, 'tcp', 2]);
  });

  it('takes the smoke run and the single-replica run without a kill', () => {
    const o = parseOptions(['--vehicles', '50', '--seconds', '10', '--replicas', '1', '--no-kill']);
    assert.deepEqual([o.vehicles, o.seconds, o.replicas, o.kill, o.sims], [50, 10, 1, false, 1]);
    assert.ok(timeBoundMs(o) > (o.seconds + o.drain) * 1_000, 'the time bound leaves room for the run');
  });

  it('names every bad option in one error', () => {
    assert.throws(
      () => parseOptions(['--vehicles', 'many', '--front', 'dns', '--state-interval-ms', '5']),
      (err: unknown) =>
        err instanceof UsageError && /--vehicles:/.test(err.message) && /--front:/.test(err.message) && /--state-interval-ms:/.test(err.message),
    );
    assert.throws(() => parseOptions(['--bogus']), /Unknown option '--bogus'/);
  });
});
