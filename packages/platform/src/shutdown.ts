import type { Logger } from 'pino';

type Closer = { name: string; close: () => Promise<void> | void };

export interface Shutdown {
  /** Closers run in reverse order of registration (last started, first stopped). */
  add(name: string, close: () => Promise<void> | void): void;
  /** Idempotent: every call returns the same promise. Never rejects. */
  run(reason: string): Promise<void>;
  /** SIGINT/SIGTERM run the shutdown, then exit. */
  installSignalHandlers(): void;
}

/**
 * One shutdown per service: runs every closer even if one throws, bounded by
 * a deadline after which the process exits anyway.
 */
export function createShutdown(options: { log: Logger; deadlineMs: number }): Shutdown {
  const { log, deadlineMs } = options;
  const closers: Closer[] = [];
  let running: Promise<void> | undefined;

  const runAll = async (reason: string): Promise<void> => {
    log.info({ reason }, 'shutting down');
    for (const closer of [...closers].reverse()) {
      try {
        await closer.close();
        log.debug({ closer: closer.name }, 'closed');
      } catch (err) {
        log.error({ err, closer: closer.name }, 'close failed');
      }
    }
    log.info('shutdown complete');
  };

  const shutdown: Shutdown = {
    add(name, close) {
      closers.push({ name, close });
    },
    run(reason) {
      running ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.error({ deadlineMs }, 'shutdown deadline passed; exiting');
          resolve();
        }, deadlineMs);
        timer.unref();
        void runAll(reason).finally(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return running;
    },
    installSignalHandlers() {
      const onSignal = (signal: NodeJS.Signals) => {
        void shutdown.run(signal).then(() => process.exit(0));
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    },
  };
  return shutdown;
}

/**
 * Unknown errors are bugs: log, run the shutdown, exit non-zero.
 * Expected errors never get here; they are handled at the edge.
 */
export function crashOnUnexpected(log: Logger, shutdown: Shutdown): void {
  const crash = (err: unknown, origin: string) => {
    log.fatal({ err, origin }, 'unexpected error; stopping');
    void shutdown.run(origin).then(() => process.exit(1));
  };
  process.on('uncaughtException', (err) => crash(err, 'uncaughtException'));
  process.on('unhandledRejection', (err) => crash(err, 'unhandledRejection'));
}
