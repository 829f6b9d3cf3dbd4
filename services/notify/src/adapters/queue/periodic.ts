import type { Logger } from '@kera/platform';

/** Runs `task` now and then every intervalMs after the previous run ends, until stop() resolves. */
export function startPeriodic(name: string, task: () => Promise<unknown>, intervalMs: number, log: Logger): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = task()
      .catch((err: unknown) => log.warn({ err, task: name }, `${name} failed; will try again`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
