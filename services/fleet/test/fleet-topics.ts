import { EVENTS, unwrap, type IncomingMessage, type KafkaPort } from '@kera/platform';
import { VehicleEventType } from '@kera/proto/fleet/v1/fleet';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { Inbox, uniqueName } from '@kera/testkit';
import type { TopicNames } from '../src/adapters/proto-mapping.js';

/** Job and vehicle events as they reach Kafka, decoded. */
export async function watchFleetTopics(kafka: KafkaPort, topics: TopicNames) {
  const messages = new Inbox<IncomingMessage>();
  const consumer = kafka.consumer({ groupId: uniqueName('fleet-test'), topics: [topics.jobEvents, topics.vehicleEvents], fromBeginning: true, handle: async (m) => messages.push(m) });
  await consumer.start();
  const jobEvents = () => messages.items.filter((m) => m.topic === topics.jobEvents).map((m) => unwrap(EVENTS.jobEvent, m.value!).payload);
  const vehicleEvents = () =>
    messages.items.filter((m) => m.topic === topics.vehicleEvents).map((m) => unwrap(EVENTS.vehicleEvent, m.value!)).map(({ meta, payload }) => ({ ...payload, at: meta.occurredAt }));
  return {
    messages,
    /**
     * The job's status changes in order. The outbox relays at least once (a relay killed between
     * producing and trimming leaves its batch for the next), so one change (one job version) may
     * arrive twice; consumers dedupe it, and so does this view.
     */
    statusesOf: (jobId: string) => {
      const seen = new Set<number>();
      return jobEvents()
        .filter((e) => e.job?.id === jobId && !seen.has(e.job.version) && seen.add(e.job.version))
        .map((e) => JobStatus[e.job!.status]);
    },
    vehicleEventsOf: (vehicleId: string) => vehicleEvents().filter((e) => e.vehicle?.id === vehicleId).map((e) => ({ type: VehicleEventType[e.type], vehicle: e.vehicle!, reason: e.reason, at: e.at })),
    waitForStatus: (jobId: string, status: string, count = 1) =>
      messages.waitUntil(`job ${status} ×${count}`, () => jobEvents().filter((e) => e.job?.id === jobId && JobStatus[e.job.status] === status).length >= count, 30_000),
    stop: () => consumer.stop(),
  };
}
