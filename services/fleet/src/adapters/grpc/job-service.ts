import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ValidationError, type GrpcAuth, type Scope } from '@kera/platform';
import type { JobServiceServer, WatchJobsRequest, WatchJobsResponse } from '@kera/proto/fleet/v1/jobs';
import { canSeeJob, type JobAccess } from '../../app/access.js';
import type { JobStatus } from '../../domain/types.js';
import type { JobEventFeed } from '../redis/job-event-feed.js';
import { etaRecordToPb, jobStatusFromPb, jobToPb } from '../proto-mapping.js';
import { actorOf } from './actor.js';

const point = (p: { lat: number; lon: number } | undefined, field: string) => {
  if (!p) throw new ValidationError(`${field}: required`);
  return { lat: p.lat, lon: p.lon };
};

/** Operators act on their own jobs; admins on all. */
const CALLERS: readonly Scope[] = ['operator', 'admin'];

/** JobService over gRPC: token → actor, proto → use case → proto; errors map to statuses in `auth.unary`. */
export function jobService(deps: { jobs: JobAccess; feed: JobEventFeed; auth: GrpcAuth; log: Logger }): JobServiceServer {
  const log = deps.log.child({ component: 'job-service' });
  const { auth } = deps;
  return {
    submitJob: auth.unary(log, CALLERS, async (req, principal) => {
      const job = await deps.jobs.submitJob(actorOf(principal), {
        requestId: req.requestId,
        operatorId: req.operatorId,
        pickup: point(req.pickup, 'pickup'),
        dropoff: point(req.dropoff, 'dropoff'),
        size: req.size || 1,
        priority: req.priority,
        earliestPickup: req.earliestPickup,
        latestDelivery: req.latestDelivery,
      });
      return { job: jobToPb(job) };
    }),
    cancelJob: auth.unary(log, CALLERS, async (req, principal) => ({
      job: jobToPb(await deps.jobs.cancelJob(actorOf(principal), req.jobId, req.reason)),
    })),
    getJob: auth.unary(log, CALLERS, async (req, principal) => ({ job: jobToPb(await deps.jobs.getJob(actorOf(principal), req.jobId)) })),
    listJobs: auth.unary(log, CALLERS, async (req, principal) => {
      const statuses = req.statuses.map((s) => {
        const status = jobStatusFromPb(s);
        if (!status) throw new ValidationError(`statuses: unknown status ${s}`);
        return status;
      }) satisfies JobStatus[];
      const jobs = await deps.jobs.listJobs(actorOf(principal), { statuses, operatorId: req.operatorId, limit: req.limit });
      return { jobs: jobs.map(jobToPb) };
    }),
    getEtaHistory: auth.unary(log, CALLERS, async (req, principal) => ({
      jobId: req.jobId,
      records: (await deps.jobs.etaHistory(actorOf(principal), req.jobId)).map(etaRecordToPb),
    })),
    watchJobs: auth.serverStream(log, CALLERS, async (call: grpc.ServerWritableStream<WatchJobsRequest, WatchJobsResponse>, principal) => {
      const actor = actorOf(principal);
      const jobId = call.request.jobId;
      // Watching one job needs the right to see it (NOT_FOUND otherwise, as for GetJob).
      if (jobId) await deps.jobs.getJob(actor, jobId);
      const stop = deps.feed.listen((event) => {
        if (!event.job || !canSeeJob(actor, event.job)) return;
        if (!jobId || event.job.id === jobId) call.write({ event });
      });
      // Headers go out once the listener is in place: a client that waits for
      // them knows it will not miss the next event.
      call.sendMetadata(new grpc.Metadata());
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    }),
  };
}
