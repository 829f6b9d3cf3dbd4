import { describeValue, RejectedInput, type Rejection } from '../rejection.js';
import type { TrafficIncident, TrafficObservation } from '../types.js';
import { isObject } from './attributes.js';
import { mapRoadSegment } from './road-segment.js';
import { mapTrafficFlowObserved, type IgnoredField } from './traffic-flow.js';

/** The entity types ingest translates; everything else is dead-lettered as unsupported. */
export const SUPPORTED_TYPES = ['TrafficFlowObserved', 'RoadSegment'] as const;
type SupportedType = (typeof SUPPORTED_TYPES)[number];

export type NgsiMessage =
  | { readonly ok: true; readonly entities: readonly unknown[] }
  | { readonly ok: false; readonly rejection: Rejection };

export type EntityOutcome =
  | { readonly kind: 'observation'; readonly observation: TrafficObservation; readonly ignored: readonly IgnoredField[] }
  | { readonly kind: 'incident'; readonly incident: TrafficIncident }
  | { readonly kind: 'rejected'; readonly rejection: Rejection; readonly entityId?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One Kafka value → the entities in it. Providers publish a single entity, an
 * array of entities (a batch), or a context-broker notification whose `data`
 * holds the entities (NGSI-LD `"type": "Notification"`, or NGSI-v2's
 * `subscriptionId` + `data`).
 */
export function splitNgsiMessage(value: Uint8Array | null): NgsiMessage {
  if (value === null || value.length === 0) {
    return rejected('invalid_json', 'message has no value: expected a JSON NGSI-LD entity or an array of entities');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(value).replace(/^\uFEFF/, ''));
  } catch (err) {
    const detail = err instanceof TypeError ? 'bytes are not UTF-8' : (err as Error).message;
    return rejected('invalid_json', `not valid JSON: ${detail}`);
  }
  if (Array.isArray(parsed)) {
    return parsed.length > 0 ? { ok: true, entities: parsed } : rejected('schema', '(root): expected at least one entity in the array');
  }
  if (!isObject(parsed)) {
    return rejected('schema', `(root): expected an NGSI-LD entity object or an array of entities, got ${describeValue(parsed)}`);
  }
  if (parsed.type === 'Notification' || (typeof parsed.subscriptionId === 'string' && 'data' in parsed)) {
    const data = parsed.data;
    if (!Array.isArray(data) || data.length === 0) {
      return rejected('schema', `data: expected the notification's entities as a non-empty array, got ${describeValue(data)}`);
    }
    return { ok: true, entities: data };
  }
  return { ok: true, entities: [parsed] };
}

/** One entity → an observation, an incident, or a rejection with its reason. Never throws. */
export function mapNgsiEntity(entity: unknown, fallbackTime: Date): EntityOutcome {
  if (!isObject(entity)) {
    return { kind: 'rejected', rejection: { code: 'schema', reason: `expected an entity object, got ${describeValue(entity)}` } };
  }
  const entityId = typeof entity.id === 'string' ? entity.id : undefined;
  try {
    const type = supportedType(entity.type);
    switch (type) {
      case 'TrafficFlowObserved':
        return { kind: 'observation', ...mapTrafficFlowObserved(entity) };
      case 'RoadSegment':
        return { kind: 'incident', incident: mapRoadSegment(entity, fallbackTime) };
      default: {
        const unreachable: never = type;
        return unreachable;
      }
    }
  } catch (err) {
    if (!(err instanceof RejectedInput)) throw err;
    return { kind: 'rejected', rejection: { code: err.code, reason: err.message }, ...(entityId ? { entityId } : {}) };
  }
}

/**
 * The short type name. Expanded NGSI-LD carries the full IRI
 * ("https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved"),
 * and NGSI-LD 1.5+ allows several types on one entity.
 */
function supportedType(type: unknown): SupportedType {
  const names = (Array.isArray(type) ? type : [type]).map((t) => (typeof t === 'string' ? t.replace(/^.*[/#]/, '') : t));
  const supported = names.find((name): name is SupportedType => (SUPPORTED_TYPES as readonly unknown[]).includes(name));
  if (supported) return supported;
  if (type === undefined || type === null || (typeof type === 'string' && type.trim() === '')) {
    throw new RejectedInput('schema', `type: required, expected one of ${SUPPORTED_TYPES.join(', ')}`);
  }
  throw new RejectedInput(
    'unsupported_type',
    `type: ${describeValue(type)} is not translated by ingest; supported: ${SUPPORTED_TYPES.join(', ')}`,
  );
}

const rejected = (code: Rejection['code'], reason: string): NgsiMessage => ({ ok: false, rejection: { code, reason } });
