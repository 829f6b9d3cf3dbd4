import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countingMetrics, fakeDirectory, inMemoryLedgerStore, ManualClock, silentLog } from '../../test/in-memory-ports.js';
import { createCommandLedger, type Channel } from './command-ledger.js';
import type { Command, LedgerEntry } from './ports.js';

const pause = (commandId: string): Command => ({ commandId, kind: 'instant', actionType: 'PAUSE' });

function setup(options: { maxSends?: number } = {}) {
  const store = inMemoryLedgerStore();
  const directory = fakeDirectory();
  const clock = new ManualClock();
  const channels = new Map<string, Channel>();
  const sent: string[] = [];
  const exhausted: LedgerEntry[] = [];
  const metrics = countingMetrics();
  const connect = (vehicleId: string) =>
    channels.set(vehicleId, {
      send: (c) => {
        assert.ok(store.entries.has(`${vehicleId}/${c.commandId}`), 'recorded before it is sent');
        sent.push(`${vehicleId}:${c.commandId}`);
      },
      close: () => channels.delete(vehicleId),
    });
  const ledger = createCommandLedger({ store, directory, channels, clock, log: silentLog, metrics, resendMs: 1_000, maxSends: options.maxSends ?? 3, onExhausted: async (e) => void exhausted.push(e) });
  return { ledger, store, directory, clock, sent, exhausted, metrics, connect };
}

describe('command ledger', () => {
  it('records, then sends on the stream this replica holds, in the order issued', async () => {
    const { ledger, sent, connect } = setup();
    connect('r1');
    await Promise.all([ledger.issue('r1', pause('c1')), ledger.issue('r1', pause('c2'))]);
    assert.deepEqual(sent, ['r1:c1', 'r1:c2']);
  });

  it('records a command for a vehicle held elsewhere and nudges its replica instead of sending', async () => {
    const { ledger, store, directory, sent } = setup();
    await ledger.issue('r2', pause('c1'));
    assert.deepEqual(sent, []);
    assert.deepEqual(directory.nudged, ['r2']);
    assert.equal((await store.pending('r2')).length, 1);
  });

  it('resends only what is overdue, and sends everything pending again on a reconnect', async () => {
    const { ledger, clock, sent, connect, metrics } = setup({ maxSends: 10 });
    connect('r1');
    await ledger.issue('r1', pause('c1'));
    await ledger.resendOverdue();
    assert.deepEqual(sent, ['r1:c1'], 'not yet overdue');
    clock.advance(1_000);
    await ledger.resendOverdue();
    assert.deepEqual(sent, ['r1:c1', 'r1:c1']);
    await ledger.resume('r1');
    assert.equal(sent.length, 3);
    assert.equal(metrics.counts['resent:instant'], 2);
  });

  it('clears a command once: the second ack of it gets nothing', async () => {
    const { ledger, connect } = setup();
    connect('r1');
    await ledger.issue('r1', pause('c1'));
    assert.equal((await ledger.settle('r1', 'c1'))?.command.commandId, 'c1');
    assert.equal(await ledger.settle('r1', 'c1'), undefined);
  });

  it('gives up after maxSends sends and never sends that command again', async () => {
    const { ledger, clock, sent, exhausted, connect } = setup({ maxSends: 2 });
    connect('r1');
    await ledger.issue('r1', pause('c1'));
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      await ledger.resendOverdue();
    }
    assert.equal(sent.length, 2);
    assert.deepEqual(exhausted.map((e) => e.command.commandId), ['c1']);
  });
});
