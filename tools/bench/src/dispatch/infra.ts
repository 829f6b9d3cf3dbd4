/**
 * Kafka and Redis for a run: the ones at KAFKA_BROKERS / REDIS_URL when both
 * are set, else the local stack (tools/stack), of which the run stops only
 * what it started. Topics are created before any service starts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deleteKeys } from '@kera/testkit';

const run = promisify(execFile);

export interface Infra {
  kafkaBrokers: string;
  redisUrl: string;
  /** Stop what this run started (nothing when it used a running stack). Idempotent. */
  release(): Promise<void>;
}

export async function acquireInfra(root: string): Promise<Infra> {
  const { KAFKA_BROKERS, REDIS_URL } = process.env;
  if (KAFKA_BROKERS && REDIS_URL) return { kafkaBrokers: KAFKA_BROKERS, redisUrl: REDIS_URL, release: async () => undefined };
  const stack = join(root, 'tools/stack/stack.sh');
  const { stdout } = await run('bash', [stack, 'up'], { cwd: root, maxBuffer: 1 << 20 });
  const vars = Object.fromEntries(stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
  const started = (vars.STACK_STARTED ?? '').split(' ').filter(Boolean);
  let released: Promise<void> | undefined;
  return {
    kafkaBrokers: vars.KAFKA_BROKERS ?? '127.0.0.1:9092',
    redisUrl: vars.REDIS_URL ?? 'redis://127.0.0.1:6379',
    release: () => (released ??= started.length > 0 ? run('bash', [stack, 'down', ...started], { cwd: root }).then(() => undefined) : Promise.resolve()),
  };
}

/** Every topic in the registry (broker auto-creation is off), with the project's topic tool. */
export async function createTopics(root: string, kafkaBrokers: string): Promise<void> {
  await run(process.execPath, [join(root, 'tools/run/dist/src/topics.js')], { cwd: root, env: { ...process.env, KAFKA_BROKERS: kafkaBrokers, LOG_LEVEL: 'warn' } });
}

/** Keys of this run only: its services' prefixes and its dispatch queue. */
export async function removeRunKeys(redisUrl: string, run: string): Promise<void> {
  await deleteKeys(redisUrl, [`${run}:*`, `bull:${run}-*`]);
}
