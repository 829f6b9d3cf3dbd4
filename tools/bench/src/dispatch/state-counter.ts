/**
 * State messages fleet handled, from its own counter when it exports one:
 * every replica's /metrics is scraped, and increases are summed across
 * restarts (a restarted replica starts again from zero, as Prometheus'
 * increase() assumes), and the running total is kept per scrape, so rates
 * can be taken over parts of the run (outside the failover window). Without
 * the counter, the run falls back to the lastSeen estimate (stats.ts).
 */

/** Sum of every series of `name` in a Prometheus text exposition; undefined when absent. */
export function counterValue(exposition: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!(line.startsWith(`${name} `) || line.startsWith(`${name}{`))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** Adds up a counter's increases per source, treating a drop as a restart from zero. */
export function createIncreaseTracker() {
  const last = new Map<string, number>();
  let increase = 0;
  return {
    observe(source: string, value: number) {
      const previous = last.get(source);
      if (previous !== undefined) increase += value >= previous ? value - previous : value;
      last.set(source, value);
    },
    increase: () => increase,
  };
}

export interface CounterSample {
  /** When the scrape ended (ms). */
  at: number;
  /** The counter's increase since the watch began, summed over replicas. */
  total: number;
}

export interface CounterWatch {
  /** The counter's running total per scrape, or undefined when no replica exported it. */
  stop(): Promise<CounterSample[] | undefined>;
}

/** Per second between the first and the last sample inside [from, to]; undefined with fewer than two. */
export function rateBetween(samples: readonly CounterSample[], from: number, to: number): { perSecond: number; seconds: number } | undefined {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  const [first, last] = [inside[0], inside.at(-1)];
  if (!first || !last || last.at <= first.at) return undefined;
  const seconds = (last.at - first.at) / 1_000;
  return { perSecond: (last.total - first.total) / seconds, seconds };
}

export function watchStateCounter(o: { opsPorts: () => number[]; name: string; intervalMs: number }): CounterWatch {
  const tracker = createIncreaseTracker();
  const samples: CounterSample[] = [];
  let found = false;
  let running = true;
  const scrape = async () => {
    await Promise.all(
      o.opsPorts().map(async (port) => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3_000) });
          const value = counterValue(await res.text(), o.name);
          if (value === undefined) return;
          found = true;
          tracker.observe(String(port), value);
        } catch {
          // a replica down or restarting: its next scrape counts from where it restarted
        }
      }),
    );
    samples.push({ at: Date.now(), total: tracker.increase() });
  };
  const loop = (async () => {
    while (running) {
      await scrape();
      await new Promise((resolve) => setTimeout(resolve, o.intervalMs));
    }
    await scrape();
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return found ? samples : undefined;
    },
  };
}
