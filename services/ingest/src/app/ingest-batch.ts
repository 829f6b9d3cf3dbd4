import { createHash } from 'node:crypto';
import type { Logger } from '@kera/platform';
import { checkEventTime, type EventTimeLimits } from '../domain/event-time.js';
import { describeBounds, outsideMap, type MapBounds } from '../domain/map-bounds.js';
import { summarizeRejections, type EntityRejection, type FeedFormat, type ParsedMessage, type Reading } from '../domain/reading.js';
import type { Rejection } from '../domain/rejection.js';
import type { Geometry, TrafficIncident, TrafficObservation } from '../domain/types.js';
import { lateReason, observationOf, type WindowPolicy } from '../domain/windows.js';
import type { DeadLetterRecord, FeedTouch, IncidentMark, IngestMetrics, IngestStateStore, MessageOutcome, Prepared, RawMessage, TrafficPublisher } from './ports.js';
import { createRecentEmissions, type RecentEmissions } from './recent-emissions.js';

/**
 * A batch of consecutive messages of one partition in two steps, so the
 * consumer can prepare the next batch while this one is delivered.
 * Bad input never throws; only transient failures (Kafka, Redis) do, and
 * then the batch is redelivered.
 */
export interface BatchIngest {
  /**
   * Parse, check and merge the readings into their windows (Redis); reads
   * which incidents and dead letters are already out. Emits nothing, so a
   * prepared batch that is never delivered is simply read again.
   */
  prepare(messages: readonly RawMessage[]): Promise<PreparedBatch>;
  /**
   * Produce the observations, incidents and dead letters, then mark them
   * emitted. Resolves once all are durable and marked, so the offsets commit after.
   */
  deliver(batch: PreparedBatch): Promise<void>;
}

/** What prepare found; opaque to the consumer. */
export interface PreparedBatch {
  readonly now: Date;
  readonly works: readonly Work[];
  readonly samples: ReadonlyMap<string, Reading>;
  readonly incidents: ReadonlyArray<{ incident: TrafficIncident; mark: IncidentMark }>;
  readonly state: Prepared;
  readonly duplicates: number;
}

export interface BatchIngestDeps {
  /** The format of each input topic. */
  readonly formats: ReadonlyMap<string, FeedFormat>;
  readonly state: IngestStateStore;
  readonly publisher: TrafficPublisher;
  readonly metrics: IngestMetrics;
  readonly limits: EventTimeLimits;
  readonly policy: WindowPolicy;
  /** The loaded map's area; geometry entirely outside it is dead-lettered as outside_map. */
  readonly bounds?: MapBounds;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Outputs this instance made durable lately (a fresh memory when absent). */
  readonly recent?: RecentEmissions;
}

/** One message while the batch is handled: what its format made of it, and what was refused since. */
export interface Work {
  readonly message: RawMessage;
  readonly feed: string;
  readonly parsed: ParsedMessage;
  readonly rejections: EntityRejection[];
  readonly readings: Array<{ index: number; reading: Reading }>;
  readonly incidents: Array<{ index: number; incident: TrafficIncident }>;
}

