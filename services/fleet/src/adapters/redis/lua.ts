import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaScript = (redis: Redis, keys: string[], args: Array<string | number>) => Promise<unknown>;

const isNoScript = (err: unknown): boolean => err instanceof Error && err.message.startsWith('NOSCRIPT');

/**
 * A Lua script called by its SHA1 (EVALSHA): hot paths such as one
 * compare-and-set per vehicle state report do not send the script's text
 * with every call. Redis loads it on the first miss (NOSCRIPT → EVAL) and
 * after a restart or SCRIPT FLUSH.
 */
export function luaScript(source: string): LuaScript & { sha: string; source: string } {
  const sha = createHash('sha1').update(source).digest('hex');
  const call: LuaScript = async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
  return Object.assign(call, { sha, source });
}

/**
 * Calls of one script made in the same event-loop turn go to Redis as one
 * pipeline: one socket write for many state reports instead of one each
 * (each write is a system call, the largest single cost of a report). Unlike
 * ioredis auto-pipelining, batches do not wait for each other's replies.
 * Order between callers is the order of their calls; a caller awaiting its
 * reply sees its own write, as before.
 */
export function batchedScript(redis: Redis, script: ReturnType<typeof luaScript>): (keys: string[], args: Array<string | number>) => Promise<unknown> {
  type Call = { keys: string[]; args: Array<string | number>; resolve: (v: unknown) => void; reject: (e: unknown) => void };
  let pending: Call[] = [];

  const settle = (call: Call, err: Error | null, result: unknown) => {
    if (!err) call.resolve(result);
    else if (isNoScript(err)) script(redis, call.keys, call.args).then(call.resolve, call.reject);
    else call.reject(err);
  };

  const flush = () => {
    const batch = pending;
    pending = [];
    const pipeline = redis.pipeline();
    for (const c of batch) pipeline.evalsha(script.sha, c.keys.length, ...c.keys, ...c.args);
    pipeline.exec().then(
      (results) => batch.forEach((c, i) => settle(c, results?.[i]?.[0] ?? null, results?.[i]?.[1])),
      (err: unknown) => batch.forEach((c) => c.reject(err)),
    );
  };

  return (keys, args) =>
    new Promise((resolve, reject) => {
      if (pending.push({ keys, args, resolve, reject }) === 1) setImmediate(flush);
    });
}
