import { z } from 'zod';
import { authConfigSchema, baseConfigSchema, env, parseConfig } from '@kera/platform';
import { parseAllowEntry } from './adapters/http/destination-policy.js';

const allowlist = () =>
  z
    .string()
    .default('')
    .transform((s) => s.split(',').map((entry) => entry.trim()).filter(Boolean))
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        try {
          parseAllowEntry(entry);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }
    });

export const notifyConfigSchema = z.object({
  ...baseConfigSchema,
  ...authConfigSchema,
  GRPC_PORT: env.port(50053),
  OPS_PORT: env.port(9103),
  REDIS_URL: env.redisUrl(),
  /** Namespace of notify's own Redis keys (subscriptions, delivery lanes). */
  REDIS_PREFIX: z.string().min(1).default('kera:notify'),
  /** notify's Kafka consumer group (its console's groups are named after it unless CONSOLE_GROUP_ID is set). */
  KAFKA_GROUP_ID: z.string().min(1).default('notify'),
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
  /** Deliveries in flight per subscription endpoint, so a slow endpoint cannot take every worker slot. */
  WEBHOOK_ENDPOINT_CONCURRENCY: env.positiveInt(4),
  /**
   * Destinations allowed although they are loopback, private, link-local or
   * metadata addresses: `host`, `host:port`, IP or CIDR, comma-separated.
   */
  WEBHOOK_ALLOWED_HOSTS: allowlist(),
  /** `job.eta_changed` when the ETA moved at least this far from the last one sent... */
  ETA_CHANGE_THRESHOLD_S: env.positiveInt(120),
  /** ...and at most once per this interval per job. */
  ETA_CHANGE_MIN_INTERVAL_S: env.positiveInt(60),
  /** `job.arriving` when the vehicle is this close to the pickup (before it) or the drop-off. */
  ARRIVING_DISTANCE_M: env.positiveInt(150),
  /** `incident.on_route` when a closure is this close to an active order's route. */
  INCIDENT_ROUTE_DISTANCE_M: env.positiveInt(30),
  /** How often due `job.delayed` deadlines are checked. */
  DELAY_CHECK_INTERVAL_MS: env.positiveInt(1_000),
  /** The operator console's HTTP port (/console, /events, /console/queues); 0 picks a free one. */
  CONSOLE_PORT: env.port(8090),
  /** Entries the console's live stream (Redis) keeps for SSE clients resuming with Last-Event-ID. */
  CONSOLE_STREAM_MAX: env.positiveInt(10_000),
  /** Mark the console's session cookie Secure (set when the console is served over HTTPS). */
  CONSOLE_SECURE_COOKIE: env.flag(false),
  /** Consumer group prefix of the console's projection (one projection per Redis prefix); notify's group + "-console" when unset. */
  CONSOLE_GROUP_ID: z.string().min(1).optional(),
  /** Routing's gRPC address, for the street network the console draws. */
  ROUTING_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  /** Fleet's gRPC address, for the vehicles' current state (asked with the console user's token). */
  FLEET_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  /** Fleet's BullMQ dispatch queue, shown in the console's Bull Board. */
  DISPATCH_QUEUE: z.string().min(1).default('dispatch'),
  QUEUE_PREFIX: z.string().min(1).default('bull'),
});

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): NotifyConfig =>
  parseConfig(notifyConfigSchema, source);