export function createBatchIngest(deps: BatchIngestDeps): BatchIngest {
  const { metrics, log } = deps;

  const parse = (message: RawMessage, now: Date): Work => {
    const format = deps.formats.get(message.topic);
    const parsed = format ? parseSafely(format, message, now) : unreadableWork(`no format is configured for topic ${message.topic}`);
    const work: Work = { message, feed: format?.feed ?? message.topic, parsed, rejections: [...parsed.rejections], readings: [], incidents: [] };
    for (const r of parsed.readings) {
      const refused = checkEventTime(r.reading.eventTime, now, deps.limits) ?? placeCheck(r.reading.geometry, work.feed);
      if (refused) work.rejections.push({ index: r.index, entityId: r.reading.sourceId, rejection: refused });
      else work.readings.push(r);
    }
    for (const i of parsed.incidents) {
      const refused = i.incident.geometry && i.incident.active ? placeCheck(i.incident.geometry, work.feed) : undefined;
      if (refused) work.rejections.push({ index: i.index, entityId: i.incident.incidentId, rejection: refused });
      else work.incidents.push(i);
    }
    return work;
  };

  const parseSafely = (format: FeedFormat, message: RawMessage, now: Date): ParsedMessage => {
    const writtenAt = Number.isFinite(message.timestamp) && message.timestamp > 0 ? new Date(message.timestamp) : now;
    try {
      return format.parse({ key: message.key?.toString('utf8'), value: message.value, headers: message.headers, writtenAt });
    } catch (err) {
      // A bug in a mapper must not stall the partition: keep the input for a replay after the fix.
      log.error({ err, topic: message.topic, partition: message.partition, offset: message.offset }, 'ingest failed on a message');
      return unreadableWork(`ingest failed on this input: ${(err as Error).message}`, 'internal_error');
    }
  };

  const placeCheck = (geometry: Geometry, feed: string): Rejection | undefined => {
    if (!deps.bounds || !outsideMap(geometry, deps.bounds)) return undefined;
    metrics.outsideMap(feed);
    return { code: 'outside_map', reason: `geometry lies entirely outside the loaded map ${describeBounds(deps.bounds)} (lon/lat)` };
  };

  const recent = deps.recent ?? createRecentEmissions();

  return {
    async prepare(messages) {
      const now = deps.clock();
      const works = messages.map((m) => parse(m, now));
      const flat = works.flatMap((w, wi) => w.readings.map((r) => ({ work: wi, ...r })));
      const incidents = latestIncidents(works);
      const state = await deps.state.prepare({
        readings: flat.map(({ reading: r }) => ({ locationId: r.locationId, eventMs: r.eventTime.getTime(), readingKey: r.readingKey, values: r.values })),
        incidents: incidents.map((i) => i.mark),
        messageKeys: works.map((w) => messageKey(w.message)),
      });
      let duplicates = 0;
      state.readings.forEach((outcome, i) => {
        const { work, index, reading } = flat[i]!;
        if (outcome.kind === 'duplicate') duplicates += 1;
        if (outcome.kind !== 'late') return;
        const rejection: Rejection = { code: 'late', reason: lateReason(reading, outcome.windowStartMs, outcome.watermarkMs, deps.policy) };
        const w = works[work]!;
        w.rejections.push({ index, entityId: reading.sourceId, rejection });
        w.readings.splice(w.readings.findIndex((r) => r.reading === reading), 1);
      });
      const samples = new Map(flat.map(({ reading }) => [reading.locationId, reading]));
      return { now, works, samples, incidents, state, duplicates };
    },

    async deliver({ now, works, samples, incidents, state, duplicates }) {
      // The marks were read at prepare; the batch delivered just before may have emitted the same versions since.
      const windows = state.windows.filter((w) => w.sampleCount > w.emittedCount && !recent.windowOut(w.locationId, w.windowStartMs, w.sampleCount));
      const observations: TrafficObservation[] = windows.map((w) => observationOf(w, samples.get(w.locationId)!, deps.policy));
      const emitted = incidents.filter((i, n) => state.emitIncident[n] && !recent.incidentOut(i.mark));
      const deadLetters = works.flatMap((w, i) => (state.deadLetterSent[i] ? [] : deadLetterOf(w, now)));

      await deps.publisher.publish({ observations, incidents: emitted.map((i) => i.incident), deadLetters });
      recent.remember(windows, emitted.map((i) => i.mark));
      await deps.state.commit({
        windows: windows.map((w) => ({ locationId: w.locationId, windowStartMs: w.windowStartMs, sampleCount: w.sampleCount })),
        incidents: emitted.map((i) => i.mark),
        deadLetters: deadLetters.map((d) => messageKey(d.message)),
        feeds: feedTouches(works, now),
      });
      report(works, observations.length, emitted.length, deadLetters, duplicates);
    },
  };

  function report(works: readonly Work[], observations: number, incidents: number, deadLetters: readonly DeadLetterRecord[], duplicates: number): void {
    metrics.recordsEmitted('observation', observations);
    metrics.recordsEmitted('incident', incidents);
    metrics.recordsEmitted('dead_letter', deadLetters.length);
    for (const w of works) {
      for (const r of w.rejections) metrics.rejected(r.rejection.code, 1);
      for (const { reading } of w.readings) for (const field of reading.ignored ?? []) metrics.fieldIgnored(field.field);
      metrics.messageHandled(w.message.topic, outcomeOf(w));
    }
    if (duplicates > 0) metrics.duplicatesSkipped(works[0]!.feed, duplicates);
    logDeadLetters(deadLetters);
  }

  /** One warn line per batch (counts by code, the first example with its reason), never the payload. */
  function logDeadLetters(deadLetters: readonly DeadLetterRecord[]): void {
    const [first] = deadLetters;
    if (!first) return;
    const byCode: Record<string, number> = {};
    for (const d of deadLetters) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
    const { topic, partition, offset } = first.message;
    log.warn({ deadLetters: deadLetters.length, byCode, example: { topic, partition, offset, errorCode: first.code, reason: first.reason } }, 'input dead-lettered');
  }
}

