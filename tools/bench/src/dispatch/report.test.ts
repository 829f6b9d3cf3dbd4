import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable, targets, type DispatchResults } from './report.js';

const good: DispatchResults = {
  vehicles: 1_000,
  replicas: 2,
  jobsPerSecond: 50,
  p50Ms: 12.5,
  p99Ms: 80,
  failoverP99Ms: 4_000,
  stateMessagesPerSecond: 1_100,
  baselineP99Ms: 3.2,
  lostJobs: 0,
  duplicateOrders: 0,
  replicaKilled: true,
  stateBacklogGrowing: false,
  details: {},
};

describe('dispatch benchmark report', () => {
  it('meets every target with the issue figures', () => {
    assert.ok(targets(good).every((t) => t.met !== false));
  });

  it('marks what misses: slow p99, a lost job, a duplicate order, a growing state backlog', () => {
    const bad = { ...good, p99Ms: 8_300, lostJobs: 2, duplicateOrders: 1, stateBacklogGrowing: true };
    const missed = targets(bad).filter((t) => t.met === false).map((t) => t.figure);
    assert.deepEqual(missed, [
      'submit → order received p99 (outside failover)',
      'state messages absorbed per second',
      'lost jobs',
      'orders executed twice',
    ]);
    assert.match(renderTable(bad), /lost jobs\s+2\s+0\s+MISSED/);
  });

  it('does not judge the failover figure of a run without a kill', () => {
    const single = { ...good, replicas: 1, replicaKilled: false, failoverP99Ms: null };
    const failover = targets(single).find((t) => t.figure.includes('failover window'));
    assert.equal(failover?.met, undefined);
    assert.match(renderTable(single), /\(failover window\)\s+n\/a/);
  });

  it('does not judge state absorption it cannot see', () => {
    const blind = { ...good, stateMessagesPerSecond: 600, stateBacklogGrowing: null };
    const state = targets(blind).find((t) => t.figure.startsWith('state messages'));
    assert.equal(state?.met, undefined);
    assert.equal(state?.value, '600 (at least; backlog not visible)');
  });
});
