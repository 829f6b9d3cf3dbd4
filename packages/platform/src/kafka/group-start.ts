import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/** Per topic, the partitions a new group starts at the end of, and that end offset. */
export type StartOffsets = Map<string, Map<number, string>>;

/**
 * Prepares a consumer's first join. It waits until the group's coordinator
 * answers: on a broker that has just started, the coordinator first loads
 * __consumer_offsets and answers "The coordinator is loading", and a consumer
 * joining then crashes and restarts with an error in the log. Asking first,
 * quietly and with retries, avoids that.
 *
 * Unless the group reads from the beginning, it also notes the end offset of
 * every partition the group has no committed offset for. Kafka's "latest" reset
 * is resolved lazily (at the first fetch, and again after every restart or
 * rebalance while a partition has no commit), so a new group left to it skips
 * what is produced in between: a job's first event, or the one that arrived
 * while a consumer restarted. `groupJoined` pins those offsets as the group's
 * commits at the first join instead, so "start at the end" happens once and
 * every later start resumes from a commit.
 */
export async function prepareGroupStart(
  quiet: Kafka,
  log: Logger,
  options: { groupId: string; topics: readonly string[]; fromBeginning: boolean },
): Promise<StartOffsets> {
  const { groupId, topics } = options;
  const admin = quiet.admin();
  const ends: StartOffsets = new Map();
  await admin.connect();
  try {
    try {
      await admin.describeGroups([groupId]);
    } catch (err) {
      // Joining will retry and report what is wrong; this wait only smooths a normal start.
      log.debug({ err, groupId }, 'group coordinator not confirmed before joining');
    }
    if (options.fromBeginning) return ends;
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
      const uncommitted = new Set(partitions.filter((p) => Number(p.offset) < 0).map((p) => p.partition));
      if (uncommitted.size === 0) continue;
      const offsets = (await admin.fetchTopicOffsets(topic)).filter((p) => uncommitted.has(p.partition));
      ends.set(topic, new Map(offsets.map((p) => [p.partition, p.high])));
    }
  } finally {
    await admin.disconnect();
  }
  return ends;
}

/**
 * Resolves when the consumer first joins its group (run() returns before that).
 * At that join, every assigned partition in `ends` is moved there (kafkajs
 * commits a seek before its first fetch). Every later join is a rebalance,
 * logged with what this member now reads.
 */
export function groupJoined(consumer: Consumer, log: Logger, groupId: string, ends: StartOffsets): Promise<void> {
  let joins = 0;
  return new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      joins += 1;
      if (joins > 1) {
        log.info({ groupId, assignment: payload.memberAssignment }, 'consumer group rebalanced');
        return;
      }
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = ends.get(topic)?.get(partition);
          if (offset !== undefined) consumer.seek({ topic, partition, offset });
        }
      }
      resolve();
    });
  });
}