function unreadableWork(reason: string, code: Rejection['code'] = 'internal_error'): ParsedMessage {
  return { entityCount: 0, readings: [], incidents: [], rejections: [{ index: 0, rejection: { code, reason } }], unreadable: true };
}

export const messageKey = (m: RawMessage): string => `${m.topic}:${m.partition}:${m.offset}`;

function deadLetterOf(work: Work, now: Date): DeadLetterRecord[] {
  const rejection = summarizeRejections(
    [...work.rejections].sort((a, b) => a.index - b.index),
    work.parsed.entityCount,
  );
  return rejection ? [{ message: work.message, ...rejection, rejectedAt: now }] : [];
}

/** Per incident id, the newest version in the batch (a batch may carry a closure and its withdrawal). */
function latestIncidents(works: readonly Work[]): Array<{ incident: TrafficIncident; mark: IncidentMark }> {
  const latest = new Map<string, TrafficIncident>();
  for (const w of works) {
    for (const { incident } of w.incidents) {
      const previous = latest.get(incident.incidentId);
      if (!previous || incident.statusAt >= previous.statusAt) latest.set(incident.incidentId, incident);
    }
  }
  return [...latest.values()].map((incident) => ({ incident, mark: { incidentId: incident.incidentId, orderMs: incident.statusAt.getTime(), fingerprint: fingerprintOf(incident) } }));
}

export function fingerprintOf(i: TrafficIncident): string {
  const content = JSON.stringify([i.kind, i.severity, i.active, i.validFrom, i.validUntil ?? null, i.description, i.geometry ?? null]);
  return createHash('sha1').update(content).digest('base64url').slice(0, 16);
}

function feedTouches(works: readonly Work[], now: Date): FeedTouch[] {
  const byFeed = new Map<string, number>();
  for (const w of works) {
    let newest = byFeed.get(w.feed) ?? -1;
    for (const { reading } of w.readings) newest = Math.max(newest, reading.eventTime.getTime());
    for (const { incident } of w.incidents) newest = Math.max(newest, incident.statusAt.getTime());
    if (newest >= 0) byFeed.set(w.feed, newest);
  }
  return [...byFeed].map(([feed, eventMs]) => ({ feed, seenAtMs: now.getTime(), eventMs }));
}

function outcomeOf(w: Work): MessageOutcome {
  if (w.rejections.length === 0) return 'accepted';
  const rejectedAll = w.parsed.unreadable || w.rejections.length >= w.parsed.entityCount;
  return rejectedAll ? 'rejected' : 'partially_rejected';
}
