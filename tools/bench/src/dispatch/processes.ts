/**
 * Every child process of a benchmark run in one group: started on the
 * project's Node, output to one log file each, and all of them killed when the
 * run ends — normally, on an error, on Ctrl-C, or when the time bound fires.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  isRunning(): boolean;
}

export interface ProcessGroup {
  /** Start a Node entry point (path from the project root); `ipc` children can send messages. */
  start(name: string, entry: string, env: Record<string, string>, options?: { cpuProfile?: boolean }): Child;
  /** SIGKILL one child and wait until it is gone. */
  kill9(child: Child): Promise<void>;
  /** SIGTERM every child still running, last started first, each SIGKILLed after the deadline. Idempotent. */
  stopAll(deadlineMs: number): Promise<void>;
}

export function createProcessGroup(options: { root: string; logDir: string }): ProcessGroup {
  mkdirSync(options.logDir, { recursive: true });
  const children: Child[] = [];
  const logs: WriteStream[] = [];
  // A last resort when the harness itself exits abruptly: nothing it started outlives it.
  process.once('exit', () => {
    for (const c of children) if (c.isRunning()) c.process.kill('SIGKILL');
  });

  const start = (name: string, entry: string, env: Record<string, string>, how: { cpuProfile?: boolean } = {}): Child => {
    const log = createWriteStream(join(options.logDir, `${name}.log`), { flags: 'a' });
    logs.push(log);
    const execArgv = how.cpuProfile ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${options.logDir}`, `--cpu-prof-name=${name}.cpuprofile`] : process.execArgv;
    const proc = fork(join(options.root, entry), [], { cwd: options.root, env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    let running = true;
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
      proc.once('exit', (code, signal) => {
        running = false;
        resolve(code ?? signal);
      }),
    );
    const child: Child = { name, process: proc, exited, isRunning: () => running };
    children.push(child);
    return child;
  };

  let stopping: Promise<void> | undefined;
  return {
    start,
    async kill9(child) {
      if (child.isRunning()) child.process.kill('SIGKILL');
      await child.exited;
    },
    stopAll: (deadlineMs) =>
      (stopping ??= (async () => {
        // Last started first: simulators before fleet, fleet before routing, as a deployment would.
        for (const c of [...children].reverse()) {
          if (!c.isRunning()) continue;
          c.process.kill('SIGTERM');
          const force = setTimeout(() => c.isRunning() && c.process.kill('SIGKILL'), deadlineMs);
          await c.exited;
          clearTimeout(force);
        }
        await Promise.all(logs.map((l) => new Promise<void>((resolve) => l.end(resolve))));
      })()),
  };
}

/** Wait until the child's ops port answers /readyz with 200; fail early if it exits. */
export async function waitReady(child: Child, opsPort: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!child.isRunning()) throw new Error(`${child.name} exited (${String(await child.exited)}) before it was ready; see its log`);
    try {
      const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${child.name} not ready after ${timeoutMs} ms (${last})`);
}

/** The child's next IPC message; fails if it exits first. */
export function nextMessage<T>(child: Child): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error(`${child.name} exited before reporting; see its log`));
    child.process.once('exit', onExit);
    child.process.once('message', (message) => {
      child.process.off('exit', onExit);
      resolve(message as T);
    });
  });
}
