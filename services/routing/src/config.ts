import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseConfigSchema, env, parseConfig } from '@kera/platform';

/** The committed Otaniemi extract, next to the package (dist/src → ../../data). */
export const DEFAULT_MAP_PATH = fileURLToPath(new URL('../../data/espoo-otaniemi.osm.pbf', import.meta.url));
/** <repo>/.cache/routing, from services/routing/dist/src. */
export const DEFAULT_GRAPH_CACHE_DIR = fileURLToPath(new URL('../../../../.cache/routing', import.meta.url));

const schema = z.object({
  ...baseConfigSchema,
  GRPC_PORT: env.port(50051),
  GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  OPS_PORT: env.port(9101),
  /** Any .osm.pbf; the Otaniemi demo map by default. */
  MAP_PATH: z.string().min(1).default(DEFAULT_MAP_PATH),
  /** Built graphs are cached here; "off" disables the cache. */
  GRAPH_CACHE_DIR: z.string().min(1).default(DEFAULT_GRAPH_CACHE_DIR),
  /** Waypoints farther than this from the profile's network are rejected. */
  SNAP_RADIUS_M: z.coerce.number().positive().max(5_000).default(250),
  /** A GeoJSON FeatureCollection of Polygon/MultiPolygon features (optional property "profiles"). */
  NO_GO_ZONES: z.string().min(1).optional(),
  /** Observations older than this (event time of their window end) fall back to free flow. */
  TRAFFIC_FRESHNESS_MS: env.positiveInt(15 * 60_000),
  /** Traffic changes arriving within this window share one weight swap. */
  TRAFFIC_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(25),
  /** How often validity windows are re-checked. */
  TRAFFIC_TICK_MS: env.positiveInt(5_000),
  /** hierarchy: the customizable contraction hierarchy; landmarks: A* with landmarks (the earlier search, a fallback). */
  SEARCH: z.enum(['hierarchy', 'landmarks']).default('hierarchy'),
  /** With SEARCH=landmarks: compute half of each larger matrix on a worker thread. */
  MATRIX_WORKER: env.flag(true),
  /** A start that cannot catch up with the traffic topics within this fails. */
  READY_TIMEOUT_MS: env.positiveInt(120_000),
});

export type RoutingConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined> = process.env): RoutingConfig =>
  parseConfig(schema, source);
