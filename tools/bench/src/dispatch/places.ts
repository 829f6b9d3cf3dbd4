/**
 * Pickups, drop-offs and vehicle positions on the committed Otaniemi map that
 * both profiles can route: candidate street positions (the simulator's starts
 * and routing's demo places), kept only when routing plans every pair of them
 * on the sidewalk and on the road network.
 */
import { Profile } from '@kera/proto/traffic/v1/events';
import type { PlanMatrixResponse } from '@kera/proto/routing/v1/routing';
import { unary, type Clients } from './clients.js';

export interface Place {
  lat: number;
  lon: number;
}

/** From tools/sim/src/vehicles/fleet-sim.ts and services/routing/src/demo-places.ts. */
export const OTANIEMI_CANDIDATES: readonly Place[] = [
  { lat: 60.1851, lon: 24.82595 },
  { lat: 60.18653, lon: 24.82687 },
  { lat: 60.18514, lon: 24.82516 },
  { lat: 60.18651, lon: 24.8224 },
  { lat: 60.18734, lon: 24.82504 },
  { lat: 60.18825, lon: 24.82864 },
  { lat: 60.18462, lon: 24.83307 },
  { lat: 60.18765, lon: 24.83494 },
  { lat: 60.18391, lon: 24.82815 },
  { lat: 60.18379, lon: 24.82693 },
  { lat: 60.1842, lon: 24.82798 },
  { lat: 60.18572, lon: 24.82587 },
  { lat: 60.18047, lon: 24.82481 },
  { lat: 60.18587, lon: 24.82414 },
  { lat: 60.18806, lon: 24.83757 },
  { lat: 60.18776, lon: 24.83473 },
  { lat: 60.18183, lon: 24.82138 },
  { lat: 60.1865, lon: 24.827 },
  { lat: 60.18926, lon: 24.83495 },
];

async function matrix(clients: Clients, profile: Profile, points: readonly Place[]): Promise<PlanMatrixResponse | undefined> {
  const request = { profile, sources: [...points], destinations: [...points], departureTime: new Date() };
  try {
    return await unary<PlanMatrixResponse>((md, opts, cb) => clients.routing.planMatrix(request, md, opts, cb), 30_000);
  } catch {
    return undefined;
  }
}

/** Indexes of points whose row or column has a missing route. */
function unroutable(m: PlanMatrixResponse): number[] {
  const bad = new Map<number, number>();
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      if (i === j || (m.durationsS[i * m.cols + j] ?? -1) >= 0) continue;
      bad.set(i, (bad.get(i) ?? 0) + 1);
      bad.set(j, (bad.get(j) ?? 0) + 1);
    }
  }
  const worst = Math.max(0, ...bad.values());
  return worst === 0 ? [] : [...bad].filter(([, n]) => n === worst).map(([i]) => i);
}

/** The candidates every profile can route between, dropping the worst point until the rest all connect. */
export async function routablePlaces(clients: Clients, candidates: readonly Place[] = OTANIEMI_CANDIDATES): Promise<Place[]> {
  const snaps = async (p: Place) => (await matrix(clients, Profile.SIDEWALK, [p])) !== undefined && (await matrix(clients, Profile.ROAD, [p])) !== undefined;
  let places: Place[] = [];
  for (const p of candidates) if (await snaps(p)) places.push(p);
  for (let round = 0; round < candidates.length && places.length >= 2; round++) {
    const drop = new Set<number>();
    for (const profile of [Profile.SIDEWALK, Profile.ROAD]) {
      const m = await matrix(clients, profile, places);
      if (!m) throw new Error(`routing refused a ${Profile[profile]} matrix over ${places.length} snapped places`);
      unroutable(m).forEach((i) => drop.add(i));
    }
    if (drop.size === 0) return places;
    places = places.filter((_, i) => !drop.has(i));
  }
  if (places.length < 2) throw new Error('fewer than two Otaniemi places route on both profiles: is routing serving the Otaniemi map?');
  return places;
}

/** Job i: a pickup and a different drop-off, spread over the places. */
export function jobRoute(places: readonly Place[], i: number): { pickup: Place; dropoff: Place } {
  const pickup = places[i % places.length]!;
  const offset = 1 + ((i * 7) % (places.length - 1));
  return { pickup, dropoff: places[(i + offset) % places.length]! };
}
