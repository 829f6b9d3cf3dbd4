import type { GeoPoint } from '../types.js';

/** A road station from Digitraffic's station listing (GeoJSON FeatureCollection). */
export interface Station {
  readonly id: number;
  readonly name: string;
  readonly point: GeoPoint;
  /**
   * Travel bearing of the station's direction 1 (SUUNTA1), degrees from north.
   * Not in Digitraffic's listing (it names the municipalities each direction
   * leads to): Kera's copy may add it as `properties.direction1BearingDeg`;
   * without it a reading applies to both directions of the nearest street.
   */
  readonly direction1BearingDeg?: number;
}

/** A sensor from Digitraffic's sensor listing (`{"sensors": [...]}`). */
export interface Sensor {
  readonly id: number;
  readonly name: string;
  readonly unit: string;
  /** sensorValue → English description, for enumerated sensors such as the road condition. */
  readonly valueDescriptions: ReadonlyMap<number, string>;
}

export interface StationMetadata {
  readonly stations: ReadonlyMap<number, Station>;
  readonly sensors: ReadonlyMap<number, Sensor>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Digitraffic's `/api/{tms,weather}/v1/stations` body → stations by id. Throws
 * with the feature's position on anything unusable: metadata is configuration,
 * and a service must not start on a broken copy.
 */
export function readStationListing(json: unknown, what: string): Map<number, Station> {
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    throw new Error(`${what}: expected a GeoJSON FeatureCollection of stations`);
  }
  const stations = new Map<number, Station>();
  json.features.forEach((feature: unknown, i) => {
    const at = `${what}: features[${i}]`;
    if (!isObject(feature) || !isObject(feature.properties) || !isObject(feature.geometry)) throw new Error(`${at}: expected a Feature with properties and geometry`);
    const id = feature.properties.id ?? feature.id;
    const coordinates = feature.geometry.coordinates;
    if (typeof id !== 'number' || !Number.isInteger(id)) throw new Error(`${at}: properties.id must be an integer`);
    if (feature.geometry.type !== 'Point' || !Array.isArray(coordinates) || typeof coordinates[0] !== 'number' || typeof coordinates[1] !== 'number') {
      throw new Error(`${at}: geometry must be a Point [lon, lat, alt?]`);
    }
    const bearing = feature.properties.direction1BearingDeg;
    stations.set(id, {
      id,
      name: typeof feature.properties.name === 'string' ? feature.properties.name : String(id),
      point: { lon: coordinates[0], lat: coordinates[1] },
      ...(typeof bearing === 'number' ? { direction1BearingDeg: ((bearing % 360) + 360) % 360 } : {}),
    });
  });
  return stations;
}

/** Digitraffic's `/api/{tms,weather}/v1/sensors` body → sensors by id. */
export function readSensorListing(json: unknown, what: string): Map<number, Sensor> {
  if (!isObject(json) || !Array.isArray(json.sensors)) throw new Error(`${what}: expected {"sensors": [...]}`);
  const sensors = new Map<number, Sensor>();
  json.sensors.forEach((sensor: unknown, i) => {
    const at = `${what}: sensors[${i}]`;
    if (!isObject(sensor) || typeof sensor.id !== 'number' || typeof sensor.name !== 'string') {
      throw new Error(`${at}: expected an object with a numeric id and a name`);
    }
    // TMS listings call them valueDescriptions, weather listings sensorValueDescriptions.
    const listed = sensor.sensorValueDescriptions ?? sensor.valueDescriptions ?? [];
    const descriptions = new Map<number, string>();
    if (Array.isArray(listed)) {
      for (const d of listed) {
        if (isObject(d) && typeof d.sensorValue === 'number') descriptions.set(d.sensorValue, String(d.descriptionEn ?? d.descriptionFi ?? ''));
      }
    }
    sensors.set(sensor.id, { id: sensor.id, name: sensor.name, unit: typeof sensor.unit === 'string' ? sensor.unit : '', valueDescriptions: descriptions });
  });
  return sensors;
}
