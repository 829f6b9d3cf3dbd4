import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CITY_FORMATS, type CityFormat, type FeedMessage } from './city-formats.js';

/**
 * Feed recordings are JSON lines: an NGSI-LD message value as published to
 * city.ngsi.v1 (an entity, or an array of entities), or another format's
 * message wrapped as `{"feedFormat", "key", "value"}`.
 */
export async function readRecording(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  const messages: unknown[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      messages.push(JSON.parse(line));
    } catch (err) {
      throw new Error(`${file}:${index + 1}: not a JSON line (${(err as Error).message})`, { cause: err });
    }
  });
  return messages;
}

/** The NGSI date attributes a replay moves in time. */
const DATE_ATTRIBUTES = ['dateObserved', 'dateObservedFrom', 'dateObservedTo', 'dateModified', 'modifiedAt'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const entitiesOf = (message: unknown): Record<string, unknown>[] =>
  (Array.isArray(message) ? message : [message]).filter(isObject);

/** The data models define zone-less times as UTC; Date.parse would read them as local. */
function parseUtc(text: string): number {
  const zoned = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(text);
  return Date.parse(zoned ? text : `${text}Z`);
}

/** Every date in a date attribute value, in both NGSI forms, with a way to replace it. */
function visitDates(value: unknown, replace: (ms: number) => string | undefined): unknown {
  if (typeof value === 'string') {
    const parts = value.split('/').map((part) => {
      const ms = parseUtc(part);
      return Number.isNaN(ms) ? part : (replace(ms) ?? part);
    });
    return parts.join('/');
  }
  if (isObject(value)) {
    if ('value' in value) return { ...value, value: visitDates(value.value, replace) };
    if ('@value' in value) return { ...value, '@value': visitDates(value['@value'], replace) };
  }
  return value;
}

/** The newest event time in a message, in ms (undefined when it carries none). */
export function messageTime(message: unknown): number | undefined {
  let latest: number | undefined;
  for (const entity of entitiesOf(message)) {
    for (const name of DATE_ATTRIBUTES) {
      visitDates(entity[name], (ms) => {
        latest = latest === undefined ? ms : Math.max(latest, ms);
        return undefined;
      });
    }
  }
  return latest;
}

/** The message with every date moved by shiftMs, so an old recording reads as live. */
export function shiftMessageTimes(message: unknown, shiftMs: number): unknown {
  const shiftEntity = (entity: Record<string, unknown>) => {
    const shifted: Record<string, unknown> = { ...entity };
    for (const name of DATE_ATTRIBUTES) {
      if (name in entity) shifted[name] = visitDates(entity[name], (ms) => new Date(ms + shiftMs).toISOString());
    }
    return shifted;
  };
  if (Array.isArray(message)) return message.map((m) => (isObject(m) ? shiftEntity(m) : m));
  return isObject(message) ? shiftEntity(message) : message;
}

/** The Kafka key of a recorded message: its entity id, so one entity stays in order. */
export function messageKey(message: unknown): string {
  const [first] = entitiesOf(message);
  return Array.isArray(message) || typeof first?.id !== 'string' ? 'city-feed' : first.id;
}

/** A recording line of another format than NGSI-LD: `{"feedFormat": "tms", "key": ..., "value": ...}`. */
interface WrappedLine {
  readonly feedFormat: CityFormat;
  readonly key: string;
  readonly value: unknown;
}

const isWrapped = (line: unknown): line is WrappedLine =>
  isObject(line) && typeof line.feedFormat === 'string' && (CITY_FORMATS as readonly string[]).includes(line.feedFormat) && typeof line.key === 'string';

/** A recording line → the message it records; plain lines are NGSI-LD message values (older recordings). */
export function recordedMessage(line: unknown): FeedMessage {
  if (isWrapped(line)) return { format: line.feedFormat, key: line.key, value: line.value };
  return { format: 'ngsi', key: messageKey(line), value: line };
}

/** The recording line of a published message (NGSI-LD values stay plain, as before). */
export const recordingLine = (m: FeedMessage): unknown => (m.format === 'ngsi' ? m.value : { feedFormat: m.format, key: m.key, value: m.value });

/** A gzip+base64 traffic message as JSON, and back. */
const inflate = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(gunzipSync(Buffer.from(value, 'base64')).toString('utf8')) : value);
const deflate = (json: unknown, like: unknown): unknown => (typeof like === 'string' ? gzipSync(Buffer.from(JSON.stringify(json))).toString('base64') : json);

/** The event time of a recorded message in ms, per format. */
export function feedMessageTime(m: FeedMessage): number | undefined {
  if (m.format === 'ngsi') return messageTime(m.value);
  const value = inflate(m.value);
  if (!isObject(value)) return undefined;
  switch (m.format) {
    case 'tms':
    case 'weather':
      return typeof value.time === 'number' ? value.time * 1000 : undefined;
    case 'pole':
      return typeof value.observedAt === 'string' ? Date.parse(value.observedAt) : undefined;
    case 'situations': {
      const p = isObject(value.properties) ? value.properties : {};
      return typeof p.versionTime === 'string' ? Date.parse(p.versionTime) : undefined;
    }
    default:
      return undefined;
  }
}

const shiftIso = (text: unknown, shiftMs: number): unknown => (typeof text === 'string' && !Number.isNaN(Date.parse(text)) ? new Date(Date.parse(text) + shiftMs).toISOString() : text);

/** The message with its times moved by shiftMs, so an old recording reads as live. */
export function shiftFeedMessage(m: FeedMessage, shiftMs: number): FeedMessage {
  if (m.format === 'ngsi') return { ...m, value: shiftMessageTimes(m.value, shiftMs) };
  const value = inflate(m.value);
  if (!isObject(value)) return m;
  switch (m.format) {
    case 'tms':
    case 'weather':
      return { ...m, value: { ...value, time: typeof value.time === 'number' ? value.time + Math.round(shiftMs / 1000) : value.time } };
    case 'pole':
      return { ...m, value: { ...value, observedAt: shiftIso(value.observedAt, shiftMs) } };
    case 'situations': {
      const p = isObject(value.properties) ? value.properties : {};
      const announcements = Array.isArray(p.announcements) ? p.announcements.filter(isObject) : [];
      const shiftTiming = (t: unknown) => (isObject(t) ? { ...t, startTime: shiftIso(t.startTime, shiftMs), endTime: shiftIso(t.endTime, shiftMs) } : t);
      const properties = {
        ...p,
        versionTime: shiftIso(p.versionTime, shiftMs),
        releaseTime: shiftIso(p.releaseTime, shiftMs),
        announcements: announcements.map((a) => ({ ...a, timeAndDuration: shiftTiming(a.timeAndDuration) })),
      };
      return { ...m, value: deflate({ ...value, properties }, m.value) };
    }
    default:
      return m;
  }
}
