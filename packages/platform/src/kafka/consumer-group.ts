import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { IncomingMessage } from './client.js';

/** What both consumers (per message and per batch) do around a kafkajs consumer group. */

/** A consumer fetches at least every maxWaitTime (5 s) and heartbeats every second; 3 missed rounds = not live. */
const LIVENESS_MS = 15_000;

/** Remembers the last time the broker answered the consumer (successful fetch, heartbeat or join). */
export function watchLiveness(consumer: Consumer): () => boolean {
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

export const headersToStrings = (headers: IHeaders | undefined): Record<string, string> => {
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

/**
 * Resolves once the group's coordinator answers for the group. On a broker that
 * has just started, the coordinator first loads __consumer_offsets and answers
 * "The coordinator is loading"; a consumer joining then crashes and restarts
 * with an error in the log. Asking first, quietly and with retries, avoids that.
 */
export async function waitForGroupCoordinator(quiet: Kafka, groupId: string, log: Logger): Promise<void> {
  const admin = quiet.admin();
  try {
    await admin.connect();
    await admin.describeGroups([groupId]);
  } catch (err) {
    // Joining will retry and report what is wrong; this wait only smooths a normal start.
    log.debug({ err, groupId }, 'group coordinator not confirmed before joining');
  } finally {
    await admin.disconnect();
  }
}

/** Resolves when the consumer first joins its group (run() returns before that). */
export function groupJoined(consumer: Consumer): Promise<void> {
  return new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
}
