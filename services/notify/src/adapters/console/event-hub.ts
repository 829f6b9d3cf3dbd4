import type { Logger } from '@kera/platform';
import type { Redis } from 'ioredis';
import type { ConsoleEvent } from '../../domain/console-events.js';

export interface StreamEntry {
  id: string;
  event: ConsoleEvent;
}

export interface EventHub {
  /**
   * Calls `listener` with every entry after `afterId` (a Last-Event-ID; still
   * in the bounded stream) and then every new one, each once and in order.
   */
  subscribe(listener: (entry: StreamEntry) => void, afterId?: string): Promise<() => void>;
  /** True when entries after `afterId` were already trimmed from the bounded stream (the client must reload its snapshot). */
  missedSince(afterId: string): Promise<boolean>;
  stop(): void;
}

/** Stream ids are `ms-seq`; compares them numerically. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

type Raw = [string, string[]][];
const toEntries = (raw: Raw): StreamEntry[] =>
  raw.flatMap(([id, fields]) => {
    const json = fields[fields.indexOf('e') + 1];
    return json ? [{ id, event: JSON.parse(json) as ConsoleEvent }] : [];
  });

/**
 * Tails the console stream in Redis on one blocking connection per notify
 * replica and fans entries out to its SSE clients; a client resuming with
 * Last-Event-ID first gets what it missed from the stream (XRANGE), so a
 * reconnect to another replica loses nothing the stream still holds.
 */
export function createEventHub(deps: { redis: Redis; reader: Redis; key: string; log: Logger }): EventHub {
  const listeners = new Set<(entry: StreamEntry) => void>();
  let lastId: string | undefined;
  let stopped = false;

  async function loop(): Promise<void> {
    const newest = (await deps.redis.xrevrange(deps.key, '+', '-', 'COUNT', 1)) as Raw;
    lastId = newest[0]?.[0] ?? '0-0';
    while (!stopped) {
      try {
        const res = (await deps.reader.xread('COUNT', 500, 'BLOCK', 5_000, 'STREAMS', deps.key, lastId)) as [string, Raw][] | null;
        for (const entry of toEntries(res?.[0]?.[1] ?? [])) {
          lastId = entry.id;
          for (const listener of listeners) listener(entry);
        }
      } catch (err) {
        if (stopped) return;
        deps.log.warn({ err }, 'console stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }
  const started = loop();

  return {
    async subscribe(listener, afterId) {
      if (!afterId) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      }
      // Buffer live entries while catching up, then deliver only what is newer than the catch-up.
      const buffered: StreamEntry[] = [];
      const buffer = (entry: StreamEntry) => buffered.push(entry);
      listeners.add(buffer);
      let sent = afterId;
      const missed = toEntries((await deps.redis.xrange(deps.key, `(${afterId}`, '+', 'COUNT', 10_000)) as Raw);
      for (const entry of missed) {
        listener(entry);
        sent = entry.id;
      }
      for (const entry of buffered) if (compareIds(entry.id, sent) > 0) listener(entry);
      listeners.delete(buffer);
      const live = (entry: StreamEntry) => {
        if (compareIds(entry.id, sent) > 0) listener(entry);
      };
      listeners.add(live);
      return () => listeners.delete(live);
    },
    async missedSince(afterId) {
      const oldest = ((await deps.redis.xrange(deps.key, '-', '+', 'COUNT', 1)) as Raw)[0]?.[0];
      return oldest !== undefined && afterId !== '0-0' && compareIds(oldest, afterId) > 0;
    },
    stop() {
      stopped = true;
      deps.reader.disconnect();
      void started;
    },
  };
}
