import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testInfra, uniqueName } from '@kera/testkit';
import { closeRedis, createRedis } from '../src/redis.js';
import { createLogger } from '../src/logger.js';

describe('createRedis with autoPipelining', () => {
  const log = createLogger({ name: 'redis-test', level: 'warn' });
  let url: string;
  const prefix = uniqueName('redis-test');

  before(async () => {
    url = (await testInfra()).redisUrl;
  });

  after(async () => {
    const redis = createRedis({ url, log });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await closeRedis(redis);
  });

  it('sends commands of one turn in one pipeline and answers each its own, including a script and a transaction', async () => {
    const redis = createRedis({ url, log, autoPipelining: true });
    try {
      await redis.ping();
      const n = 200;
      const writes = Array.from({ length: n }, (_, i) => redis.set(`${prefix}:k${i}`, String(i)));
      assert.ok(redis.autoPipelineQueueSize > 0, 'commands issued in one turn wait for one write');
      await Promise.all(writes);
      const reads = await Promise.all(Array.from({ length: n }, (_, i) => redis.get(`${prefix}:k${i}`)));
      assert.deepEqual(reads, Array.from({ length: n }, (_, i) => String(i)));
      const [script, tx] = await Promise.all([
        redis.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, `${prefix}:k7`, 5),
        redis.multi().incr(`${prefix}:k8`).incr(`${prefix}:k8`).exec(),
      ]);
      assert.equal(script, 12);
      assert.deepEqual(tx, [[null, 9], [null, 10]]);
    } finally {
      await closeRedis(redis);
    }
  });

  it('never pipelines a blocking connection', async () => {
    const redis = createRedis({ url, log, blocking: true, autoPipelining: true });
    assert.equal(redis.options.enableAutoPipelining, false);
    await closeRedis(redis);
  });
});
