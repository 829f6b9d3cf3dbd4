import { z } from 'zod';
import { authConfigSchema, baseConfigSchema, env, parseConfig, TOPICS } from '@kera/platform';

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
  /** Sends of one command without an ack before the vehicle is put in ERROR and its job handed back. */
  COMMAND_MAX_SENDS: env.positiveInt(10),
  /** This replica's id in Redis (session ownership, heartbeats, locks); default: host name + random suffix. */
  REPLICA_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional(),
  HEARTBEAT_MS: env.positiveInt(1_000),
  /** A replica silent this long is dead; the whole fleet silent this long was an outage (vehicles get a fresh lease). */
  REPLICA_TTL_MS: env.positiveInt(5_000),
  /** Lease of a cluster-wide lock; a dead holder's work moves to a survivor within it. */
  CLUSTER_LOCK_TTL_MS: env.positiveInt(5_000),
  LEASE_CHECK_MS: env.positiveInt(1_000),
  /** A moving vehicle's position is published at most this often (every other change at once). */
  POSITION_EVENT_MS: env.positiveInt(5_000),
  OUTBOX_POLL_MS: env.positiveInt(500),
  /** A recomputed ETA that moved at least this far from the job's current one is stored and announced (ETA_CHANGED). */
  ETA_CHANGE_THRESHOLD_S: env.positiveInt(60),
  /** A job's ETA is recomputed from its vehicle's state reports at most this often. */
  ETA_PROGRESS_INTERVAL_MS: env.positiveInt(30_000),
  /** How often the cluster-wide sweep applies the traffic changes received since the last one. */
  ETA_TRAFFIC_SWEEP_MS: env.positiveInt(1_000),
  /** ETA records kept per job (the first one, then the latest changes). */
  ETA_HISTORY_MAX: env.positiveInt(20),
  /** Fleet's consumer group on routing's traffic changes. */
  ETA_GROUP_ID: z.string().min(1).default('fleet-eta'),
  TRAFFIC_CHANGES_TOPIC: z.string().default(TOPICS.routingTrafficChanges.name),
  /** Topic names; other than the registry's only for isolated test clusters. */
  JOB_EVENTS_TOPIC: z.string().default(TOPICS.fleetJobEvents.name),
  VEHICLE_EVENTS_TOPIC: z.string().default(TOPICS.fleetVehicleEvents.name),
  ORDERS_TOPIC: z.string().default(TOPICS.fleetOrders.name),
});

export type Config = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): Config => parseConfig(schema, source);
