import { eventTypePatternProblem, matchesEventType, type JobEventType } from './event-types.js';

export interface Subscription {
  id: string;
  operatorId: string;
  url: string;
  /** Patterns such as "job.*" or "job.delivered"; empty means every event. */
  eventTypes: string[];
  /** HMAC-SHA256 signing secret; never listed, returned once on creation. */
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

export const SECRET_MIN_LENGTH = 16;
const SECRET_MAX_LENGTH = 256;
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
  if (secret.length < SECRET_MIN_LENGTH || secret.length > SECRET_MAX_LENGTH) {
    return `secret: between ${SECRET_MIN_LENGTH} and ${SECRET_MAX_LENGTH} characters, or empty to have one generated`;
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
export function wantsEvent(subscription: Subscription, operatorId: string, type: JobEventType): boolean {
  return subscription.operatorId === operatorId && matchesEventType(subscription.eventTypes, type);
}
