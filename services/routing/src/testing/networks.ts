import { fileURLToPath } from 'node:url';
import { loadNetworks } from '../adapters/osm/network-loader.js';
import { DEFAULT_MAP_PATH } from '../config.js';
import type { ProfileNetwork } from '../domain/network.js';
import type { OsmExtract, OsmWay } from '../domain/osm.js';
import type { ProfileName } from '../domain/profiles.js';
import { WeightStore } from '../domain/weights.js';

/** The maps in ../shared/data/osm/ (relative to the project root); OSM_DIR overrides it (a worktree sits one level deeper). */
export const SHARED_OSM_DIR = process.env.OSM_DIR ?? fileURLToPath(new URL('../../../../../../shared/data/osm/', import.meta.url));

let otaniemi: Record<ProfileName, ProfileNetwork> | undefined;

/** Both profiles of the committed Otaniemi map, built once per test process (no cache). */
export function otaniemiNetworks(): Record<ProfileName, ProfileNetwork> {
  otaniemi ??= loadNetworks({ mapPath: DEFAULT_MAP_PATH }).networks;
  return otaniemi;
}

export function freeFlowStore(networks: Record<ProfileName, ProfileNetwork>, version = 1): WeightStore {
  return new WeightStore({ version, arcWeights: { road: networks.road.freeFlow, sidewalk: networks.sidewalk.freeFlow } });
}

/** A deterministic pseudo-random generator, so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A synthetic street grid of size x size nodes ~100 m apart around Otaniemi:
 * residential rows and columns, some of them oneway, varied speed limits.
 */
export function gridExtract(size: number, random: () => number): OsmExtract {
  const ids = new Float64Array(size * size);
  const lats = new Float64Array(size * size);
  const lons = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      ids[i] = i + 1;
      lats[i] = 60.18 + r * 0.0009 + (random() - 0.5) * 0.0002;
      lons[i] = 24.82 + c * 0.0018 + (random() - 0.5) * 0.0004;
    }
  }
  const ways: OsmWay[] = [];
  const addWay = (refs: number[]) => {
    const tags: Record<string, string> = { highway: 'residential', maxspeed: String(20 + Math.floor(random() * 5) * 10) };
    if (random() < 0.2) tags.oneway = random() < 0.5 ? 'yes' : '-1';
    ways.push({ id: ways.length + 1, tags, refs: Float64Array.from(refs) });
  };
  for (let r = 0; r < size; r++) addWay(Array.from({ length: size }, (_, c) => r * size + c + 1));
  for (let c = 0; c < size; c++) addWay(Array.from({ length: size }, (_, r) => r * size + c + 1));
  return { nodes: { ids, lats, lons }, ways, restrictions: [] };
}
