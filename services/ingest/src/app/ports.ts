import type { RejectionCode } from '../domain/rejection.js';
import type { TrafficIncident, TrafficObservation } from '../domain/types.js';

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

/** Writes ingest's results; resolves only once every record is durable. */
export interface TrafficPublisher {
  publish(output: IngestOutput): Promise<void>;
}

/**
 * Remembers which readings were already emitted, across restarts, for a
 * bounded time. `unseen` and `markSeen` are separate so a reading is marked
 * only after its observation is durable: a crash in between re-emits
 * (at-least-once) instead of losing it.
 */
export interface DedupeStore {
  unseen(keys: readonly string[]): Promise<boolean[]>;
  markSeen(keys: readonly string[]): Promise<void>;
}

export type MessageOutcome = 'accepted' | 'partially_rejected' | 'rejected';

export interface IngestMetrics {
  messageHandled(topic: string, outcome: MessageOutcome): void;
  recordsEmitted(kind: 'observation' | 'incident', count: number): void;
  rejected(code: RejectionCode, count: number): void;
  duplicatesSkipped(source: string, count: number): void;
  fieldIgnored(field: string): void;
}
