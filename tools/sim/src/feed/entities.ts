import type { Direction, StreetSegment } from './segments.js';
import type { SegmentStatus, TrafficConditions } from './traffic-model.js';

/**
 * NGSI-LD entities as FIWARE's smart data models (dataModel.Transportation)
 * document them, in either representation a context broker emits:
 * normalized (`{ "type": "Property", "value": ... }`) or key-values.
 */
export type EntityForm = 'normalized' | 'keyValues';

export type NgsiEntity = Record<string, unknown>;

export const NGSI_CONTEXT = [
  'https://smartdatamodels.org/context.jsonld',
  'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
] as const;

const AREA = 'espoo-otaniemi';

export const roadSegmentId = (segment: StreetSegment): string => `urn:ngsi-ld:RoadSegment:${AREA}:${segment.id}`;

export const trafficFlowId = (segment: StreetSegment, direction: Direction): string =>
  `urn:ngsi-ld:TrafficFlowObserved:${AREA}:${segment.id}:${direction}`;

type Attribute =
  | { kind: 'property'; value: unknown }
  | { kind: 'geo'; value: unknown }
  | { kind: 'relationship'; object: string }
  | { kind: 'date'; value: Date };

const property = (value: unknown): Attribute => ({ kind: 'property', value });
const date = (value: Date): Attribute => ({ kind: 'date', value });

function render(id: string, type: string, attributes: Record<string, Attribute>, form: EntityForm): NgsiEntity {
  const entity: NgsiEntity = { id, type };
  for (const [name, attribute] of Object.entries(attributes)) entity[name] = renderAttribute(attribute, form);
  entity['@context'] = [...NGSI_CONTEXT];
  return entity;
}

function renderAttribute(attribute: Attribute, form: EntityForm): unknown {
  const normalized = form === 'normalized';
  switch (attribute.kind) {
    case 'property':
      return normalized ? { type: 'Property', value: attribute.value } : attribute.value;
    case 'geo':
      return normalized ? { type: 'GeoProperty', value: attribute.value } : attribute.value;
    case 'relationship':
      return normalized ? { type: 'Relationship', object: attribute.object } : attribute.object;
    case 'date': {
      const iso = attribute.value.toISOString();
      return normalized ? { type: 'Property', value: { '@type': 'DateTime', '@value': iso } } : iso;
    }
    default: {
      const unreachable: never = attribute;
      return unreachable;
    }
  }
}

const lineString = (segment: StreetSegment) => ({
  type: 'LineString',
  coordinates: segment.coordinates.map(([lon, lat]) => [lon, lat]),
});

/**
 * One direction's traffic over an observation period. `intensity` is the
 * vehicle count in the period (the model's unit), so a consumer recovers the
 * hourly flow from it and the period.
 */
export function trafficFlowObserved(options: {
  segment: StreetSegment;
  direction: Direction;
  window: { start: Date; end: Date };
  conditions: TrafficConditions;
  form: EntityForm;
}): NgsiEntity {
  const { segment, direction, window, conditions, form } = options;
  const periodHours = (window.end.getTime() - window.start.getTime()) / 3_600_000;
  const attributes: Record<string, Attribute> = {
    dateObserved: property(`${window.start.toISOString()}/${window.end.toISOString()}`),
    dateObservedFrom: date(window.start),
    dateObservedTo: date(window.end),
    location: { kind: 'geo', value: lineString(segment) },
    refRoadSegment: { kind: 'relationship', object: roadSegmentId(segment) },
    laneDirection: property(direction),
    name: property(`${segment.name} ${direction}`),
    intensity: property(Math.round(conditions.flowVph * periodHours)),
    occupancy: property(conditions.occupancy),
    ...(conditions.speedKmh === undefined ? {} : { averageVehicleSpeed: property(conditions.speedKmh) }),
    congested: property(conditions.speedKmh !== undefined && conditions.speedKmh < segment.freeFlowKmh * 0.5),
    vehicleType: property('car'),
  };
  return render(trafficFlowId(segment, direction), 'TrafficFlowObserved', attributes, form);
}

/** The segment with its current status; closures and road works come and go through it. */
export function roadSegment(options: {
  segment: StreetSegment;
  status: SegmentStatus;
  statusDescription?: string;
  modifiedAt: Date;
  form: EntityForm;
}): NgsiEntity {
  const { segment, status, statusDescription, modifiedAt, form } = options;
  const first = segment.coordinates[0];
  const last = segment.coordinates[segment.coordinates.length - 1];
  const attributes: Record<string, Attribute> = {
    name: property(segment.name),
    refRoad: { kind: 'relationship', object: `urn:ngsi-ld:Road:${AREA}:${segment.name.toLowerCase()}` },
    location: { kind: 'geo', value: lineString(segment) },
    ...(first ? { startPoint: property({ type: 'Point', coordinates: [...first] }) } : {}),
    ...(last ? { endPoint: property({ type: 'Point', coordinates: [...last] }) } : {}),
    allowedVehicleType: property(['car', 'bus', 'van', 'lorry', 'bicycle']),
    maximumAllowedSpeed: property(segment.freeFlowKmh),
    totalLaneNumber: property(segment.directions.length),
    laneUsage: property([...segment.directions]),
    ...(segment.directions.length === 1 ? { category: property(['oneway']) } : {}),
    status: property(status),
    ...(statusDescription ? { statusDescription: property(statusDescription) } : {}),
    dateModified: date(modifiedAt),
    source: property('https://www.openstreetmap.org'),
  };
  return render(roadSegmentId(segment), 'RoadSegment', attributes, form);
}
