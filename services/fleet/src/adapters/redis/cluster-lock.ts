import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock, ClusterSingletons } from '../../app/ports.js';
import { luaScript } from './lua.js';

/**
 * Take the lock if nobody holds it: SET NX PX, with a fencing token from a
 * counter that grows on every change of holder. Returns the token, or 0.
 */
const ACQUIRE = luaScript(`if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence`);
const RENEW = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`);
const RELEASE = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

interface Singleton {
  name: string;
  intervalMs: number;
  work: (lease: { fencingToken: number }) => Promise<void>;
  /** The value stored in the lock key while this replica holds it. */
  token?: string;
  fencingToken: number;
  /** Local time (ms) until which the lock is surely ours: last renewal + TTL, less a margin. */
  heldUntilMs: number;
  lastRunMs: number;
  running?: Promise<void>;
  timer?: NodeJS.Timeout;
}

/**
 * ClusterSingletons on Redis: a lease-based lock per name
 * (`<prefix>:lock:<name>`), renewed every third of its TTL while held. Work
 * runs only while the lease is surely held (renewed less than TTL minus a
 * safety margin ago); a replica that dies stops renewing and a survivor takes
 * the lock within one TTL. `close()` stops the timers, waits for running work
 * and releases the locks, so a graceful shutdown hands over at once.
 */
export function createClusterSingletons(deps: { redis: Redis; prefix: string; replicaId: string; ttlMs: number; clock: Clock; log: Logger }): ClusterSingletons & {
  close(): Promise<void>;
  /** Names of the locks this replica holds now (for tests and logs). */
  held(): string[];
} {
  const { redis, clock, ttlMs } = deps;
  const log = deps.log.child({ component: 'cluster-lock' });
  const singletons: Singleton[] = [];
  const key = (name: string) => `${deps.prefix}:lock:${name}`;
  const nowMs = () => clock.now().getTime();
  const margin = Math.min(1_000, ttlMs / 5);
  let closed = false;

  async function holdOrTake(s: Singleton): Promise<void> {
    const startedMs = nowMs();
    if (s.token) {
      const renewed = Number(await RENEW(redis, [key(s.name)], [s.token, ttlMs]));
      if (renewed === 1) s.heldUntilMs = startedMs + ttlMs - margin;
      else {
        log.warn({ lock: s.name, fencingToken: s.fencingToken }, 'lost the cluster lock');
        s.token = undefined;
      }
      return;
    }
    const fence = Number(await ACQUIRE(redis, [key(s.name), `${key(s.name)}:fence`], [deps.replicaId, ttlMs]));
    if (fence > 0) {
      s.token = `${deps.replicaId}:${fence}`;
      s.fencingToken = fence;
      s.heldUntilMs = startedMs + ttlMs - margin;
      log.info({ lock: s.name, fencingToken: fence }, 'took the cluster lock');
    }
  }

  async function step(s: Singleton): Promise<void> {
    await holdOrTake(s);
    const now = nowMs();
    if (!s.token || now >= s.heldUntilMs || now - s.lastRunMs < s.intervalMs || closed) return;
    s.lastRunMs = now;
    await s.work({ fencingToken: s.fencingToken });
  }

  return {
    every(name, intervalMs, work) {
      // The first run comes one interval after start, like every later one.
      const s: Singleton = { name, intervalMs, work, fencingToken: 0, heldUntilMs: 0, lastRunMs: nowMs() };
      singletons.push(s);
      const period = Math.max(50, Math.min(intervalMs, ttlMs / 3));
      s.timer = setInterval(() => {
        s.running ??= step(s)
          .catch((err: unknown) => log.warn({ err, lock: name }, 'cluster singleton step failed'))
          .finally(() => (s.running = undefined));
      }, period);
    },
    held: () => singletons.filter((s) => s.token && nowMs() < s.heldUntilMs).map((s) => s.name),
    async close() {
      closed = true;
      for (const s of singletons) clearInterval(s.timer);
      await Promise.all(singletons.map((s) => s.running));
      for (const s of singletons) {
        if (s.token) await RELEASE(redis, [key(s.name)], [s.token]).catch(() => undefined);
        s.token = undefined;
      }
    },
  };
}
