import type { Consumer, ConsumerConfig, ConsumerRunConfig, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventConsumer, IncomingMessage } from './client.js';

/** What both consumers (per message and per batch) do around a kafkajs consumer group. */

/** Session and retry settings both consumers use. */
export const GROUP_SETTINGS: Omit<ConsumerConfig, 'groupId'> = {
  sessionTimeout: 15_000,
  heartbeatInterval: 1_000,
  retry: { initialRetryTime: 200, retries: 10 },
};

/** A consumer fetches at least every maxWaitTime (5 s) and heartbeats every second; 3 missed rounds = not live. */
const LIVENESS_MS = 15_000;

/** Remembers the last time the broker answered the consumer (successful fetch, heartbeat or join). */
function watchLiveness(consumer: Consumer): () => boolean {
  let lastAnswer = 0;
  const seen = () => {
    lastAnswer = Date.now();
  };
  consumer.on(consumer.events.FETCH, seen);
  consumer.on(consumer.events.HEARTBEAT, seen);
  consumer.on(consumer.events.GROUP_JOIN, seen);
  consumer.on(consumer.events.CRASH, () => {
    lastAnswer = 0;
  });
  return () => lastAnswer > 0 && Date.now() - lastAnswer < LIVENESS_MS;
}

export const toIncoming = (topic: string, partition: number, message: KafkaMessage): IncomingMessage => ({
  topic,
  partition,
  offset: message.offset,
  key: message.key,
  value: message.value,
  headers: headersToStrings(message.headers),
  timestamp: Number(message.timestamp),
});

const headersToStrings = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  // for-in, not Object.entries: no array per message for the (usually empty) headers of a batch.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
};

/** Per topic, the partitions a new group starts at the end of, and that end offset. */
export type StartOffsets = Map<string, Map<number, string>>;

export interface GroupStartOptions {
  groupId: string;
  topics: readonly string[];
  fromBeginning: boolean;
}

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
export async function prepareGroupStart(quiet: Kafka, log: Logger, options: GroupStartOptions): Promise<StartOffsets> {
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
function groupJoined(consumer: Consumer, log: Logger, groupId: string, ends: StartOffsets): Promise<void> {
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

/**
 * A kafkajs consumer as an EventConsumer: `start` joins its group from where
 * `prepareGroupStart` says and runs it, offsets auto-committed every second
 * (only what the handlers resolved), resolving once it has joined; `stop` is
 * idempotent and waits for the work in flight, then commits what it resolved.
 */
export function groupConsumer(
  consumer: Consumer,
  deps: { log: Logger; prepareGroup: (options: GroupStartOptions) => Promise<StartOffsets>; kind: string },
  options: GroupStartOptions,
  run: ConsumerRunConfig,
): EventConsumer {
  const { log } = deps;
  let stopped = false;
  return {
    live: watchLiveness(consumer),
    async start() {
      const ends = await deps.prepareGroup(options);
      await consumer.connect();
      // A partition without a commit or a start offset is one added since: read all of it.
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
      const joined = groupJoined(consumer, log, options.groupId, ends);
      await consumer.run({ autoCommit: true, autoCommitInterval: 1_000, ...run });
      await joined;
      log.info({ groupId: options.groupId, topics: options.topics }, `${deps.kind} joined`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await consumer.disconnect();
    },
  };
}
