/**
 * Tracks how far a consumer has read against the end offsets seen at start, so
 * a replica reports ready only once it has rebuilt the traffic state.
 */
export interface CatchUpTracker {
  /** Record a handled message. */
  saw(topic: string, partition: number, offset: string): void;
  /** Resolves once every partition reached its start-time end offset, or the consumer went idle. */
  caughtUp(): Promise<void>;
  /** Start the idle fallback (after the consumer joined its group). */
  joined(): void;
  close(): void;
}

/**
 * Partitions whose retention already deleted every record have a high-water mark
 * but nothing left to read; the platform port exposes no low-water mark, so a
 * consumer that stays idle for idleMs after joining also counts as caught up.
 */
export function createCatchUpTracker(
  endOffsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>,
  idleMs: number,
): CatchUpTracker {
  const remaining = new Map<string, bigint>();
  for (const { topic, partition, offset } of endOffsets) {
    if (BigInt(offset) > 0n) remaining.set(`${topic}/${partition}`, BigInt(offset));
  }
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  let idleTimer: NodeJS.Timeout | undefined;
  let hasJoined = false;
  const armIdle = () => {
    if (!hasJoined) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(resolve, idleMs);
  };
  const check = () => {
    if (remaining.size === 0) resolve();
  };
  check();
  return {
    saw(topic, partition, offset) {
      const key = `${topic}/${partition}`;
      const end = remaining.get(key);
      if (end !== undefined && BigInt(offset) + 1n >= end) remaining.delete(key);
      check();
      armIdle();
    },
    caughtUp: () => done,
    joined() {
      hasJoined = true;
      armIdle();
    },
    close() {
      if (idleTimer) clearTimeout(idleTimer);
      resolve();
    },
  };
}
