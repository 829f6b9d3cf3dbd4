import { describeValue, reject } from '../rejection.js';
import { dateText, parseInstant } from '../time.js';

/** An NGSI entity as parsed JSON, not yet trusted. */
export type Entity = Readonly<Record<string, unknown>>;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** NGSI-LD attribute types whose payload is not under "value". */
const NGSI_LD_TYPES_WITH_VALUE = new Set(['Property', 'GeoProperty']);

/**
 * The value of an attribute in any of the forms FIWARE documents:
 * - NGSI-LD normalized: `{ "type": "Property", "value": 52.6 }`,
 *   `{ "type": "GeoProperty", "value": {GeoJSON} }`,
 *   `{ "type": "Relationship", "object": "urn:..." }`;
 * - NGSI-v2 normalized: `{ "type": "Number", "value": 52.6 }` or `{ "value": 52.6 }`;
 * - key-values: the plain value (a GeoJSON object or a date literal stays as is).
 * The form is decided per attribute, so a half-converted entity still reads.
 * Absent and null both mean "not reported".
 */
export function attributeValue(entity: Entity, name: string): unknown {
  const raw = entity[name];
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) return raw;
  if (raw.type === 'Relationship') {
    if (!('object' in raw)) return reject('schema', `${name}: NGSI-LD Relationship without an "object"`);
    return raw.object ?? undefined;
  }
  if ('value' in raw) return raw.value ?? undefined;
  if (typeof raw.type === 'string' && NGSI_LD_TYPES_WITH_VALUE.has(raw.type)) {
    return reject('schema', `${name}: NGSI-LD ${raw.type} without a "value"`);
  }
  return raw;
}

/** The UN/CEFACT unit code of a normalized property, when the provider gave one. */
export function attributeUnitCode(entity: Entity, name: string): string | undefined {
  const raw = entity[name];
  if (!isObject(raw)) return undefined;
  const unit = raw.unitCode;
  if (unit === undefined || unit === null) return undefined;
  return typeof unit === 'string' ? unit : reject('schema', `${name}.unitCode: expected a UN/CEFACT code, got ${describeValue(unit)}`);
}

export function readNumber(
  entity: Entity,
  name: string,
  range: { min: number; max?: number; expected: string },
): number | undefined {
  const value = attributeValue(entity, name);
  if (value === undefined) return undefined;
  const inRange =
    typeof value === 'number' && Number.isFinite(value) && value >= range.min && (range.max === undefined || value <= range.max);
  return inRange ? value : reject('schema', `${name}: expected ${range.expected}, got ${describeValue(value)}`);
}

export function readEnum<const T extends string>(entity: Entity, name: string, values: readonly T[]): T | undefined {
  const value = attributeValue(entity, name);
  if (value === undefined) return undefined;
  return typeof value === 'string' && (values as readonly string[]).includes(value)
    ? (value as T)
    : reject('schema', `${name}: expected one of ${values.join(', ')}, got ${describeValue(value)}`);
}

export function readInstant(entity: Entity, name: string): Date | undefined {
  const value = attributeValue(entity, name);
  if (value === undefined) return undefined;
  const text = dateText(value);
  const date = text === undefined ? undefined : parseInstant(text);
  return date ?? reject('schema', `${name}: expected an ISO 8601 date-time (UTC), got ${describeValue(text ?? value)}`);
}

/** A relationship target or any other entity reference: a non-empty string. */
export function readReference(entity: Entity, name: string): string | undefined {
  const value = attributeValue(entity, name);
  if (value === undefined) return undefined;
  return typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : reject('schema', `${name}: expected an entity id (URI), got ${describeValue(value)}`);
}

/**
 * Free text that only decorates the output (names, descriptions): a value of
 * an unexpected shape is ignored rather than costing the whole entity.
 */
export function readTextLeniently(entity: Entity, name: string): string | undefined {
  try {
    const value = attributeValue(entity, name);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** `id`, per NGSI-LD a URI; the models allow up to 256 characters. */
export function readEntityId(entity: Entity): string {
  const id = entity.id;
  if (typeof id !== 'string' || id.trim() === '') {
    return reject('schema', `id: expected a non-empty entity id (URI), got ${describeValue(id)}`);
  }
  if (id.length > 256) return reject('schema', `id: expected at most 256 characters, got ${id.length}`);
  return id;
}
