/**
 * What the benchmark reads back from fleet through its public gRPC API:
 * how fresh each vehicle's lastSeen is (state absorption), and where every
 * submitted job ended.
 */
import { JobStatus, type GetJobResponse, type ListJobsResponse } from '@kera/proto/fleet/v1/jobs';
import type { ListVehiclesResponse } from '@kera/proto/fleet/v1/fleet';
import { VehicleStatus } from '@kera/proto/fleet/v1/vehicle';
import { unary, type Clients } from './clients.js';
import { mean, type StateSample } from './stats.js';

const MAX_SAMPLE_RTT_MS = 500;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples the age of every run vehicle's lastSeen until stopped; failed samples (a replica restarting) are skipped. */
export function sampleStateAges(clients: Clients, vehiclePrefix: string, intervalMs: number): { stop(): Promise<StateSample[]> } {
  const samples: StateSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const sentAt = Date.now();
      try {
        const res = await unary<ListVehiclesResponse>((md, opts, cb) => clients.fleet.listVehicles({}, md, opts, cb), 10_000);
        const answeredAt = Date.now();
        const at = (sentAt + answeredAt) / 2;
        const ages = res.vehicles
          .filter((v) => v.id.startsWith(vehiclePrefix) && v.status !== VehicleStatus.OFFLINE && v.lastSeen)
          .map((v) => Math.max(0, at - v.lastSeen!.getTime()));
        // A slow answer leaves it open when fleet read lastSeen: such a sample says nothing about ages.
        if (ages.length > 0 && answeredAt - sentAt <= MAX_SAMPLE_RTT_MS) samples.push({ at, vehicles: ages.length, meanAgeMs: mean(ages)! });
      } catch {
        // fleet unavailable for a moment; the next sample counts
      }
      await pause(Math.max(0, intervalMs - (Date.now() - sentAt)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

const OPEN = [JobStatus.CREATED, JobStatus.QUEUED, JobStatus.ASSIGNED, JobStatus.DISPATCHED, JobStatus.PICKED_UP];

/** Waits until none of the operator's jobs is open any more, or the deadline passes. Returns how many were open at the end (up to 1,000). */
export async function awaitJobsSettled(clients: Clients, operatorId: string, deadline: number, onProgress: (open: number) => void): Promise<number> {
  let open = Infinity;
  while (Date.now() < deadline) {
    try {
      const res = await unary<ListJobsResponse>((md, opts, cb) => clients.jobs.listJobs({ statuses: OPEN, operatorId, limit: 1_000 }, md, opts, cb), 10_000);
      open = res.jobs.length;
      onProgress(open);
      if (open === 0) return 0;
    } catch {
      // a replica restarting; try again
    }
    await pause(2_000);
  }
  return open;
}

export interface Outcome {
  status: string;
  reason: string;
}

/** Final status of every job, read one by one (limited concurrency). */
export async function jobOutcomes(clients: Clients, jobIds: readonly string[]): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  let next = 0;
  const worker = async () => {
    while (next < jobIds.length) {
      const id = jobIds[next++]!;
      try {
        const { job } = await unary<GetJobResponse>((md, opts, cb) => clients.jobs.getJob({ jobId: id }, md, opts, cb), 10_000);
        outcomes.set(id, { status: JobStatus[job?.status ?? JobStatus.UNSPECIFIED] ?? 'UNKNOWN', reason: job?.reason ?? '' });
      } catch (err) {
        outcomes.set(id, { status: 'UNREADABLE', reason: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return outcomes;
}

/** Lost: neither DELIVERED nor FAILED with a reason. */
export const isLost = (o: Outcome | undefined): boolean => !o || !(o.status === 'DELIVERED' || (o.status === 'FAILED' && o.reason.trim() !== ''));
