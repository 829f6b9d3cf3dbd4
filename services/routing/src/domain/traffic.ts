import type { TrafficGeometry } from './edge-matching.js';
import type { ProfileName } from './profiles.js';

export type SurfaceCondition = 'unknown' | 'dry' | 'wet' | 'snow' | 'icy';
export type IncidentKind = 'unspecified' | 'closure' | 'road_works' | 'hazard' | 'weight_restriction' | 'announcement';
export type IncidentSeverity = 'unspecified' | 'low' | 'medium' | 'high';

/** A normalized street measurement (from traffic.observations.v1). */
export interface ObservationFact {
  readonly locationId: string;
  readonly geometry: TrafficGeometry;
  readonly bearingDeg?: number;
  /** End of the event-time window the values describe (ms since epoch). */
  readonly windowEndMs: number;
  readonly speedKmh?: number;
  /** Pedestrians per 100 m² of walkway. */
  readonly pedestrianDensity?: number;
  readonly surface: SurfaceCondition;
  /** Raw readings in the window; a later update of the same window carries more. */
  readonly sampleCount?: number;
}

/** A closure or hazard (from traffic.incidents.v1). */
export interface IncidentFact {
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly severity: IncidentSeverity;
  readonly geometry: TrafficGeometry;
  readonly validFromMs?: number;
  readonly validUntilMs?: number;
  readonly active: boolean;
}

/** What one piece of traffic information does to the edges it covers. */
export type EdgeEffect =
  | { readonly kind: 'speed'; readonly speedKmh: number }
  | { readonly kind: 'crowding'; readonly factor: number }
  | { readonly kind: 'surface'; readonly factor: number }
  | { readonly kind: 'hazard'; readonly factor: number }
  | { readonly kind: 'closure' };

export interface ProfileEffect {
  readonly profile: ProfileName;
  readonly effect: EdgeEffect;
}

/** Stopped traffic is still passable eventually: a floor keeps the slowdown finite. */
const MIN_SPEED_KMH = 3;

/** The effects of an observation, per profile: speeds scale road edges; crowding and ice slow robots. */
export function observationEffects(fact: ObservationFact): ProfileEffect[] {
  const effects: ProfileEffect[] = [];
  if (fact.speedKmh !== undefined && Number.isFinite(fact.speedKmh) && fact.speedKmh >= 0) {
    effects.push({ profile: 'road', effect: { kind: 'speed', speedKmh: Math.max(MIN_SPEED_KMH, fact.speedKmh) } });
  }
  if (fact.pedestrianDensity !== undefined && fact.pedestrianDensity > 0) {
    const factor = crowdingFactor(fact.pedestrianDensity);
    if (factor > 1) effects.push({ profile: 'sidewalk', effect: { kind: 'crowding', factor } });
  }
  const sidewalkSurface = surfaceFactor('sidewalk', fact.surface);
  if (sidewalkSurface > 1) effects.push({ profile: 'sidewalk', effect: { kind: 'surface', factor: sidewalkSurface } });
  const roadSurface = surfaceFactor('road', fact.surface);
  if (roadSurface > 1) effects.push({ profile: 'road', effect: { kind: 'surface', factor: roadSurface } });
  return effects;
}

/** Up to 5 people per 100 m² a robot keeps its speed; at 50 it needs three times as long. */
export function crowdingFactor(peoplePer100m2: number): number {
  return 1 + Math.min(2, Math.max(0, peoplePer100m2 - 5) / 22.5);
}

export function surfaceFactor(profile: ProfileName, surface: SurfaceCondition): number {
  switch (surface) {
    case 'icy':
      return profile === 'sidewalk' ? 2 : 1.3;
    case 'snow':
      return profile === 'sidewalk' ? 1.5 : 1.15;
    case 'wet':
      return 1.1;
    case 'dry':
    case 'unknown':
      return 1;
    default: {
      const unknown: never = surface;
      throw new Error(`unknown surface ${String(unknown)}`);
    }
  }
}

const HAZARD_FACTOR: Readonly<Record<IncidentSeverity, number>> = { unspecified: 1.2, low: 1.1, medium: 1.3, high: 1.6 };

/** Closures shut both profiles; road works slow them (or shut them when severe); hazards slow them. */
export function incidentEffects(fact: IncidentFact): ProfileEffect[] {
  const both = (effect: EdgeEffect): ProfileEffect[] => [
    { profile: 'road', effect },
    { profile: 'sidewalk', effect },
  ];
  if (!fact.active) return [];
  switch (fact.kind) {
    case 'closure':
      return both({ kind: 'closure' });
    case 'road_works':
      return fact.severity === 'high' ? both({ kind: 'closure' }) : both({ kind: 'hazard', factor: 1.5 });
    case 'hazard':
      return both({ kind: 'hazard', factor: HAZARD_FACTOR[fact.severity] });
    case 'weight_restriction':
    case 'announcement':
    case 'unspecified':
      return [];
    default: {
      const unknown: never = fact.kind;
      throw new Error(`unknown incident kind ${String(unknown)}`);
    }
  }
}

/**
 * The weight multiplier of one edge from the effects active on it: a closure
 * makes it unusable; otherwise the worst effect of each kind, multiplied. Never
 * below 1: traffic only slows edges, which keeps landmark bounds valid.
 */
export function edgeFactor(effects: Iterable<EdgeEffect>, freeFlowKmh: number): number {
  let speed = 1;
  let crowding = 1;
  let surface = 1;
  let hazard = 1;
  for (const effect of effects) {
    switch (effect.kind) {
      case 'closure':
        return Infinity;
      case 'speed':
        speed = Math.max(speed, freeFlowKmh / effect.speedKmh);
        break;
      case 'crowding':
        crowding = Math.max(crowding, effect.factor);
        break;
      case 'surface':
        surface = Math.max(surface, effect.factor);
        break;
      case 'hazard':
        hazard = Math.max(hazard, effect.factor);
        break;
      default: {
        const unknown: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  }
  return speed * crowding * surface * hazard;
}
