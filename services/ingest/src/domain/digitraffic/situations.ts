import { readAnyGeoJson } from '../geometry.js';
import { decodeJsonPayload, type PayloadLimits } from '../payload.js';
import type { EntityRejection, FeedFormat, ParsedMessage, SourceMessage } from '../reading.js';
import { describeValue, reject, RejectedInput } from '../rejection.js';
import { parseInstant } from '../time.js';
import type { IncidentKind, IncidentSeverity, TrafficIncident } from '../types.js';

export const SITUATIONS_FEED = 'digitraffic-situations';

const SITUATION_TYPES = ['TRAFFIC_ANNOUNCEMENT', 'ROAD_WORK', 'WEIGHT_RESTRICTION', 'EXEMPTED_TRANSPORT'] as const;
type SituationType = (typeof SITUATION_TYPES)[number];
/** Announcement types that end or take back an earlier version. */
const WITHDRAWN = new Set(['ENDED', 'RETRACTED']);
const CLOSED_WORDS = /\bsuljettu\b|\bclosed\b|\bstängd\b/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Digitraffic traffic messages as GeoJSON (`/api/traffic-message/v1/messages`
 * and the MQTT "simple" stream, which sends the same JSON gzipped and
 * base64-encoded): a Feature, a FeatureCollection, or an array of features.
 * Each situation becomes one incident keyed `digitraffic:<situationId>`;
 * an ENDED or RETRACTED version, or one whose end time has passed at its
 * version time, lifts it.
 */
export function createSituationsFormat(limits: PayloadLimits): FeedFormat {
  return {
    feed: SITUATIONS_FEED,
    parse(message: SourceMessage): ParsedMessage {
      const decoded = decodeJsonPayload(message.value, limits, true);
      if (!decoded.ok) return { entityCount: 0, readings: [], incidents: [], rejections: [{ index: 0, rejection: decoded.rejection }], unreadable: true };
      const features = splitFeatures(decoded.json);
      if (features instanceof RejectedInput) {
        return { entityCount: 1, readings: [], incidents: [], rejections: [{ index: 0, rejection: { code: features.code, reason: features.message } }], unreadable: false };
      }
      const incidents: Array<{ index: number; incident: TrafficIncident }> = [];
      const rejections: EntityRejection[] = [];
      features.forEach((feature, index) => {
        const id = isObject(feature) && isObject(feature.properties) && typeof feature.properties.situationId === 'string' ? feature.properties.situationId : undefined;
        try {
          incidents.push({ index, incident: situationIncident(feature, message.writtenAt) });
        } catch (err) {
          if (!(err instanceof RejectedInput)) throw err;
          rejections.push({ index, rejection: { code: err.code, reason: err.message }, ...(id ? { entityId: id } : {}) });
        }
      });
      return { entityCount: features.length, readings: [], incidents, rejections, unreadable: false };
    },
  };
}

function splitFeatures(json: unknown): unknown[] | RejectedInput {
  if (Array.isArray(json)) return json.length > 0 ? json : new RejectedInput('schema', '(root): expected at least one feature in the array');
  if (isObject(json) && json.type === 'FeatureCollection') {
    const features = json.features;
    if (!Array.isArray(features) || features.length === 0) return new RejectedInput('schema', `features: expected a non-empty array, got ${describeValue(features)}`);
    return features;
  }
  if (isObject(json) && json.type === 'Feature') return [json];
  return new RejectedInput('schema', `(root): expected a GeoJSON Feature or FeatureCollection of traffic messages, got ${describeValue(isObject(json) ? json.type : json)}`);
}

