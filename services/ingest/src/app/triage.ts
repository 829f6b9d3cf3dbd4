import { checkEventTime, type EventTimeLimits } from '../domain/event-time.js';
import { mapNgsiEntity, splitNgsiMessage } from '../domain/ngsi/message.js';
import type { IgnoredField } from '../domain/ngsi/traffic-flow.js';
import type { Rejection } from '../domain/rejection.js';
import type { TrafficIncident, TrafficObservation } from '../domain/types.js';

export interface EntityRejection {
  /** Position in the batch (0 for a single entity). */
  readonly index: number;
  readonly entityId?: string;
  readonly rejection: Rejection;
}

export interface AcceptedObservation {
  readonly observation: TrafficObservation;
  /** Same entity and observed interval = same reading, however often it is delivered. */
  readonly readingKey: string;
  readonly ignored: readonly IgnoredField[];
}

/** What one provider message turns into, before dedupe and publishing. */
export interface Triage {
  readonly entityCount: number;
  readonly observations: readonly AcceptedObservation[];
  readonly incidents: readonly TrafficIncident[];
  readonly rejections: readonly EntityRejection[];
  /** The whole message was unreadable (not JSON, empty): nothing in it was looked at. */
  readonly unreadable: boolean;
}

export const readingKey = (o: TrafficObservation): string =>
  `${o.source}|${o.sourceId}|${o.windowStart.toISOString()}|${o.windowEnd.toISOString()}`;

/**
 * Sort a message's entities into observations, incidents and rejections,
 * including the event-time check. Pure: the clock and limits come in.
 *
 * @param writtenAt when the provider wrote the message (Kafka timestamp), the
 *   fallback event time of a RoadSegment that carries none.
 */
export function triageMessage(value: Uint8Array | null, writtenAt: Date, now: Date, limits: EventTimeLimits): Triage {
  const split = splitNgsiMessage(value);
  if (!split.ok) {
    return { entityCount: 0, observations: [], incidents: [], rejections: [{ index: 0, rejection: split.rejection }], unreadable: true };
  }
  const observations: AcceptedObservation[] = [];
  const incidents: TrafficIncident[] = [];
  const rejections: EntityRejection[] = [];
  split.entities.forEach((entity, index) => {
    const outcome = mapNgsiEntity(entity, writtenAt);
    switch (outcome.kind) {
      case 'observation': {
        const tooOld = checkEventTime(outcome.observation.windowEnd, now, limits);
        if (tooOld) rejections.push({ index, entityId: outcome.observation.sourceId, rejection: tooOld });
        else observations.push({ observation: outcome.observation, readingKey: readingKey(outcome.observation), ignored: outcome.ignored });
        break;
      }
      case 'incident':
        incidents.push(outcome.incident);
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
  return { entityCount: split.entities.length, observations, incidents, rejections, unreadable: false };
}

const MAX_LISTED = 10;

/**
 * One dead letter per message (its key is the message's topic:partition:offset
 * and it keeps the original bytes); the reason lists every rejected entity.
 * The error code is the first rejection's; each listed entry names its own.
 */
export function summarizeRejections(
  rejections: readonly EntityRejection[],
  entityCount: number,
): Rejection | undefined {
  const [first] = rejections;
  if (!first) return undefined;
  if (entityCount <= 1) return { code: first.rejection.code, reason: withEntity(first) };
  const listed = rejections
    .slice(0, MAX_LISTED)
    .map((r) => `#${r.index} ${r.rejection.code}: ${withEntity(r)}`)
    .join('; ');
  const more = rejections.length > MAX_LISTED ? `; and ${rejections.length - MAX_LISTED} more` : '';
  return {
    code: first.rejection.code,
    reason: `${rejections.length} of ${entityCount} entities rejected: ${listed}${more}`,
  };
}

const withEntity = (r: EntityRejection): string =>
  r.entityId === undefined ? r.rejection.reason : `${r.rejection.reason} [entity ${r.entityId}]`;
