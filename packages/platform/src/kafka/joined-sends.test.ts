import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { joinedSends, type TopicBatch } from './joined-sends.js';

type M = { key: string; value: Buffer };
const msg = (key: string, bytes = 1): M => ({ key, value: Buffer.alloc(bytes) });

/** A fake produce request that stays in flight until released. */
function fakeBroker() {
  const requests: Array<{ keys: string[]; release: () => void; fail: (err: Error) => void }> = [];
  const send = (batches: Array<TopicBatch<M>>) =>
    new Promise<void>((release, fail) => requests.push({ keys: batches.flatMap((b) => b.messages.map((m) => `${b.topic}/${m.key}`)), release, fail }));
  return { requests, send };
}

const settled = async <T>(p: Promise<T>) => {
  let state = 'pending';
  p.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('joined sends', () => {
  it('sends at once when idle, and joins what arrives meanwhile into the next request, in call order', async () => {
    const broker = fakeBroker();
    const produce = joinedSends(broker.send);
    const a = produce([{ topic: 't', messages: [msg('a')] }]);
    const b = produce([{ topic: 't', messages: [msg('b')] }, { topic: 'u', messages: [msg('b2')] }]);
    const c = produce([{ topic: 't', messages: [msg('c')] }]);
    assert.deepEqual(broker.requests.map((r) => r.keys), [['t/a']]);
    broker.requests[0]!.release();
    await a;
    assert.equal(await settled(b), 'pending', 'b is not durable before its own request is');
    assert.deepEqual(broker.requests.map((r) => r.keys), [['t/a'], ['t/b', 'u/b2', 't/c']]);
    broker.requests[1]!.release();
    await Promise.all([b, c]);
  });

  it('fails every send of a failed request, and only those', async () => {
    const broker = fakeBroker();
    const produce = joinedSends(broker.send);
    const a = produce([{ topic: 't', messages: [msg('a')] }]);
    const b = produce([{ topic: 't', messages: [msg('b')] }]);
    const c = produce([{ topic: 't', messages: [msg('c')] }]);
    broker.requests[0]!.fail(new Error('broker gone'));
    await assert.rejects(a, /broker gone/);
    broker.requests[1]!.release();
    await Promise.all([b, c]);
  });

  it('starts another request once the joined one would pass the byte limit', async () => {
    const broker = fakeBroker();
    const produce = joinedSends(broker.send, 100);
    const sends = [produce([{ topic: 't', messages: [msg('first')] }])];
    for (const key of ['x', 'y', 'z']) sends.push(produce([{ topic: 't', messages: [msg(key, 60)] }]));
    for (let i = 0; i < 4; i++) {
      broker.requests[i]!.release();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends);
    assert.deepEqual(broker.requests.map((r) => r.keys), [['t/first'], ['t/x'], ['t/y'], ['t/z']]);
  });
});
