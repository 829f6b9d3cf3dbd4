import type { RejectionCode } from '../domain/rejection.js';
import type { ReadingValues } from '../domain/reading.js';
import type { TrafficIncident, TrafficObservation } from '../domain/types.js';
import type { WindowAggregate } from '../domain/windows.js';

/** A provider message as it arrived, with where it came from (for dead letters). */
export interface RawMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Broker/producer timestamp, ms since epoch. */
  readonly timestamp: number;
}

/** Rejected input, kept verbatim with the reason. */
export interface DeadLetterRecord {
  readonly message: RawMessage;
  readonly code: RejectionCode;
  readonly reason: string;
  readonly rejectedAt: Date;
}

export interface IngestOutput {
  readonly observations: readonly TrafficObservation[];
  readonly incidents: readonly TrafficIncident[];
  readonly deadLetters: readonly DeadLetterRecord[];
}

/** Writes ingest's results in one request; resolves only once every record is durable. */
export interface TrafficPublisher {
  publish(output: IngestOutput): Promise<void>;
}

/** A reading as the window store merges it. */
export interface WindowInput {
  readonly locationId: string;
  readonly eventMs: number;
  readonly readingKey: string;
  readonly values: ReadingValues;
}

export type ReadingOutcome =
  | { readonly kind: 'merged' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'late'; readonly windowStartMs: number; readonly watermarkMs: number };

/** An incident version: emitted only when newer than the last one emitted with its id. */
export interface IncidentMark {
  readonly incidentId: string;
  readonly orderMs: number;
  readonly fingerprint: string;
}

export interface PrepareInput {
  readonly readings: readonly WindowInput[];
  readonly incidents: readonly IncidentMark[];
  /** topic:partition:offset of every message in the batch. */
  readonly messageKeys: readonly string[];
}

export interface Prepared {
  readonly readings: readonly ReadingOutcome[];
  /** Every window the batch merged into or re-delivered to, with its counts. */
  readonly windows: readonly WindowAggregate[];
  /** Per incident: emit it. */
  readonly emitIncident: readonly boolean[];
  /** Per message: its dead letter was already sent. */
  readonly deadLetterSent: readonly boolean[];
}

export interface FeedTouch {
  readonly feed: string;
  readonly seenAtMs: number;
  readonly eventMs: number;
}

export interface CommitInput {
  readonly windows: ReadonlyArray<{ readonly locationId: string; readonly windowStartMs: number; readonly sampleCount: number }>;
  readonly incidents: readonly IncidentMark[];
  readonly deadLetters: readonly string[];
  readonly feeds: readonly FeedTouch[];
}

/**
 * Ingest's shared state (Redis): event-time windows and what was emitted, so
 * replicas, restarts and redeliveries produce each output once. `prepare`
 * merges and reads; `commit` marks outputs emitted after they are durable:
 * a crash in between re-sends identical messages (same key and envelope id)
 * rather than losing them.
 */
export interface IngestStateStore {
  prepare(input: PrepareInput): Promise<Prepared>;
  commit(input: CommitInput): Promise<void>;
}

export type FeedState = 'fresh' | 'stale';

export interface FeedActivity {
  readonly feed: string;
  readonly seenAtMs: number;
  readonly eventMs: number;
}

/** Cluster-wide feed activity and state; a transition is decided by exactly one replica. */
export interface FeedStatusStore {
  activity(): Promise<FeedActivity[]>;
  /** Sets the state; returns the previous one when this call changed it, else undefined. */
  transition(feed: string, state: FeedState): Promise<FeedState | 'unknown' | undefined>;
  /** Puts back a transition whose event could not be published, so the next check retries it. */
  revert(feed: string, previous: FeedState | 'unknown'): Promise<void>;
}

export type MessageOutcome = 'accepted' | 'partially_rejected' | 'rejected';

export interface IngestMetrics {
  messageHandled(topic: string, outcome: MessageOutcome): void;
  recordsEmitted(kind: 'observation' | 'incident' | 'dead_letter', count: number): void;
  rejected(code: RejectionCode, count: number): void;
  duplicatesSkipped(source: string, count: number): void;
  fieldIgnored(field: string): void;
  outsideMap(source: string): void;
  feedStatusChanged(feed: string, state: FeedState): void;
}
