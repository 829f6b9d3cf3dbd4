/** Parsers for argument values. Each throws ArgumentError with a message that names the flag. */
import { PRINCIPAL_ID } from '@kera/platform/auth';

export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';
}

export interface LatLon {
  lat: number;
  lon: number;
}

export const JOB_STATUSES = ['CREATED', 'QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

/** Once a job is here it never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<JobStatusName> = new Set(['DELIVERED', 'FAILED', 'CANCELLED']);

/** `60.1850,24.8270` (latitude first, as maps print it). */
export function parseLatLon(flag: string, text: string): LatLon {
  const parts = text.split(',').map((p) => p.trim());
  const [lat, lon] = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === '') || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    throw new ArgumentError(`--${flag} expects LAT,LON (e.g. 60.1850,24.8270), got '${text}'`);
  }
  if (Math.abs(lat!) > 90 || Math.abs(lon!) > 180) {
    throw new ArgumentError(`--${flag}: latitude must be within ±90 and longitude within ±180, got '${text}'`);
  }
  return { lat: lat!, lon: lon! };
}

export function parseInteger(flag: string, text: string, range: { min: number; max: number }): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < range.min || value > range.max) {
    throw new ArgumentError(`--${flag} expects a whole number from ${range.min} to ${range.max}, got '${text}'`);
  }
  return value;
}

/** An ISO 8601 time with a date and a time of day, e.g. 2025-05-01T14:00:00Z or 2025-05-01T17:00+03:00. */
export function parseTime(flag: string, text: string): Date {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw new ArgumentError(`--${flag} expects an ISO 8601 time like 2025-05-01T14:00:00Z, got '${text}'`);
  }
  return date;
}

/** Comma-separated and/or repeated values, empties dropped. */
export function splitList(values: readonly string[] | string | undefined): string[] {
  const all = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  return all.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** `QUEUED,dispatched` or the proto names `JOB_STATUS_QUEUED`. */
export function parseStatuses(flag: string, values: readonly string[] | string | undefined): JobStatusName[] {
  return splitList(values).map((raw) => {
    const name = raw.toUpperCase().replace(/^JOB_STATUS_/, '').replace(/-/g, '_');
    const status = JOB_STATUSES.find((s) => s === name);
    if (!status) throw new ArgumentError(`--${flag}: unknown status '${raw}'; one of ${JOB_STATUSES.join(', ')}`);
    return status;
  });
}

export function parseWebhookUrl(flag: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ArgumentError(`--${flag} expects an absolute URL like https://example.com/hooks, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ArgumentError(`--${flag} must be an http or https URL, got '${text}'`);
  }
  return text;
}

export function requireText(what: string, text: string | undefined): string {
  if (text === undefined || text.trim() === '') throw new ArgumentError(`${what} is required`);
  return text.trim();
}

/** `90s`, `30m`, `12h`, `7d` or plain seconds, up to a year → seconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match?.[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!Number.isInteger(seconds) || seconds <= 0 || seconds > 366 * 86_400) {
    throw new ArgumentError(`--${flag} expects a duration like 30m, 12h or 7d (at most 366d), got '${text}'`);
  }
  return seconds;
}

/** Operator, vehicle and admin ids as tokens carry them. */
export function parsePrincipalId(flag: string, text: string): string {
  if (!PRINCIPAL_ID.test(text)) throw new ArgumentError(`--${flag}: 1-64 characters of [A-Za-z0-9._:@-], got '${text}'`);
  return text;
}
