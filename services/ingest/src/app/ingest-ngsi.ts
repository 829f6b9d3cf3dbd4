import type { Logger } from '@kera/platform';
import type { EventTimeLimits } from '../domain/event-time.js';
import type { FeedFreshness } from '../domain/feed-freshness.js';
import type { Rejection } from '../domain/rejection.js';
import type {
  DeadLetterRecord,
  DedupeStore,
  IngestMetrics,
  MessageOutcome,
  RawMessage,
  TrafficPublisher,
} from './ports.js';
import { summarizeRejections, triageMessage, type AcceptedObservation, type Triage } from './triage.js';

export interface NgsiIngest {
  /**
   * Handle one message from city.ngsi.v1. Resolves once every observation,
   * incident and dead letter is durable, so the offset is committed after.
   * Bad input never throws; only transient failures (Kafka, Redis) do, and
   * then the message is redelivered.
   */
  handle(message: RawMessage): Promise<void>;
}

export interface NgsiIngestDeps {
  readonly publisher: TrafficPublisher;
  readonly dedupe: DedupeStore;
  readonly metrics: IngestMetrics;
  readonly freshness: FeedFreshness;
  readonly limits: EventTimeLimits;
  readonly clock: () => Date;
  readonly log: Logger;
}

export function createNgsiIngest(deps: NgsiIngestDeps): NgsiIngest {
  const { publisher, dedupe, metrics, freshness, log } = deps;

  const triageSafely = (message: RawMessage, now: Date): Triage => {
    const writtenAt = Number.isFinite(message.timestamp) && message.timestamp > 0 ? new Date(message.timestamp) : now;
    try {
      return triageMessage(message.value, writtenAt, now, deps.limits);
    } catch (err) {
      // A bug in a mapper must not stall the partition: keep the input for a replay after the fix.
      log.error({ err, topic: message.topic, partition: message.partition, offset: message.offset }, 'ingest failed on a message');
      const rejection: Rejection = { code: 'internal_error', reason: `ingest failed on this input: ${(err as Error).message}` };
      return { entityCount: 0, observations: [], incidents: [], rejections: [{ index: 0, rejection }], unreadable: true };
    }
  };

  /** Drops readings already emitted, earlier or twice within this very message. */
  const freshReadings = async (accepted: readonly AcceptedObservation[]): Promise<AcceptedObservation[]> => {
    const firstOfKey = accepted.filter((a, i) => accepted.findIndex((b) => b.readingKey === a.readingKey) === i);
    const unseen = firstOfKey.length === 0 ? [] : await dedupe.unseen(firstOfKey.map((a) => a.readingKey));
    return firstOfKey.filter((_, i) => unseen[i] === true);
  };

  return {
    async handle(message) {
      const now = deps.clock();
      const triage = triageSafely(message, now);
      const fresh = await freshReadings(triage.observations);
      const rejection = summarizeRejections(triage.rejections, triage.entityCount);
      const deadLetters: DeadLetterRecord[] = rejection ? [{ message, ...rejection, rejectedAt: now }] : [];

      await publisher.publish({ observations: fresh.map((a) => a.observation), incidents: triage.incidents, deadLetters });
      if (fresh.length > 0) await dedupe.markSeen(fresh.map((a) => a.readingKey));

      const duplicates = triage.observations.length - fresh.length;
      report(message, triage, fresh, duplicates, rejection);
    },
  };

  function report(
    message: RawMessage,
    triage: Triage,
    fresh: readonly AcceptedObservation[],
    duplicates: number,
    rejection: Rejection | undefined,
  ): void {
    const where = { topic: message.topic, partition: message.partition, offset: message.offset };
    for (const { observation, ignored } of fresh) {
      freshness.record(observation.source, observation.windowEnd);
      for (const field of ignored) {
        metrics.fieldIgnored(field.field);
        log.debug({ ...where, sourceId: observation.sourceId, field: field.field }, field.reason);
      }
    }
    for (const incident of triage.incidents) freshness.record(incident.source, incident.statusAt);
    metrics.recordsEmitted('observation', fresh.length);
    metrics.recordsEmitted('incident', triage.incidents.length);
    if (duplicates > 0) {
      metrics.duplicatesSkipped('ngsi-ld', duplicates);
      log.debug({ ...where, duplicates }, 'skipped readings already emitted');
    }
    for (const r of triage.rejections) metrics.rejected(r.rejection.code, 1);
    if (rejection) log.warn({ ...where, errorCode: rejection.code, reason: rejection.reason }, 'input dead-lettered');
    metrics.messageHandled(message.topic, outcomeOf(triage));
  }
}

function outcomeOf(triage: Triage): MessageOutcome {
  if (triage.rejections.length === 0) return 'accepted';
  const rejectedAll = triage.unreadable || triage.rejections.length === triage.entityCount;
  return rejectedAll ? 'rejected' : 'partially_rejected';
}
