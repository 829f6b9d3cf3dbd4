import { lineBearing, oppositeBearing, readGeoJson } from '../geometry.js';
import { describeValue, reject } from '../rejection.js';
import { dateText, parseInstant, parseInterval, type Interval } from '../time.js';
import type { Geometry, TrafficObservation } from '../types.js';
import {
  attributeUnitCode,
  attributeValue,
  readEntityId,
  readEnum,
  readInstant,
  readNumber,
  readReference,
  type Entity,
} from './attributes.js';

export const NGSI_SOURCE = 'ngsi-ld';

/** A reported value the observation could not carry, with why (counted and logged, never silent). */
export interface IgnoredField {
  readonly field: string;
  readonly reason: string;
}

export interface MappedObservation {
  readonly observation: TrafficObservation;
  readonly ignored: readonly IgnoredField[];
}

/** Above this no road vehicle's average speed is plausible; bigger numbers are unit mistakes. */
const MAX_SPEED_KMH = 300;

/** km/h per unit, for the UN/CEFACT codes a normalized property may carry. */
const SPEED_UNITS: Readonly<Record<string, number>> = { KMH: 1, MTS: 3.6, HM: 1.609344 };
/** Fraction per unit: the model's default is a fraction (C62, "one"); P1 is percent. */
const OCCUPANCY_UNITS: Readonly<Record<string, number>> = { C62: 1, P1: 0.01 };

/**
 * FIWARE TrafficFlowObserved (dataModel.Transportation) → one observation.
 * Units per the model: averageVehicleSpeed km/h, intensity = vehicles counted
 * in the observation period, occupancy = fraction of that period (0..1).
 */
export function mapTrafficFlowObserved(entity: Entity): MappedObservation {
  const sourceId = readEntityId(entity);
  const window = observationWindow(entity);
  const geometry = observedGeometry(entity);
  const laneDirection = readEnum(entity, 'laneDirection', ['forward', 'backward']);
  const { measurements, ignored } = readMeasurements(entity, window.end.getTime() - window.start.getTime());
  const bearingDeg = travelBearing(geometry, laneDirection, readReversedLane(entity));
  const observation: TrafficObservation = {
    locationId: locationIdOf(entity, sourceId, laneDirection),
    geometry,
    ...(bearingDeg === undefined ? {} : { bearingDeg }),
    windowStart: window.start,
    windowEnd: window.end,
    source: NGSI_SOURCE,
    sourceId,
    ...measurements,
    sampleCount: 1,
  };
  return { observation, ignored };
}

type Measurements = Pick<TrafficObservation, 'speedKmh' | 'flowVph' | 'occupancyPct'>;

function readMeasurements(entity: Entity, periodMs: number): { measurements: Measurements; ignored: IgnoredField[] } {
  const speedKmh = readSpeedKmh(entity);
  const occupancy = readOccupancyFraction(entity);
  const intensity = readNumber(entity, 'intensity', { min: 0, expected: 'a vehicle count ≥ 0 for the observation period' });
  if (speedKmh === undefined && intensity === undefined && occupancy === undefined) {
    reject('schema', 'expected at least one measurement: averageVehicleSpeed, intensity or occupancy');
  }
  // A count over an instant has no rate; the other measurements still stand.
  const flowVph = intensity === undefined || periodMs <= 0 ? undefined : (intensity * 3_600_000) / periodMs;
  const ignored: IgnoredField[] =
    intensity !== undefined && flowVph === undefined
      ? [{ field: 'intensity', reason: 'the observation is an instant, so a vehicle count has no period to make a rate of' }]
      : [];
  const measurements: Measurements = {
    ...(speedKmh === undefined ? {} : { speedKmh }),
    ...(flowVph === undefined ? {} : { flowVph }),
    ...(occupancy === undefined ? {} : { occupancyPct: occupancy * 100 }),
  };
  return { measurements, ignored };
}

/**
 * dateObservedFrom/dateObservedTo when both are given (the models' workaround
 * for brokers without intervals), else dateObserved as an instant or interval.
 */
export function observationWindow(entity: Entity): Interval {
  const from = readInstant(entity, 'dateObservedFrom');
  const to = readInstant(entity, 'dateObservedTo');
  if (from && to) {
    if (from > to) {
      reject('schema', `dateObservedFrom: ${from.toISOString()} is after dateObservedTo ${to.toISOString()}`);
    }
    return { start: from, end: to };
  }
  const observed = attributeValue(entity, 'dateObserved');
  if (observed !== undefined) return readObservedDate(observed);
  if (from || to) {
    const missing = from ? 'dateObservedTo' : 'dateObservedFrom';
    return reject('schema', `${missing}: required together with ${from ? 'dateObservedFrom' : 'dateObservedTo'} (or give dateObserved)`);
  }
  return reject(
    'schema',
    'dateObserved: required (an ISO 8601 date-time or interval), or dateObservedFrom and dateObservedTo',
  );
}

