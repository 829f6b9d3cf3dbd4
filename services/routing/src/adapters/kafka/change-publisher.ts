import { EVENTS, wrap, type EventProducer } from '@kera/platform';
import { Profile } from '@kera/proto/traffic/v1/events';
import type { TrafficChangeBatch, TrafficChangePublisher } from '../../app/traffic-updater.js';
import type { ProfileName } from '../../domain/profiles.js';

const PROFILE_TO_PROTO: Readonly<Record<ProfileName, Profile>> = { road: Profile.ROAD, sidewalk: Profile.SIDEWALK };

/** routing.traffic-changes.v1: one TrafficChange per profile and area cell, keyed by the cell. */
export function createChangePublisher(producer: EventProducer, topic: string): TrafficChangePublisher {
  return {
    async publish(batches: readonly TrafficChangeBatch[]) {
      await producer.send(
        topic,
        batches.map((batch) => ({
          key: batch.areaCell,
          value: wrap(
            EVENTS.trafficChange,
            {
              areaCell: batch.areaCell,
              profile: PROFILE_TO_PROTO[batch.profile],
              trafficVersion: batch.version,
              edgeIds: batch.edgeIds,
              appliedAt: batch.appliedAt,
            },
            { source: 'routing', occurredAt: batch.appliedAt },
          ),
        })),
      );
    },
  };
}
