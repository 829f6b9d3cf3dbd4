import { readFile } from 'node:fs/promises';

/**
 * Feed recordings are JSON lines: each line is one Kafka message value as
 * published to city.ngsi.v1 (an entity, or an array of entities).
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