function readObservedDate(value: unknown): Interval {
  const text = dateText(value);
  const expected = 'an ISO 8601 date-time or interval (start/end, start/duration, duration/end)';
  if (text === undefined) return reject('schema', `dateObserved: expected ${expected}, got ${describeValue(value)}`);
  if (text.includes('/')) {
    const interval = parseInterval(text);
    if (!interval) return reject('schema', `dateObserved: expected ${expected}, got ${describeValue(text)}`);
    if (interval.start > interval.end) return reject('schema', `dateObserved: interval ${text} ends before it starts`);
    return interval;
  }
  const instant = parseInstant(text);
  return instant ? { start: instant, end: instant } : reject('schema', `dateObserved: expected ${expected}, got ${describeValue(text)}`);
}

function observedGeometry(entity: Entity): Geometry {
  const location = attributeValue(entity, 'location');
  if (location === undefined) {
    return reject('schema', 'location: required (a GeoJSON Point or LineString); Kera places observations by geometry');
  }
  return readGeoJson(location, 'location', ['point', 'line']);
}

function readSpeedKmh(entity: Entity): number | undefined {
  const unit = attributeUnitCode(entity, 'averageVehicleSpeed') ?? 'KMH';
  const factor = SPEED_UNITS[unit];
  if (factor === undefined) {
    return reject('schema', `averageVehicleSpeed.unitCode: expected KMH, MTS or HM, got ${describeValue(unit)}`);
  }
  const speed = readNumber(entity, 'averageVehicleSpeed', { min: 0, expected: 'a speed ≥ 0 (km/h)' });
  if (speed === undefined) return undefined;
  const kmh = speed * factor;
  return kmh <= MAX_SPEED_KMH
    ? kmh
    : reject('schema', `averageVehicleSpeed: expected km/h between 0 and ${MAX_SPEED_KMH}, got ${kmh} km/h`);
}

function readOccupancyFraction(entity: Entity): number | undefined {
  const unit = attributeUnitCode(entity, 'occupancy') ?? 'C62';
  const factor = OCCUPANCY_UNITS[unit];
  if (factor === undefined) return reject('schema', `occupancy.unitCode: expected C62 or P1, got ${describeValue(unit)}`);
  const max = 1 / factor;
  const occupancy = readNumber(entity, 'occupancy', {
    min: 0,
    max,
    expected: factor === 1 ? 'a fraction of the observation time between 0 and 1' : 'a percentage between 0 and 100',
  });
  return occupancy === undefined ? undefined : occupancy * factor;
}

function readReversedLane(entity: Entity): boolean {
  const value = attributeValue(entity, 'reversedLane');
  if (value === undefined) return false;
  return typeof value === 'boolean' ? value : reject('schema', `reversedLane: expected true or false, got ${describeValue(value)}`);
}

/**
 * A LineString's forward direction runs from its first to its last point
 * (the OpenStreetMap convention RoadSegment documents); laneDirection says
 * which way the observed lane goes, reversedLane flips it for the period.
 */
function travelBearing(geometry: Geometry, laneDirection: 'forward' | 'backward' | undefined, reversed: boolean) {
  if (geometry.kind !== 'line' || laneDirection === undefined) return undefined;
  const along = lineBearing(geometry.points);
  if (along === undefined) return undefined;
  const backward = (laneDirection === 'backward') !== reversed;
  return backward ? oppositeBearing(along) : along;
}

/**
 * The place measured. With refRoadSegment several sensors and lanes report
 * on one segment, so the segment plus lane (or direction) is the place;
 * otherwise the entity itself is the fixed measuring point.
 */
function locationIdOf(entity: Entity, entityId: string, laneDirection: string | undefined): string {
  const segment = readReference(entity, 'refRoadSegment');
  const laneId = readNumber(entity, 'laneId', { min: 1, expected: 'a lane number ≥ 1' });
  if (laneId !== undefined && !Number.isInteger(laneId)) {
    reject('schema', `laneId: expected a lane number ≥ 1, got ${laneId}`);
  }
  if (segment === undefined) return entityId;
  if (laneId !== undefined) return `${segment}:lane:${laneId}`;
  return laneDirection === undefined ? segment : `${segment}:${laneDirection}`;
}