function situationIncident(feature: unknown, writtenAt: Date): TrafficIncident {
  if (!isObject(feature) || feature.type !== 'Feature') reject('schema', `expected a GeoJSON Feature, got ${describeValue(feature)}`);
  const f = feature as Json;
  const p = isObject(f.properties) ? f.properties : reject('schema', `properties: expected an object, got ${describeValue(f.properties)}`);
  const situationId = typeof p.situationId === 'string' && p.situationId ? p.situationId : reject('schema', `properties.situationId: expected a non-empty string, got ${describeValue(p.situationId)}`);
  const type = readType(p.situationType);
  const announcements = Array.isArray(p.announcements) && p.announcements.length > 0 && p.announcements.every(isObject)
    ? (p.announcements as Json[])
    : reject('schema', `properties.announcements: expected a non-empty array of announcements, got ${describeValue(p.announcements)}`);
  const statusAt = readTime(p.versionTime ?? p.releaseTime, 'properties.versionTime') ?? writtenAt;
  const first = announcements[0]!;
  const timing = isObject(first.timeAndDuration) ? first.timeAndDuration : {};
  const validFrom = readTime(timing.startTime, 'properties.announcements[0].timeAndDuration.startTime') ?? statusAt;
  const validUntil = readTime(timing.endTime, 'properties.announcements[0].timeAndDuration.endTime');
  if (validUntil && validUntil < validFrom) reject('schema', `properties.announcements[0].timeAndDuration: endTime ${validUntil.toISOString()} is before startTime ${validFrom.toISOString()}`);
  const withdrawn = WITHDRAWN.has(String(p.trafficAnnouncementType ?? '')) || (validUntil !== undefined && validUntil <= statusAt);
  const geometry = f.geometry === null || f.geometry === undefined
    ? withdrawn ? undefined : reject('schema', 'geometry: required to place an active situation on the map, got nothing')
    : readAnyGeoJson(f.geometry, 'geometry');
  const { kind, severity } = classify(type, announcements);
  return {
    incidentId: `digitraffic:${situationId}`,
    kind,
    severity,
    ...(geometry ? { geometry } : {}),
    validFrom,
    ...(validUntil ? { validUntil } : withdrawn ? { validUntil: statusAt } : {}),
    description: [typeof first.title === 'string' ? first.title.trim() : type, withdrawn ? 'ended' : undefined].filter(Boolean).join(' — '),
    source: SITUATIONS_FEED,
    active: !withdrawn,
    statusAt,
  };
}

function readType(value: unknown): SituationType {
  if ((SITUATION_TYPES as readonly unknown[]).includes(value)) return value as SituationType;
  if (typeof value !== 'string' || value === '') {
    return reject('schema', `properties.situationType: expected one of ${SITUATION_TYPES.join(', ')}, got ${describeValue(value)}`);
  }
  return reject('unsupported_type', `properties.situationType: ${describeValue(value)} is not translated; supported: ${SITUATION_TYPES.join(', ')}`);
}

function readTime(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'string' ? parseInstant(value) : undefined;
  return date ?? reject('schema', `${field}: expected an ISO 8601 date-time, got ${describeValue(value)}`);
}

/** Road closures close; road works and announcements slow by their severity; the rest are informative. */
function classify(type: SituationType, announcements: readonly Json[]): { kind: IncidentKind; severity: IncidentSeverity } {
  const phases = announcements.flatMap((a) => (Array.isArray(a.roadWorkPhases) ? a.roadWorkPhases.filter(isObject) : []));
  const restrictions = phases.flatMap((ph) => (Array.isArray(ph.restrictions) ? ph.restrictions.filter(isObject) : []));
  const featureNames = announcements.flatMap((a) => (Array.isArray(a.features) ? a.features.filter(isObject).map((x) => String(x.name ?? '')) : []));
  const closed = restrictions.some((r) => r.type === 'ROAD_CLOSED') || featureNames.some((n) => CLOSED_WORDS.test(n));
  switch (type) {
    case 'ROAD_WORK':
      return closed ? { kind: 'closure', severity: 'high' } : { kind: 'road_works', severity: phaseSeverity(phases) };
    case 'TRAFFIC_ANNOUNCEMENT':
      return closed ? { kind: 'closure', severity: 'high' } : { kind: 'hazard', severity: 'medium' };
    case 'WEIGHT_RESTRICTION':
      return { kind: 'weight_restriction', severity: 'low' };
    case 'EXEMPTED_TRANSPORT':
      return { kind: 'announcement', severity: 'low' };
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

/** Digitraffic rates road-work phases LOW, HIGH or HIGHEST; the worst phase counts. */
function phaseSeverity(phases: readonly Json[]): IncidentSeverity {
  const levels = phases.map((ph) => ph.severity);
  if (levels.includes('HIGHEST')) return 'high';
  if (levels.includes('HIGH')) return 'medium';
  if (levels.includes('LOW')) return 'low';
  return 'unspecified';
}
