import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaScript = (redis: Redis, keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script called by its SHA1 (EVALSHA): hot paths such as one
 * compare-and-set per vehicle state report do not send the script's text
 * with every call. Redis loads it on the first miss (NOSCRIPT → EVAL) and
 * after a restart or SCRIPT FLUSH.
 */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
