/**
 * Fleet's Lua scripts on real Redis: called by SHA1, loaded when Redis does
 * not know them, and the compare-and-sets of one event-loop turn sent as one
 * pipeline without changing what each caller sees.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { deleteKeys, testInfra, uniqueName } from '@kera/testkit';
import { batchedScript, luaScript } from '../src/adapters/redis/lua.js';
import { createCasWriter } from '../src/adapters/redis/cas.js';

describe('Lua scripts by SHA1', () => {
  const prefix = uniqueName('lua-test');
  let redis: Redis | undefined;
  const connect = async () => (redis ??= new Redis((await testInfra()).redisUrl));

  after(async () => {
    redis?.disconnect();
    await deleteKeys((await testInfra()).redisUrl, [`${prefix}:*`]);
  });

  it('runs a script Redis has never seen (NOSCRIPT, then loaded), alone and batched', async () => {
    const r = await connect();
    // A comment unique to this run: no earlier run can have loaded this exact script.
    const incr = luaScript(`-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    assert.equal(await incr(r, [`${prefix}:a`], [2]), 2);
    const fresh = luaScript(`-- ${prefix} batched\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    const batched = batchedScript(r, fresh);
    assert.deepEqual(await Promise.all([1, 2, 3].map((n) => batched([`${prefix}:b`], [n]))), [1, 3, 6], 'in call order');
  });

  it('gives each of many compare-and-sets in one turn its own answer: one wins per version, the rest conflict', async () => {
    const cas = createCasWriter(await connect());
    const doc = `${prefix}:doc`;
    const write = (n: number, expectedVersion: number) => cas({ doc, outbox: `${prefix}:outbox`, expectedVersion, json: JSON.stringify({ version: expectedVersion + 1, n }), outboxEntries: [`e${n}`] });
    assert.deepEqual(await Promise.all([write(1, 0), write(2, 0), write(3, 1)]), ['ok', 'conflict', 'ok']);
    assert.equal(JSON.parse((await redis!.get(doc))!).n, 3);
    assert.deepEqual(await redis!.lrange(`${prefix}:outbox`, 0, -1), ['e1', 'e3'], 'only the writes that won appended their events');
  });
});
