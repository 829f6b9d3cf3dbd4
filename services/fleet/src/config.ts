import { z } from 'zod';
import { baseConfigSchema, env, parseConfig } from '@kera/platform';

const schema = z.object({
  ...baseConfigSchema,
  GRPC_PORT: env.port(50052),
  OPS_PORT: env.port(9102),
  REDIS_URL: env.redisUrl(),
  ROUTING_ADDR: z.string().default('127.0.0.1:50051'),
  ROUTING_DEADLINE_MS: env.positiveInt(5_000),
  /** Shared token vehicles present in Hello; unset = no check (local demo). */
  FLEET_TOKEN: z.string().min(8).optional(),
  REDIS_PREFIX: z.string().default('fleet'),
  QUEUE_PREFIX: z.string().default('bull'),
  DISPATCH_QUEUE: z.string().default('dispatch'),
  DISPATCH_RETRY_MS: env.positiveInt(2_000),
  /** Dispatches in flight at once per replica. */
  DISPATCH_CONCURRENCY: env.positiveInt(16),
  /** Nearest (straight-line) eligible vehicles per profile that get a routed duration to the pickup. */
  DISPATCH_CANDIDATES: env.positiveInt(8),
  RECONCILE_INTERVAL_MS: env.positiveInt(15_000),
  /** An ASSIGNED job with no stored order for this long is requeued. */
  RECONCILE_ASSIGN_TIMEOUT_MS: env.positiveInt(60_000),
  /** Jobs changed more recently than this are left alone (a writer may be between two steps). */
  RECONCILE_GRACE_MS: env.positiveInt(10_000),
  MIN_BATTERY_PCT: z.coerce.number().min(0).max(100).default(20),
  LEASE_MS: env.positiveInt(15_000),
  STATE_INTERVAL_MS: env.positiveInt(2_000),
  COMMAND_RESEND_MS: env.positiveInt(3_000),
  OUTBOX_POLL_MS: env.positiveInt(500),
});

export type Config = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): Config => parseConfig(schema, source);
