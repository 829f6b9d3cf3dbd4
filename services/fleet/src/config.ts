import { z } from 'zod';
import { authConfigSchema, baseConfigSchema, env, parseConfig } from '@kera/platform';

const schema = z.object({
  ...baseConfigSchema,
  ...authConfigSchema,
  GRPC_PORT: env.port(50052),
  OPS_PORT: env.port(9102),
  REDIS_URL: env.redisUrl(),
  ROUTING_ADDR: z.string().default('127.0.0.1:50051'),
  ROUTING_DEADLINE_MS: env.positiveInt(5_000),
  REDIS_PREFIX: z.string().default('fleet'),
  QUEUE_PREFIX: z.string().default('bull'),
  DISPATCH_QUEUE: z.string().default('dispatch'),
  DISPATCH_RETRY_MS: env.positiveInt(2_000),
  MIN_BATTERY_PCT: z.coerce.number().min(0).max(100).default(20),
  LEASE_MS: env.positiveInt(15_000),
  STATE_INTERVAL_MS: env.positiveInt(2_000),
  COMMAND_RESEND_MS: env.positiveInt(3_000),
  OUTBOX_POLL_MS: env.positiveInt(500),
});

export type Config = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): Config => parseConfig(schema, source);
