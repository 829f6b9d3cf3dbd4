import type { Logger } from 'pino';
import { EVENTS, unwrap, type EventConsumer, type KafkaPort } from '@kera/platform';
import type { TrafficChangeInbox, TrafficChangeNotice } from '../../app/eta-ports.js';
import { profileFromPb } from '../proto-mapping.js';

/** One `routing.traffic-changes.v1` record → what fleet keeps of it, or why it cannot be used. */
export function decodeTrafficChange(value: Buffer | null): TrafficChangeNotice | string {
  if (!value) return 'empty record';
  try {
    const { payload } = unwrap(EVENTS.trafficChange, value);
    const profile = profileFromPb(payload.profile);
    if (!profile) return `unknown profile ${payload.profile}`;
    return { profile, trafficVersion: payload.trafficVersion, areaCell: payload.areaCell, edgeIds: payload.edgeIds };
  } catch (err) {
    return err instanceof Error ? err.message : 'undecodable';
  }
}

/**
 * Fleet's consumer group on routing's traffic changes: every replica joins,
 * each record is put in the shared inbox (idempotent) and committed; the ETA
 * sweep does the work on one replica. A record that cannot be read is logged
 * and skipped: it is routing's to fix, and a later change supersedes it.
 */
export function createTrafficChangeConsumer(deps: { kafka: KafkaPort; topic: string; groupId: string; inbox: TrafficChangeInbox; log: Logger }): EventConsumer {
  const log = deps.log.child({ component: 'traffic-changes' });
  return deps.kafka.consumer({
    groupId: deps.groupId,
    topics: [deps.topic],
    handle: async (message) => {
      const change = decodeTrafficChange(message.value);
      if (typeof change === 'string') {
        log.warn({ partition: message.partition, offset: message.offset, reason: change }, 'traffic change skipped');
        return;
      }
      await deps.inbox.add(change);
    },
  });
}
