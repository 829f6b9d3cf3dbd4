import { decodeJsonPayload, type PayloadLimits } from '../payload.js';
import { describeValue, type Rejection } from '../rejection.js';
import type { SourceMessage } from '../reading.js';
import type { Sensor, Station, StationMetadata } from './metadata.js';

/** Where Digitraffic's MQTT topic is found on a Kafka record: the key, else this header. */
export const TOPIC_HEADER = 'mqtt-topic';

/** One sensor value as Digitraffic publishes it on `<prefix>/<roadStationId>/<sensorId>`. */
export interface SensorValue {
  readonly station: Station;
  readonly sensor: Sensor;
  readonly value: number;
  /** Measurement time. */
  readonly time: Date;
  /** The fixed window the value describes, when the sensor has one. */
  readonly window?: { readonly start: Date; readonly end: Date };
  /** `<prefix>/<station>/<sensor>`, the provider's own address of the value. */
  readonly address: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Epoch seconds later than this are milliseconds by mistake (year 2286). */
const MAX_EPOCH_S = 9_999_999_999;

/**
 * A Digitraffic sensor-value record → the value with its station and sensor
 * from the metadata, or the precise reason it cannot be used.
 */
export function readSensorValue(
  message: SourceMessage,
  prefix: 'tms-v2' | 'weather-v2',
  metadata: StationMetadata,
  limits: PayloadLimits,
): SensorValue | { rejection: Rejection; unreadable?: boolean } {
  const address = readAddress(message, prefix);
  if ('rejection' in address) return address;
  const decoded = decodeJsonPayload(message.value, limits);
  if (!decoded.ok) return { rejection: decoded.rejection, unreadable: true };
  const body = decoded.json;
  if (!isObject(body)) return schema(`(root): expected a sensor value {"value", "time"}, got ${describeValue(body)}`);
  if (typeof body.value !== 'number' || !Number.isFinite(body.value)) return schema(`value: expected a number, got ${describeValue(body.value)}`);
  const time = readEpochSeconds(body.time, 'time');
  if (time instanceof Error) return schema(time.message);
  const window = readWindow(body);
  if (window instanceof Error) return schema(window.message);
  const station = metadata.stations.get(address.stationId);
  if (!station) {
    return { rejection: { code: 'unknown_station', reason: `road station ${address.stationId} is not in the ${prefix} station metadata (${metadata.stations.size} stations loaded)` } };
  }
  const sensor = metadata.sensors.get(address.sensorId);
  if (!sensor) {
    return { rejection: { code: 'unknown_station', reason: `sensor ${address.sensorId} of station ${address.stationId} is not in the ${prefix} sensor metadata` } };
  }
  return { station, sensor, value: body.value, time, ...(window ? { window } : {}), address: address.text };
}

/** Compiled once, not per message. */
const ADDRESS: Record<'tms-v2' | 'weather-v2', RegExp> = { 'tms-v2': /^tms-v2\/(\d{1,9})\/(\d{1,9})$/, 'weather-v2': /^weather-v2\/(\d{1,9})\/(\d{1,9})$/ };

function readAddress(message: SourceMessage, prefix: 'tms-v2' | 'weather-v2'): { stationId: number; sensorId: number; text: string } | { rejection: Rejection } {
  const candidates = [message.key, message.headers[TOPIC_HEADER]].filter((t): t is string => typeof t === 'string');
  const pattern = ADDRESS[prefix];
  for (const text of candidates) {
    const match = pattern.exec(text.trim());
    if (match) return { stationId: Number(match[1]), sensorId: Number(match[2]), text: text.trim() };
  }
  return schema(
    `key: expected the Digitraffic topic ${prefix}/<roadStationId>/<sensorId> in the Kafka key or the ${TOPIC_HEADER} header, got ${describeValue(candidates[0])}`,
  );
}

function readEpochSeconds(value: unknown, field: string): Date | Error {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return new Error(`${field}: expected epoch seconds, got ${describeValue(value)}`);
  }
  if (value > MAX_EPOCH_S) return new Error(`${field}: expected epoch seconds, got ${value} (milliseconds?)`);
  return new Date(value * 1000);
}

function readWindow(body: Record<string, unknown>): { start: Date; end: Date } | Error | undefined {
  if (body.start === undefined && body.end === undefined) return undefined;
  const start = readEpochSeconds(body.start, 'start');
  if (start instanceof Error) return start;
  const end = readEpochSeconds(body.end, 'end');
  if (end instanceof Error) return end;
  if (start > end) return new Error(`start: ${start.toISOString()} is after end ${end.toISOString()}`);
  return { start, end };
}

const schema = (reason: string): { rejection: Rejection } => ({ rejection: { code: 'schema', reason } });
