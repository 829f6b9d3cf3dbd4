import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { EVENTS, unwrap } from '@kera/platform';
import type { JobEvent } from '@kera/proto/fleet/v1/jobs';
import type { FleetKeys } from './stores.js';

export type JobEventListener = (event: JobEvent) => void;

/** Live job events for WatchJobs streams, from the relay's Redis channel. */
export async function createJobEventFeed(subscriber: Redis, keys: FleetKeys, log: Logger) {
  const listeners = new Set<JobEventListener>();
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      const { payload } = unwrap(EVENTS.jobEvent, Buffer.from(message, 'base64'));
      for (const listener of listeners) listener(payload);
    } catch (err) {
      log.warn({ err }, 'undecodable job event on the watch channel');
    }
  });
  // Subscribing before the connection's handshake finishes makes ioredis send
  // its client-info commands in subscriber mode, which Redis refuses.
  if (subscriber.status !== 'ready') await new Promise((resolve) => subscriber.once('ready', resolve));
  await subscriber.subscribe(keys.jobEventsChannel);
  return {
    listen(listener: JobEventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type JobEventFeed = Awaited<ReturnType<typeof createJobEventFeed>>;
