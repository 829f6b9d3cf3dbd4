/**
 * Which OSM ways each routing profile may use, in which direction, and how fast.
 * Pure tag rules; the graph builder applies them to every highway way.
 */
export type ProfileName = 'sidewalk' | 'road';

export const PROFILES: readonly ProfileName[] = ['sidewalk', 'road'];

export interface WayAccess {
  /** Travel along the way's node order is allowed. */
  readonly forward: boolean;
  /** Travel against the way's node order is allowed. */
  readonly backward: boolean;
  readonly speedKmh: number;
}

type Tags = Readonly<Record<string, string>>;

/** Bump when a rule below changes: it invalidates cached graphs. */
export const PROFILE_RULES_VERSION = 'profiles-v1';

const ROAD_DEFAULT_KMH: Readonly<Record<string, number>> = {
  motorway: 100,
  motorway_link: 60,
  trunk: 80,
  trunk_link: 50,
  primary: 60,
  primary_link: 40,
  secondary: 50,
  secondary_link: 40,
  tertiary: 40,
  tertiary_link: 30,
  unclassified: 40,
  residential: 30,
  living_street: 20,
  service: 20,
  road: 30,
};

const SIDEWALK_ALWAYS = new Set(['footway', 'pedestrian', 'path', 'living_street', 'residential', 'service', 'track']);
/** Walkable only when the way says pedestrians are allowed (foot=*) or it has a sidewalk on it. */
const SIDEWALK_WHEN_TAGGED = new Set([
  'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link',
  'tertiary', 'tertiary_link', 'unclassified', 'road', 'cycleway', 'bridleway',
]);
const FOOT_ALLOWED = new Set(['yes', 'designated', 'permissive', 'official']);
const SIDEWALK_PRESENT = new Set(['both', 'left', 'right', 'yes']);
const NO_ACCESS = new Set(['no', 'private', 'agricultural', 'forestry', 'military', 'discouraged']);
const ROUGH_SURFACE = new Set(['unpaved', 'gravel', 'fine_gravel', 'dirt', 'ground', 'earth', 'grass', 'sand', 'mud', 'wood', 'pebblestone']);
const ROBOT_KMH = 6;
const ROBOT_ROUGH_KMH = 5;

const isYes = (value: string | undefined): boolean => value === 'yes' || value === 'true' || value === '1';

/** The most specific access tag present wins, as OSM's access hierarchy says. */
function accessValue(tags: Tags, hierarchy: readonly string[]): string | undefined {
  for (const key of hierarchy) {
    const value = tags[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

export function wayAccess(profile: ProfileName, tags: Tags): WayAccess | null {
  switch (profile) {
    case 'sidewalk':
      return sidewalkAccess(tags);
    case 'road':
      return roadAccess(tags);
    default: {
      const unknown: never = profile;
      throw new Error(`unknown profile ${String(unknown)}`);
    }
  }
}

/** Delivery robots: walkways at about 6 km/h, both directions, never steps or motorways. */
function sidewalkAccess(tags: Tags): WayAccess | null {
  const highway = tags.highway;
  if (highway === undefined || highway === 'steps' || highway === 'motorway' || highway === 'motorway_link') return null;
  const foot = accessValue(tags, ['foot', 'access']);
  const footExplicitlyAllowed = tags.foot !== undefined && FOOT_ALLOWED.has(tags.foot);
  if (foot !== undefined && (NO_ACCESS.has(foot) || foot === 'use_sidepath')) return null;
  const hasSidewalk = SIDEWALK_PRESENT.has(tags.sidewalk ?? '') || SIDEWALK_PRESENT.has(tags['sidewalk:both'] ?? '');
  const walkable =
    SIDEWALK_ALWAYS.has(highway) || (SIDEWALK_WHEN_TAGGED.has(highway) && (footExplicitlyAllowed || hasSidewalk));
  if (!walkable) return null;
  const rough = highway === 'path' || highway === 'track' || ROUGH_SURFACE.has(tags.surface ?? '');
  const oneway = isYes(tags['oneway:foot']);
  return { forward: true, backward: !oneway, speedKmh: rough ? ROBOT_ROUGH_KMH : ROBOT_KMH };
}

/** Shuttles: drivable roads with oneway rules and the posted or a per-class speed. */
function roadAccess(tags: Tags): WayAccess | null {
  const highway = tags.highway;
  if (highway === undefined) return null;
  const fallbackKmh = ROAD_DEFAULT_KMH[highway];
  if (fallbackKmh === undefined || tags.area === 'yes') return null;
  const access = accessValue(tags, ['motorcar', 'motor_vehicle', 'vehicle', 'access']);
  if (access !== undefined && NO_ACCESS.has(access)) return null;
  if (highway === 'service' && tags.service === 'emergency_access') return null;
  const direction = roadDirection(tags, highway);
  if (direction === null) return null;
  const speedKmh = parseMaxspeed(tags.maxspeed) ?? fallbackKmh;
  return { ...direction, speedKmh };
}

function roadDirection(tags: Tags, highway: string): { forward: boolean; backward: boolean } | null {
  const oneway = tags.oneway;
  if (oneway === 'reversible' || oneway === 'alternating') return null; // direction unknown at any time
  if (oneway === '-1' || oneway === 'reverse') return { forward: false, backward: true };
  if (isYes(oneway)) return { forward: true, backward: false };
  if (oneway === 'no') return { forward: true, backward: true };
  const implied = highway === 'motorway' || highway === 'motorway_link' || tags.junction === 'roundabout' || tags.junction === 'circular';
  return { forward: true, backward: !implied };
}

/** Zone speeds written as "<country>:<zone>" (e.g. FI:urban, PT:rural). */
const ZONE_KMH: Readonly<Record<string, number>> = {
  urban: 50,
  rural: 80,
  motorway: 120,
  trunk: 100,
  living_street: 20,
  walk: 7,
  zone30: 30,
  zone20: 20,
};

/** "50", "50 km/h", "30 mph", "FI:urban", "walk" → km/h; unknown forms → null (use the class default). */
export function parseMaxspeed(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim().toLowerCase();
  const numeric = /^(\d+(?:\.\d+)?)\s*(km\/h|kmh|kph|mph|knots)?$/.exec(text);
  if (numeric) {
    const speed = Number(numeric[1]) * (numeric[2] === 'mph' ? 1.609344 : numeric[2] === 'knots' ? 1.852 : 1);
    return speed > 0 ? speed : null;
  }
  if (text === 'walk') return ZONE_KMH.walk!;
  const zone = /^[a-z]{2}:(.+)$/.exec(text)?.[1];
  return zone === undefined ? null : ZONE_KMH[zone] ?? null;
}

/** Whether a way can matter to any profile; the reader keeps only these. */
export const isRoutableWay = (tags: Tags): boolean =>
  tags.highway !== undefined && PROFILES.some((profile) => wayAccess(profile, tags) !== null);
