import { randomBytes } from 'node:crypto';

/** Fresh names per test so tests never see each other's topics, groups or keys. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/**
 * Poll a condition until it yields a value. For state that has no event to
 * await (a Redis key, a consumer's committed offset); bounded, and the
 * failure says what was awaited.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Collects items pushed by a callback (a consumer, a stream) and lets a test
 * await the n-th one, or one that matches.
 */
export class Inbox<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];

  push = (item: T): void => {
    this.items.push(item);
    for (const wake of this.waiters.splice(0)) wake();
  };

  async waitUntil(what: string, done: (items: readonly T[]) => boolean, timeoutMs = 20_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.items)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.items.length} items`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items;
  }

  async waitFor(what: string, match: (item: T) => boolean, timeoutMs?: number): Promise<T> {
    await this.waitUntil(what, (items) => items.some(match), timeoutMs);
    return this.items.find(match) as T;
  }
}
