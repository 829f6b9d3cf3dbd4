import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { unary, ValidationError } from '@kera/platform';
import type { JobServiceServer, WatchJobsRequest, WatchJobsResponse } from '@kera/proto/fleet/v1/jobs';
import type { JobUseCases } from '../../app/jobs.js';
import type { JobStatus } from '../../domain/types.js';
import type { JobEventFeed } from '../redis/job-event-feed.js';
import { jobStatusFromPb, jobToPb } from '../proto-mapping.js';

const point = (p: { lat: number; lon: number } | undefined, field: string) => {
  if (!p) throw new ValidationError(`${field}: required`);
  return { lat: p.lat, lon: p.lon };
};

/** JobService over gRPC: proto → use case → proto; errors map to statuses in `unary`. */
export function jobService(deps: { jobs: JobUseCases; feed: JobEventFeed; log: Logger }): JobServiceServer {
  const log = deps.log.child({ component: 'job-service' });
  return {
    submitJob: unary(log, async (req) => {
      const job = await deps.jobs.submitJob({
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
    cancelJob: unary(log, async (req) => ({ job: jobToPb(await deps.jobs.cancelJob(req.jobId, req.reason)) })),
    getJob: unary(log, async (req) => ({ job: jobToPb(await deps.jobs.getJob(req.jobId)) })),
    listJobs: unary(log, async (req) => {
      const statuses = req.statuses.map((s) => {
        const status = jobStatusFromPb(s);
        if (!status) throw new ValidationError(`statuses: unknown status ${s}`);
        return status;
      }) satisfies JobStatus[];
      const jobs = await deps.jobs.listJobs({ statuses, operatorId: req.operatorId || undefined, limit: req.limit });
      return { jobs: jobs.map(jobToPb) };
    }),
    watchJobs(call: grpc.ServerWritableStream<WatchJobsRequest, WatchJobsResponse>) {
      const jobId = call.request.jobId;
      const stop = deps.feed.listen((event) => {
        if (!jobId || event.job?.id === jobId) call.write({ event });
      });
      // Headers go out once the listener is in place: a client that waits for
      // them knows it will not miss the next event.
      call.sendMetadata(new grpc.Metadata());
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
  };
}
