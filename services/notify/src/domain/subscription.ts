import { eventTypePatternProblem, matchesEventType, type EventType } from './event-types.js';

export interface Subscription {
  id: string;
  operatorId: string;
  url: string;
  /** Patterns such as "job.*" or "job.delivered"; empty means every event. */
  eventTypes: string[];
  /** Standard Webhooks signing secret (`whsec_` + base64); never listed, returned once on creation. */
  secret: string;
  createdAt: Date;
}

export interface CreateSubscription {
  operatorId: string;
  url: string;
  eventTypes: string[];
  /** Empty: one is generated. */
  secret: string;
}

export const SECRET_PREFIX = 'whsec_';
/** Key sizes the Standard Webhooks specification allows (24 to 64 bytes). */
export const SECRET_MIN_BYTES = 24;
const SECRET_MAX_BYTES = 64;
const OPERATOR_MAX_LENGTH = 128;
const URL_MAX_LENGTH = 2048;
const MAX_EVENT_TYPES = 32;

function operatorProblem(operatorId: string): string | undefined {
  if (!operatorId.trim()) return 'operator_id: required';
  if (operatorId.length > OPERATOR_MAX_LENGTH) return `operator_id: at most ${OPERATOR_MAX_LENGTH} characters`;
  // Tenancy: an operator sees only its own jobs, so there is no "all operators" subscription.
  if (operatorId === '*') return 'operator_id: wildcard operators are not supported; subscribe per operator';
  return undefined;
}

function urlProblem(raw: string): string | undefined {
  if (!raw) return 'url: required';
  if (raw.length > URL_MAX_LENGTH) return `url: at most ${URL_MAX_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url: not a valid absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url: must use http or https';
  if (!url.hostname) return 'url: host required';
  // Credentials in a URL end up in logs and dashboards; the signature authenticates instead.
  if (url.username || url.password) return 'url: must not contain credentials';
  return undefined;
}

function eventTypeProblems(eventTypes: readonly string[]): string[] {
  if (eventTypes.length > MAX_EVENT_TYPES) return [`event_types: at most ${MAX_EVENT_TYPES} entries`];
  return eventTypes.flatMap((pattern, index) => {
    const problem = eventTypePatternProblem(pattern);
    return problem ? [`event_types[${index}]: ${problem}`] : [];
  });
}

function secretProblem(secret: string): string | undefined {
  if (secret === '') return undefined;
  const base64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : undefined;
  if (base64 === undefined || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    return `secret: expected "${SECRET_PREFIX}" followed by standard base64 (Standard Webhooks format), or empty to have one generated`;
  }
  const bytes = (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
  if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
    return `secret: the key must be ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes, got ${bytes}`;
  }
  return undefined;
}

/** Problems with a request, each naming its field ("url: must use http or https"). Empty when valid. */
export function validateCreateSubscription(request: CreateSubscription): string[] {
  return [
    operatorProblem(request.operatorId),
    urlProblem(request.url),
    ...eventTypeProblems(request.eventTypes),
    secretProblem(request.secret),
  ].filter((problem): problem is string => problem !== undefined);
}

/** A new subscription from a valid request; id, secret and time come from outside. */
export function newSubscription(
  request: CreateSubscription,
  generated: { id: string; secret: string; now: Date },
): Subscription {
  return {
    id: generated.id,
    operatorId: request.operatorId,
    url: request.url,
    eventTypes: [...new Set(request.eventTypes)],
    secret: request.secret || generated.secret,
    createdAt: generated.now,
  };
}

/** Operators see only their own jobs: the job's operator must be the subscription's. */
export function wantsEvent(subscription: Subscription, operatorId: string, type: EventType): boolean {
  return subscription.operatorId === operatorId && matchesEventType(subscription.eventTypes, type);
}
