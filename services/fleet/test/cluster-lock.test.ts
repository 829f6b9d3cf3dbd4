/**
 * The lease-based cluster lock on real Redis: once-per-cluster work runs on
 * one replica at a time and moves to a survivor when its holder dies.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createLogger } from '@kera/platform';
import { deleteKeys, testInfra, uniqueName, waitFor } from '@kera/testkit';
import { createClusterSingletons } from '../src/adapters/redis/cluster-lock.js';

const log = createLogger({ name: 'cluster-lock-test', level: 'silent' });
const clock = { now: () => new Date() };

describe('cluster lock', () => {
  const prefix = uniqueName('lock-test');
  const connections: Redis[] = [];
  const connect = async () => {
    const redis = new Redis((await testInfra()).redisUrl);
    connections.push(redis);
    return redis;
  };

  after(async () => {
    for (const c of connections) c.disconnect();
    await deleteKeys((await testInfra()).redisUrl, [`${prefix}:*`]);
  });

  it('runs the work on one replica only, and on a survivor after the holder dies without releasing', async () => {
    const runs: Array<{ replica: string; fencingToken: number }> = [];
    const replicas = await Promise.all(
      ['a', 'b'].map(async (replicaId) => {
        const redis = await connect();
        const singletons = createClusterSingletons({ redis, prefix, replicaId, ttlMs: 1_000, clock, log });
        singletons.every('sweeper', 100, async ({ fencingToken }) => void runs.push({ replica: replicaId, fencingToken }));
        return { replicaId, redis, singletons };
      }),
    );
    await waitFor('ten runs', () => runs.length >= 10);
    const holder = runs[0]!.replica;
    assert.ok(runs.every((r) => r.replica === holder), 'only the holder runs the work');

    // The holder dies: its timers stop and its connection drops, nothing is released.
    const dead = replicas.find((r) => r.replicaId === holder)!;
    const survivor = replicas.find((r) => r.replicaId !== holder)!;
    dead.redis.disconnect();
    await dead.singletons.close().catch(() => undefined);
    const before = runs.length;
    await waitFor('the survivor runs the work', () => runs.slice(before).some((r) => r.replica === survivor.replicaId), { timeoutMs: 10_000 });
    const taken = runs.slice(before).filter((r) => r.replica === survivor.replicaId);
    assert.ok(taken[0]!.fencingToken > runs[0]!.fencingToken, 'a new holder gets a larger fencing token');
    await survivor.singletons.close();
  });

  it('hands the lock over at once on a graceful close', async () => {
    const runs: string[] = [];
    const a = createClusterSingletons({ redis: await connect(), prefix: `${prefix}-graceful`, replicaId: 'a', ttlMs: 60_000, clock, log });
    a.every('sweeper', 50, async () => void runs.push('a'));
    await waitFor('a runs', () => runs.includes('a'));
    const b = createClusterSingletons({ redis: await connect(), prefix: `${prefix}-graceful`, replicaId: 'b', ttlMs: 60_000, clock, log });
    b.every('sweeper', 50, async () => void runs.push('b'));
    await a.close();
    await waitFor('b runs long before the 60 s TTL', () => runs.includes('b'), { timeoutMs: 5_000 });
    await b.close();
  });
});
