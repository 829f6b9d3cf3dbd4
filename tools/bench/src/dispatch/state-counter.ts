/**
 * State messages fleet handled, from its own counter when it exports one:
 * every replica's /metrics is scraped, and increases are summed across
 * restarts (a restarted replica starts again from zero, as Prometheus'
 * increase() assumes). Without the counter, the run falls back to the
 * lastSeen estimate (stats.ts).
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

export interface CounterWatch {
  /** The counter's increase over the watch, or undefined when no replica exported it. */
  stop(): Promise<number | undefined>;
}

export function watchStateCounter(o: { opsPorts: () => number[]; name: string; intervalMs: number }): CounterWatch {
  const tracker = createIncreaseTracker();
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
      return found ? tracker.increase() : undefined;
    },
  };
}
