import { z } from 'zod';
import { authConfigSchema, baseConfigSchema, env, parseConfig } from '@kera/platform';

export const notifyConfigSchema = z.object({
  ...baseConfigSchema,
  ...authConfigSchema,
  GRPC_PORT: env.port(50053),
  OPS_PORT: env.port(9103),
  REDIS_URL: env.redisUrl(),
  /** Namespace of notify's own Redis keys (subscriptions, delivery lanes). */
  REDIS_PREFIX: z.string().min(1).default('kera:notify'),
  /** Where a consumer group without committed offsets starts: false = only new events. */
  KAFKA_FROM_BEGINNING: env.flag(false),
  WEBHOOK_TIMEOUT_MS: env.positiveInt(5_000),
  /** Attempts per event, the first included, before it lands in the failed set. */
  WEBHOOK_MAX_ATTEMPTS: env.positiveInt(8),
  /** First retry delay; doubles per attempt (1 s, 2 s, 4 s ... with 8 attempts about 2 min in total). */
  WEBHOOK_BACKOFF_MS: env.positiveInt(1_000),
  /** Deliveries in flight per instance (each lane has at most one). */
  WEBHOOK_CONCURRENCY: env.positiveInt(16),
  WEBHOOK_LANE_REPAIR_INTERVAL_MS: env.positiveInt(30_000),
});

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): NotifyConfig =>
  parseConfig(notifyConfigSchema, source);
