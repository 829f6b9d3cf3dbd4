import type { PayloadLimits } from '../payload.js';
import type { EntityRejection, FeedFormat, ParsedMessage, Reading } from '../reading.js';
import type { TrafficIncident, TrafficObservation } from '../types.js';
import { mapNgsiEntity, splitNgsiMessage } from './message.js';
import { NGSI_SOURCE } from './traffic-flow.js';

/** NGSI-LD TrafficFlowObserved and RoadSegment entities (see docs/ingest.md) as a feed format. */
export function createNgsiFormat(limits: PayloadLimits): FeedFormat {
  return {
    feed: NGSI_SOURCE,
    parse(message): ParsedMessage {
      const value = message.value;
      if (value && value.length > limits.maxBytes) {
        const reason = `message is ${value.length} bytes, larger than the ${limits.maxBytes} bytes ingest accepts`;
        return { entityCount: 0, readings: [], incidents: [], rejections: [{ index: 0, rejection: { code: 'too_large', reason } }], unreadable: true };
      }
      const split = splitNgsiMessage(value);
      if (!split.ok) return { entityCount: 0, readings: [], incidents: [], rejections: [{ index: 0, rejection: split.rejection }], unreadable: true };
      const readings: Array<{ index: number; reading: Reading }> = [];
      const incidents: Array<{ index: number; incident: TrafficIncident }> = [];
      const rejections: EntityRejection[] = [];
      split.entities.forEach((entity, index) => {
        const outcome = mapNgsiEntity(entity, message.writtenAt);
        switch (outcome.kind) {
          case 'observation':
            readings.push({ index, reading: { ...readingOf(outcome.observation), ignored: outcome.ignored } });
            break;
          case 'incident':
            incidents.push({ index, incident: outcome.incident });
            break;
          case 'rejected':
            rejections.push({ index, rejection: outcome.rejection, ...(outcome.entityId ? { entityId: outcome.entityId } : {}) });
            break;
          default: {
            const unreachable: never = outcome;
            return unreachable;
          }
        }
      });
      return { entityCount: split.entities.length, readings, incidents, rejections, unreadable: false };
    },
  };
}

/** The provider's period ends at the event time; the reading is that entity in that period. */
function readingOf(o: TrafficObservation): Reading {
  return {
    locationId: o.locationId,
    geometry: o.geometry,
    ...(o.bearingDeg === undefined ? {} : { bearingDeg: o.bearingDeg }),
    eventTime: o.windowEnd,
    source: o.source,
    sourceId: o.sourceId,
    readingKey: `${o.source}|${o.sourceId}|${o.windowStart.toISOString()}|${o.windowEnd.toISOString()}`,
    values: {
      ...(o.speedKmh === undefined ? {} : { speedKmh: o.speedKmh }),
      ...(o.flowVph === undefined ? {} : { flowVph: o.flowVph }),
      ...(o.occupancyPct === undefined ? {} : { occupancyPct: o.occupancyPct }),
    },
  };
}
