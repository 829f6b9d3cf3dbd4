/**
 * ISO 8601 date-times, durations and intervals as FIWARE's data models use
 * them. Written out rather than left to Date.parse because Date.parse reads a
 * zone-less date-time as local time, while the models define every date as
 * UTC ("2016-12-07T11:10:00/2016-12-07T11:15:00" appears in the official
 * TrafficFlowObserved examples).
 */

export interface Interval {
  readonly start: Date;
  readonly end: Date;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** A date-time with optional seconds, fraction and zone; no zone means UTC. */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const millis = Math.floor(Number(`0.${fraction || '0'}`) * 1000);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const probe = new Date(utc);
  // Date.UTC rolls 31 February over into March; a real calendar date does not.
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  const offsetMinutes = parseZoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  return new Date(utc - offsetMinutes * 60_000);
}

function parseZoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!match) return undefined;
  const [, sign, hh, mm = '00'] = match;
  const hours = Number(hh);
  const minutes = Number(mm);
  if (hours > 14 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

const DURATION =
  /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/**
 * A duration in milliseconds. Years and months are refused: their length
 * depends on the calendar, and no traffic observation period needs them.
 */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  if (!match || trimmed === 'P' || trimmed.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const num = (part: string | undefined) => (part ? Number(part.replace(',', '.')) : 0);
  return Math.round(
    ((num(weeks) * 7 + num(days)) * 86_400 + num(hours) * 3_600 + num(minutes) * 60 + num(seconds)) * 1000,
  );
}

/** "start/end", "start/duration" or "duration/end". */
export function parseInterval(text: string): Interval | undefined {
  const parts = text.trim().split('/');
  if (parts.length !== 2) return undefined;
  const [first = '', second = ''] = parts;
  const start = parseInstant(first);
  const end = parseInstant(second);
  if (start && end) return { start, end };
  if (start) {
    const duration = parseDurationMs(second);
    return duration === undefined ? undefined : { start, end: new Date(start.getTime() + duration) };
  }
  if (end) {
    const duration = parseDurationMs(first);
    return duration === undefined ? undefined : { start: new Date(end.getTime() - duration), end };
  }
  return undefined;
}

/**
 * The text of a date value in either shape the models use: a plain string,
 * or the JSON-LD typed literal `{ "@type": "DateTime", "@value": "..." }`.
 */
export function dateText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const literal = (value as Record<string, unknown>)['@value'];
    if (typeof literal === 'string') return literal;
  }
  return undefined;
}
