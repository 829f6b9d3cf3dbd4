import type { Redis } from 'ioredis';
import { batchedScript, luaScript } from './lua.js';

/**
 * Compare-and-set of one JSON document by its `version`, plus index updates
 * and outbox appends, in one atomic step. An absent document has version 0.
 * KEYS: doc, outbox, guard (a key that must not exist yet; set to ARGV[4]) — guard may be ''.
 */
const SCRIPT = luaScript(`
local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then v = tonumber(cjson.decode(cur)['version']) end
if v ~= tonumber(ARGV[1]) then return 0 end
if KEYS[3] ~= '' then
  if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
  redis.call('SET', KEYS[3], ARGV[4])
end
redis.call('SET', KEYS[1], ARGV[2])
for _, op in ipairs(cjson.decode(ARGV[3])) do redis.call(unpack(op)) end
for i = 5, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
return 1
`);

export type RedisOp = Array<string | number>;

export interface CasArgs {
  doc: string;
  outbox: string;
  expectedVersion: number;
  json: string;
  ops?: RedisOp[];
  guard?: { key: string; value: string };
  outboxEntries?: string[];
}

export type CasOutcome = 'ok' | 'conflict' | 'guard-exists';

const keysOf = (args: CasArgs) => [args.doc, args.outbox, args.guard?.key ?? ''];
const argvOf = (args: CasArgs) => [args.expectedVersion, args.json, JSON.stringify(args.ops ?? []), args.guard?.value ?? '', ...(args.outboxEntries ?? [])];
const outcomeOf = (result: unknown): CasOutcome => (result === 1 ? 'ok' : result === -1 ? 'guard-exists' : 'conflict');

export async function casWrite(redis: Redis, args: CasArgs): Promise<CasOutcome> {
  return outcomeOf(await SCRIPT(redis, keysOf(args), argvOf(args)));
}

/** casWrite for a store's hot path: the compare-and-sets of one event-loop turn go out as one pipeline. */
export function createCasWriter(redis: Redis): (args: CasArgs) => Promise<CasOutcome> {
  const run = batchedScript(redis, SCRIPT);
  return async (args) => outcomeOf(await run(keysOf(args), argvOf(args)));
}
