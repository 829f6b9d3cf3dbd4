import buffer from '@turf/buffer';
import { point } from '@turf/helpers';
import type { PayloadLimits } from '../payload.js';
import type { FeedFormat, ParsedMessage, Reading, ReadingValues } from '../reading.js';
import type { Rejection } from '../rejection.js';
import type { Geometry, SurfaceState } from '../types.js';
import type { Station, StationMetadata } from './metadata.js';
import { readSensorValue, type SensorValue } from './sensor-value.js';
import { single } from './tms.js';

export const WEATHER_FEED = 'digitraffic-weather';

/** Friction below this is ice, whatever the condition sensor says. */
const ICE_FRICTION = 0.3;

/**
 * Digitraffic road-weather sensor values (`weather-v2/<roadStationId>/<sensorId>`,
 * body `{"value", "time"}`) → surface readings per station. The road
 * condition sensors (KELI_*) are enumerated: the value is looked up in the
 * sensor's `sensorValueDescriptions`. Friction (KITKA*) and surface
 * temperature (TIE_*) are carried. A station's reading covers the streets
 * within `radiusM` of it (a polygon buffered once per station with Turf).
 */
export function createWeatherFormat(metadata: StationMetadata, limits: PayloadLimits, radiusM: number): FeedFormat {
  const areas = new Map<number, Geometry>();
  for (const station of metadata.stations.values()) areas.set(station.id, stationArea(station, radiusM));
  return {
    feed: WEATHER_FEED,
    parse(message): ParsedMessage {
      const read = readSensorValue(message, 'weather-v2', metadata, limits);
      if ('rejection' in read) return single(read.rejection, read.unreadable === true);
      const values = readValues(read);
      if ('code' in values) return single(values, false, read.address);
      const reading: Reading = {
        locationId: `weather:${read.station.id}`,
        geometry: areas.get(read.station.id)!,
        eventTime: read.time,
        source: WEATHER_FEED,
        sourceId: read.address,
        readingKey: `${WEATHER_FEED}|${read.address}|${read.time.getTime()}`,
        values,
      };
      return { entityCount: 1, readings: [{ index: 0, reading }], incidents: [], rejections: [], unreadable: false };
    },
  };
}

function readValues(v: SensorValue): ReadingValues | Rejection {
  const name = v.sensor.name;
  if (/^KELI/.test(name)) {
    const description = v.sensor.valueDescriptions.get(v.value);
    if (description === undefined) {
      const known = [...v.sensor.valueDescriptions.keys()].join(', ');
      return { code: 'schema', reason: `value: ${v.value} is not a ${name} state in the sensor metadata (known: ${known || 'none'})` };
    }
    return { surface: surfaceOf(description) };
  }
  if (/^KITKA/.test(name)) {
    if (v.value < 0 || v.value > 1) return { code: 'schema', reason: `value: expected a friction coefficient between 0 and 1 for ${name}, got ${v.value}` };
    return { friction: v.value, ...(v.value < ICE_FRICTION ? { surface: 'icy' as const } : {}) };
  }
  if (/^TIE_\d$/.test(name)) {
    if (v.value < -60 || v.value > 80) return { code: 'schema', reason: `value: expected a road temperature between -60 and 80 °C for ${name}, got ${v.value}` };
    return { surfaceTemperatureC: v.value };
  }
  return {
    code: 'unsupported_type',
    reason: `sensor ${name} (${v.sensor.id}) is not translated; ingest reads KELI_* (road condition), KITKA* (friction) and TIE_* (road temperature)`,
  };
}

/** Digitraffic's English condition descriptions → Kera's surface states (worst word wins). */
export function surfaceOf(description: string): SurfaceState {
  const text = description.toLowerCase();
  if (/\bice\b|icy|frost|slippery|hoar/.test(text)) return 'icy';
  if (/snow|slush/.test(text)) return 'snow';
  if (/wet|moist|damp/.test(text)) return 'wet';
  if (/dry/.test(text)) return 'dry';
  return 'unknown';
}

function stationArea(station: Station, radiusM: number): Geometry {
  const polygon = buffer(point([station.point.lon, station.point.lat]), radiusM, { units: 'meters', steps: 8 });
  const ring = polygon?.geometry.type === 'Polygon' ? polygon.geometry.coordinates[0] : undefined;
  if (!ring) return { kind: 'point', point: station.point };
  return { kind: 'polygon', ring: ring.map(([lon, lat]) => ({ lon: lon!, lat: lat! })) };
}
