import { EVENTS, wrap, type EventProducer, type OutgoingMessage } from '@kera/platform';
import type { Geometry as GeometryProto } from '@kera/proto/common/v1/envelope';
import type { DeadLetter } from '@kera/proto/ingest/v1/dead_letter';
import {
  IncidentKind,
  Severity,
  SurfaceState,
  type Incident,
  type Observation,
} from '@kera/proto/traffic/v1/events';
import type { Geometry, IncidentSeverity, SurfaceState as DomainSurface, TrafficIncident, TrafficObservation } from '../../domain/types.js';
import { stableEventId } from '../../domain/windows.js';
import type { DeadLetterRecord, IngestOutput, TrafficPublisher } from '../../app/ports.js';

export interface OutputTopics {
  readonly observations: string;
  readonly incidents: string;
  readonly dlq: string;
}

const SOURCE = 'ingest';

/**
 * Inputs up to Kafka's default 1 MiB fit; a dead letter must stay below the
 * broker's limit too, or its send would fail forever and stall the partition.
 */
export const MAX_KEPT_ORIGINAL_BYTES = 768 * 1024;

/**
 * Domain results → enveloped protobuf on the three output topics, in one
 * produce request (acks=all, awaited). Envelope ids are derived from what
 * each output is, so a resend after a crash is recognisably the same event.
 */
export function createTrafficPublisher(producer: EventProducer, topics: OutputTopics): TrafficPublisher {
  return {
    async publish(output: IngestOutput) {
      await producer.sendMany([
        { topic: topics.observations, messages: output.observations.map(observationMessage) },
        { topic: topics.incidents, messages: output.incidents.map(incidentMessage) },
        { topic: topics.dlq, messages: output.deadLetters.map(deadLetterMessage) },
      ]);
    },
  };
}

export function observationMessage(o: TrafficObservation): OutgoingMessage {
  const payload: Observation = {
    locationId: o.locationId,
    geometry: geometryToProto(o.geometry),
    bearingDeg: o.bearingDeg,
    windowStart: o.windowStart,
    windowEnd: o.windowEnd,
    source: o.source,
    sourceId: o.sourceId,
    speedKmh: o.speedKmh,
    flowVph: o.flowVph,
    occupancyPct: o.occupancyPct,
    pedestrianDensity: o.pedestrianDensity,
    surface: surfaceToProto(o.surface),
    sampleCount: o.sampleCount,
    surfaceTemperatureC: o.surfaceTemperatureC,
    friction: o.friction,
  };
  const id = stableEventId(`observation|${o.locationId}|${o.windowStart.getTime()}|${o.sampleCount}`);
  return { key: o.locationId, value: wrap(EVENTS.observation, payload, { source: SOURCE, occurredAt: o.windowEnd, id }) };
}

export function incidentMessage(i: TrafficIncident): OutgoingMessage {
  const payload: Incident = {
    incidentId: i.incidentId,
    kind: incidentKindToProto(i.kind),
    severity: severityToProto(i.severity),
    geometry: i.geometry ? geometryToProto(i.geometry) : undefined,
    validFrom: i.validFrom,
    validUntil: i.validUntil,
    description: i.description,
    source: i.source,
    active: i.active,
  };
  const id = stableEventId(`incident|${i.incidentId}|${i.statusAt.getTime()}|${i.active}`);
  return { key: i.incidentId, value: wrap(EVENTS.incident, payload, { source: SOURCE, occurredAt: i.statusAt, id }) };
}

export function deadLetterMessage(d: DeadLetterRecord): OutgoingMessage {
  const { message } = d;
  const value = message.value ?? Buffer.alloc(0);
  const truncated = value.length > MAX_KEPT_ORIGINAL_BYTES;
  const payload: DeadLetter = {
    sourceTopic: message.topic,
    sourcePartition: message.partition,
    sourceOffset: message.offset,
    originalKey: message.key ?? Buffer.alloc(0),
    originalValue: truncated ? value.subarray(0, MAX_KEPT_ORIGINAL_BYTES) : value,
    originalHeaders: { ...message.headers },
    errorCode: d.code,
    reason: truncated
      ? `${d.reason} (original value truncated to its first ${MAX_KEPT_ORIGINAL_BYTES} of ${value.length} bytes; the full input stays at the source offset)`
      : d.reason,
    rejectedAt: d.rejectedAt,
  };
  const key = `${message.topic}:${message.partition}:${message.offset}`;
  return { key, value: wrap(EVENTS.deadLetter, payload, { source: SOURCE, occurredAt: d.rejectedAt, id: stableEventId(`dead-letter|${key}`) }) };
}

function geometryToProto(g: Geometry): GeometryProto {
  switch (g.kind) {
    case 'point':
      return { kind: { $case: 'point', value: { lat: g.point.lat, lon: g.point.lon } } };
    case 'line':
      return { kind: { $case: 'line', value: { points: g.points.map((p) => ({ lat: p.lat, lon: p.lon })) } } };
    case 'polygon':
      return { kind: { $case: 'polygon', value: { ring: g.ring.map((p) => ({ lat: p.lat, lon: p.lon })) } } };
    case 'multi':
      return { kind: { $case: 'multi', value: { parts: g.parts.map(geometryToProto) } } };
    default: {
      const unreachable: never = g;
      return unreachable;
    }
  }
}

function incidentKindToProto(kind: TrafficIncident['kind']): IncidentKind {
  switch (kind) {
    case 'closure':
      return IncidentKind.CLOSURE;
    case 'road_works':
      return IncidentKind.ROAD_WORKS;
    case 'hazard':
      return IncidentKind.HAZARD;
    case 'weight_restriction':
      return IncidentKind.WEIGHT_RESTRICTION;
    case 'announcement':
      return IncidentKind.ANNOUNCEMENT;
    case 'unspecified':
      return IncidentKind.UNSPECIFIED;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

function severityToProto(severity: IncidentSeverity): Severity {
  switch (severity) {
    case 'low':
      return Severity.LOW;
    case 'medium':
      return Severity.MEDIUM;
    case 'high':
      return Severity.HIGH;
    case 'unspecified':
      return Severity.UNSPECIFIED;
    default: {
      const unreachable: never = severity;
      return unreachable;
    }
  }
}

function surfaceToProto(surface: DomainSurface | undefined): SurfaceState {
  switch (surface) {
    case 'dry':
      return SurfaceState.DRY;
    case 'wet':
      return SurfaceState.WET;
    case 'snow':
      return SurfaceState.SNOW;
    case 'icy':
      return SurfaceState.ICY;
    case 'unknown':
    case undefined:
      return SurfaceState.UNSPECIFIED;
    default: {
      const unreachable: never = surface;
      return unreachable;
    }
  }
}
