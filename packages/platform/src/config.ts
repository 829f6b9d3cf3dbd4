import { z } from 'zod';
import { ConfigError } from './errors.js';
import { tlsConfigSchema } from './tls.js';
import { kafkaSecurityConfigSchema } from './kafka/security.js';

/**
 * Parse the environment once into a typed config. Fails with every problem
 * listed, not just the first.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  );
}

/** Building blocks every service's config schema reuses. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  brokers: () =>
    z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  redisUrl: () => z.string().url().default('redis://127.0.0.1:6379'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  flag: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

/** The part of the config every service has. */
export const baseConfigSchema = {
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  KAFKA_CLIENT_ID: z.string().optional(),
  OPS_PORT: env.port(0),
  SHUTDOWN_DEADLINE_MS: env.positiveInt(10_000),
  ...tlsConfigSchema,
  ...kafkaSecurityConfigSchema,
};
