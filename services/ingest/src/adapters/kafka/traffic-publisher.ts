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
import type { Geometry, IncidentSeverity, TrafficIncident, TrafficObservation } from '../../domain/types.js';
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

/** Domain results → enveloped protobuf on the three output topics (acks=all, awaited). */
export function createTrafficPublisher(producer: EventProducer, topics: OutputTopics): TrafficPublisher {
  return {
    async publish(output: IngestOutput) {
      await Promise.all([
        producer.send(topics.observations, output.observations.map(observationMessage)),
        producer.send(topics.incidents, output.incidents.map(incidentMessage)),
        producer.send(topics.dlq, output.deadLetters.map(deadLetterMessage)),
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
    surface: SurfaceState.UNSPECIFIED,
    sampleCount: o.sampleCount,
  };
  return { key: o.locationId, value: wrap(EVENTS.observation, payload, { source: SOURCE, occurredAt: o.windowEnd }) };
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
  return { key: i.incidentId, value: wrap(EVENTS.incident, payload, { source: SOURCE, occurredAt: i.statusAt }) };
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
  return {
    key: `${message.topic}:${message.partition}:${message.offset}`,
    value: wrap(EVENTS.deadLetter, payload, { source: SOURCE, occurredAt: d.rejectedAt }),
  };
}

function geometryToProto(g: Geometry): GeometryProto {
  switch (g.kind) {
    case 'point':
      return { kind: { $case: 'point', value: { lat: g.point.lat, lon: g.point.lon } } };
    case 'line':
      return { kind: { $case: 'line', value: { points: g.points.map((p) => ({ lat: p.lat, lon: p.lon })) } } };
    case 'polygon':
      return { kind: { $case: 'polygon', value: { ring: g.ring.map((p) => ({ lat: p.lat, lon: p.lon })) } } };
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
