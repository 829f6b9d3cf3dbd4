import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '@kera/platform';
import { buildRoadGraph } from '../../domain/graph-builder.js';
import { DEFAULT_LANDMARK_COUNT, prepareNetwork, type ProfileNetwork } from '../../domain/network.js';
import type { NoGoZone } from '../../domain/no-go.js';
import type { OsmExtract } from '../../domain/osm.js';
import { isRoutableWay, PROFILE_RULES_VERSION, PROFILES, type ProfileName } from '../../domain/profiles.js';
import { readGraphCache, writeGraphCache } from '../cache/graph-cache.js';
import { readOsmPbf } from './pbf-reader.js';

export interface LoadOptions {
  readonly mapPath: string;
  /** Where built graphs are cached; no caching when undefined. */
  readonly cacheDir?: string;
  readonly noGoZones?: readonly NoGoZone[];
  readonly profiles?: readonly ProfileName[];
  readonly log?: Logger;
}

export interface LoadedNetworks {
  readonly networks: Record<ProfileName, ProfileNetwork>;
  readonly mapSha256: string;
  /** Per profile: read from the cache or built from the map. */
  readonly origin: Record<ProfileName, 'cache' | 'built'>;
}

/** The cache key: the map's bytes, the rules, the zones and the landmark count. */
export function cacheKey(mapSha256: string, profile: ProfileName, noGoZones: readonly NoGoZone[]): string {
  const config = createHash('sha256')
    .update(JSON.stringify({ rules: PROFILE_RULES_VERSION, landmarks: DEFAULT_LANDMARK_COUNT, noGoZones }))
    .digest('hex');
  return `${mapSha256.slice(0, 16)}-${profile}-${config.slice(0, 12)}`;
}

export function loadNetworks(options: LoadOptions): LoadedNetworks {
  const log = options.log;
  const bytes = readFileSync(options.mapPath);
  const mapSha256 = createHash('sha256').update(bytes).digest('hex');
  const zones = options.noGoZones ?? [];
  const profiles = options.profiles ?? PROFILES;
  let osm: OsmExtract | undefined;
  const networks = {} as Record<ProfileName, ProfileNetwork>;
  const origin = {} as Record<ProfileName, 'cache' | 'built'>;
  for (const profile of profiles) {
    const started = performance.now();
    const key = cacheKey(mapSha256, profile, zones);
    const cached = options.cacheDir ? safeRead(options.cacheDir, key, log) : null;
    if (cached) {
      networks[profile] = prepareNetwork(cached.graph, cached.landmarks, cached.topology);
      origin[profile] = 'cache';
    } else {
      osm ??= readOsmPbf(bytes, { keepWay: isRoutableWay });
      const graph = buildRoadGraph(osm, profile, { noGoZones: zones });
      networks[profile] = prepareNetwork(graph);
      origin[profile] = 'built';
      if (options.cacheDir) safeWrite(options.cacheDir, key, networks[profile], log);
    }
    const { graph } = networks[profile];
    log?.info(
      { profile, origin: origin[profile], nodes: graph.nodeCount, edges: graph.edgeCount, ms: Math.round(performance.now() - started) },
      'routing graph ready',
    );
  }
  return { networks, mapSha256, origin };
}

function safeRead(dir: string, key: string, log?: Logger) {
  try {
    return readGraphCache(dir, key);
  } catch (err) {
    // A damaged cache only costs a rebuild.
    log?.warn({ err, key }, 'ignoring unreadable graph cache');
    return null;
  }
}

function safeWrite(dir: string, key: string, network: ProfileNetwork, log?: Logger): void {
  try {
    writeGraphCache(dir, key, { graph: network.graph, landmarks: network.landmarks, topology: network.hierarchy.topology });
  } catch (err) {
    log?.warn({ err, key }, 'could not write graph cache; the next start will rebuild');
  }
}
