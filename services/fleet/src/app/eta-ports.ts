import type { JobChange } from '../domain/job.js';
import type { EtaCause, EtaRecord } from '../domain/eta.js';
import type { Profile } from '../domain/types.js';
import type { FleetEvent } from './ports.js';

/** What fleet needs from one `routing.traffic-changes.v1` message. */
export interface TrafficChangeNotice {
  profile: Profile;
  trafficVersion: number;
  areaCell: string;
  edgeIds: number[];
}

/**
 * Traffic changes waiting for the cluster-wide ETA sweep. Split from the
 * sweep so the Kafka consumer (on every replica, one consumer group) only
 * records and commits, and one replica at a time, under a cluster lock, does
 * the routing work. `add` of the same change twice keeps it once; `done`
 * comes after the sweep, so a sweep that dies leaves its changes for the next.
 */
export interface TrafficChangeInbox {
  add(change: TrafficChangeNotice): Promise<void>;
  /** Up to `limit` changes not yet swept, each with the key to mark it done. */
  pending(limit: number): Promise<Array<TrafficChangeNotice & { key: string }>>;
  done(keys: string[]): Promise<void>;
}

/**
 * A job's ETA revisions. `revise` stores the job with its new ETA, its event
 * and the history records in one compare-and-set on the job's version (false
 * when another writer changed the job first), so the history, the job and
 * the event never disagree.
 */
export interface EtaHistoryStore {
  revise(change: JobChange, events: FleetEvent[], records: EtaRecord[]): Promise<boolean>;
  /** Oldest first; empty for a job whose ETA was never revised. */
  history(jobId: string): Promise<EtaRecord[]>;
}

/** What live ETAs count (exported on /metrics). */
export interface EtaMetrics {
  recomputed(cause: EtaCause, outcome: 'changed' | 'unchanged' | 'skipped'): void;
  trafficChangesSwept(count: number): void;
}
