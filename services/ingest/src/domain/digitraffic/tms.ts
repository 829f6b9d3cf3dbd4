import type { PayloadLimits } from '../payload.js';
import type { FeedFormat, ParsedMessage, Reading, ReadingValues } from '../reading.js';
import type { Rejection } from '../rejection.js';
import type { StationMetadata } from './metadata.js';
import { readSensorValue, type SensorValue } from './sensor-value.js';

export const TMS_FEED = 'digitraffic-tms';

/** Above this no road vehicle's average speed is plausible. */
const MAX_SPEED_KMH = 300;
/** More than this many vehicles an hour past one sensor direction is a counting fault. */
const MAX_FLOW_VPH = 20_000;

const SPEED = /^KESKINOPEUS_(\d+MIN)_(LIUKUVA|KIINTEA)_SUUNTA([12])$/;
const COUNT = /^OHITUKSET_(\d+MIN)_(LIUKUVA|KIINTEA)_SUUNTA([12])$/;

/**
 * Digitraffic TMS (LAM) sensor values (`tms-v2/<roadStationId>/<sensorId>`,
 * body `{"value", "time", "start"?, "end"?}`) → readings per station and
 * direction. Average speeds (KESKINOPEUS_*) become speeds; vehicle counts
 * (OHITUKSET_*) become flows, per hour when the sensor's unit is a count.
 */
export function createTmsFormat(metadata: StationMetadata, limits: PayloadLimits): FeedFormat {
  return {
    feed: TMS_FEED,
    parse(message): ParsedMessage {
      const read = readSensorValue(message, 'tms-v2', metadata, limits);
      if ('rejection' in read) return single(read.rejection, read.unreadable === true);
      const reading = toReading(read);
      return 'code' in reading ? single(reading, false, read.address) : { entityCount: 1, readings: [{ index: 0, reading }], incidents: [], rejections: [], unreadable: false };
    },
  };
}

function toReading(v: SensorValue): Reading | Rejection {
  const speed = SPEED.exec(v.sensor.name);
  const count = COUNT.exec(v.sensor.name);
  const direction = speed?.[3] ?? count?.[3];
  if (!direction) {
    return {
      code: 'unsupported_type',
      reason: `sensor ${v.sensor.name} (${v.sensor.id}) is not translated; ingest reads KESKINOPEUS_*_SUUNTA1/2 (average speed) and OHITUKSET_*_SUUNTA1/2 (vehicle counts)`,
    };
  }
  let values: ReadingValues;
  if (speed) {
    if (v.value < 0 || v.value > MAX_SPEED_KMH) return absurd(v, `an average speed between 0 and ${MAX_SPEED_KMH} km/h`);
    values = { speedKmh: v.value };
  } else {
    const flowVph = v.value * perHour(v.sensor.unit, count![1]!);
    if (v.value < 0 || flowVph > MAX_FLOW_VPH) return absurd(v, `a vehicle count between 0 and ${MAX_FLOW_VPH} vehicles/h`);
    values = { flowVph };
  }
  const bearing = v.station.direction1BearingDeg;
  return {
    locationId: `tms:${v.station.id}:${direction}`,
    geometry: { kind: 'point', point: v.station.point },
    ...(bearing === undefined ? {} : { bearingDeg: direction === '1' ? bearing : (bearing + 180) % 360 }),
    eventTime: v.time,
    source: TMS_FEED,
    sourceId: v.address,
    readingKey: `${TMS_FEED}|${v.address}|${v.time.getTime()}`,
    values,
  };
}

/** "kpl/h" is already a rate; a plain count ("kpl") is per the sensor's period (5MIN, 60MIN). */
function perHour(unit: string, period: string): number {
  if (/\/h$/i.test(unit)) return 1;
  const minutes = Number(/^(\d+)MIN$/.exec(period)?.[1] ?? 60);
  return 60 / minutes;
}

const absurd = (v: SensorValue, expected: string): Rejection => ({
  code: 'schema',
  reason: `value: expected ${expected} for ${v.sensor.name}, got ${v.value}`,
});

export function single(rejection: Rejection, unreadable: boolean, entityId?: string): ParsedMessage {
  return { entityCount: 1, readings: [], incidents: [], rejections: [{ index: 0, rejection, ...(entityId ? { entityId } : {}) }], unreadable };
}
