import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createJob, transition, type JobChange } from '../src/domain/job.js';
import type { Job, JobStatus, Vehicle } from '../src/domain/types.js';
import { encodeOutboxEntries } from '../src/adapters/kafka/outbox-relay.js';
import { createRedisStores, fleetKeys } from '../src/adapters/redis/stores.js';
import type { FleetUnderTest } from './support.js';
import { DROPOFF, PICKUP } from './fleet-client.js';

/**
 * Fleet's Redis state written and read directly, past the service: how a test
 * produces the intermediate states a crash or a Redis blip leaves behind.
 */
export function directState(sut: FleetUnderTest) {
  const redis = new Redis(sut.config.REDIS_URL);
  const keys = fleetKeys(sut.config.REDIS_PREFIX);
  const stores = createRedisStores(redis, keys, encodeOutboxEntries(sut.topics, () => new Date()), () => undefined);
  const queue = new Queue(sut.config.DISPATCH_QUEUE, { connection: { url: sut.config.REDIS_URL }, prefix: sut.config.QUEUE_PREFIX });

  /** Walk a job through statuses as fleet would, at `at`, without any dispatch entry or order. */
  async function writeJob(id: string, path: Array<{ to: JobStatus; vehicleId?: string; orderId?: string }>, at = new Date()): Promise<Job> {
    let change: JobChange = createJob(
      { id, requestId: `acme/req-${id}`, operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0, profiles: ['sidewalk', 'road'] },
      at,
    );
    await stores.jobs.create(change, [{ kind: 'job', change }]);
    for (const step of path) {
      const decision = transition(change.job, step.to, at, { vehicleId: step.vehicleId, orderId: step.orderId });
      if (!decision.ok) throw new Error(decision.reason);
      change = decision.change;
      await stores.jobs.save(change, [{ kind: 'job', change }]);
    }
    return change.job;
  }

  /** Reserve a vehicle for a job, as the dispatcher does before it assigns. */
  async function reserve(vehicleId: string, jobId: string, orderId: string): Promise<Vehicle> {
    const v = await stores.vehicles.get(vehicleId);
    if (!v) throw new Error(`vehicle ${vehicleId} not registered`);
    const reserved = { ...v, jobId, orderId, version: v.version + 1 };
    if (!(await stores.vehicles.save(reserved, v.version, []))) throw new Error('vehicle changed meanwhile');
    return reserved;
  }

  /** The job's dispatch entry state, or undefined when it has none. */
  async function dispatchEntry(job: Pick<Job, 'id' | 'version'>): Promise<string | undefined> {
    const entry = await queue.getJob(`${job.id}-v${job.version}`);
    return entry ? entry.getState() : undefined;
  }

  return {
    redis,
    keys,
    stores,
    queue,
    writeJob,
    reserve,
    dispatchEntry,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
