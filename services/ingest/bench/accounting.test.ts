import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from '@kera/platform';
import { deadLetterMessage, incidentMessage, observationMessage } from '../src/adapters/kafka/traffic-publisher.js';
import { Accounting } from './accounting.js';

const topics = { observations: 'obs', incidents: 'inc', dlq: 'dlq' };
const windowStart = new Date('2026-12-02T08:00:00Z');
const incoming = (topic: string, value: Buffer, timestamp = 0): IncomingMessage => ({ topic, partition: 0, offset: '0', key: null, value, headers: {}, timestamp });
const observation = (locationId: string, sampleCount: number) =>
  observationMessage({ locationId, geometry: { kind: 'point', point: { lat: 60.18, lon: 24.83 } }, windowStart, windowEnd: new Date(windowStart.getTime() + 60_000), source: 'bench', sourceId: locationId, speedKmh: 30, sampleCount }).value;

describe('bench accounting', () => {
  it('counts each window sample once, however often the window is re-emitted, plus one per incident and dead letter', () => {
    const a = new Accounting(topics);
    a.see(incoming('obs', observation('tms:1:1', 3)));
    a.see(incoming('obs', observation('tms:1:1', 5)));
    a.see(incoming('obs', observation('tms:1:1', 5))); // a redelivered duplicate adds nothing
    a.see(incoming('obs', observation('pole:7', 1)));
    a.see(incoming('inc', incidentMessage({ incidentId: 'digitraffic:1', kind: 'closure', severity: 'high', validFrom: windowStart, description: 'closed', source: 'bench', active: true, statusAt: windowStart }).value));
    const raw = { topic: 'city.tms', partition: 0, offset: '9', key: null, value: Buffer.from('{'), headers: {}, timestamp: 0 };
    a.see(incoming('dlq', deadLetterMessage({ message: raw, code: 'invalid_json', reason: 'not valid JSON', rejectedAt: windowStart }).value));
    assert.deepEqual({ accounted: a.accounted, observations: a.observations, incidents: a.incidents, deadLetters: a.deadLetters }, { accounted: 8, observations: 4, incidents: 1, deadLetters: 1 });
  });

  it('counts every message of the baseline output as one record', () => {
    const a = new Accounting();
    for (let i = 0; i < 3; i++) a.see(incoming('baseline-out', Buffer.from('{}')));
    assert.equal(a.accounted, 3);
  });

  it('attributes the lag of a window update to the paced inputs it reflects, oldest first', () => {
    const a = new Accounting(topics);
    const key = `tms:1:1|${windowStart.getTime() / 60_000}`;
    a.sent(key, 1_000);
    a.sent(key, 1_400);
    a.see(incoming('obs', observation('tms:1:1', 1), 1_500));
    a.see(incoming('obs', observation('tms:1:1', 2), 2_000));
    assert.deepEqual(a.lags, [500, 600]);
  });
});
