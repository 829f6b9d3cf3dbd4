import { DeadLetter } from '@kera/proto/ingest/v1/dead_letter';
import { FeedStatus } from '@kera/proto/ingest/v1/feed_status';
import { Incident, Observation, TrafficChange } from '@kera/proto/traffic/v1/events';
import { JobEvent } from '@kera/proto/fleet/v1/jobs';
import { OrderEvent, VehicleEvent } from '@kera/proto/fleet/v1/fleet';
import { eventType } from './envelope.js';

/** Every internal event type, by the topic it travels on. */
export const EVENTS = {
  observation: eventType('kera.traffic.v1.Observation', Observation),
  incident: eventType('kera.traffic.v1.Incident', Incident),
  trafficChange: eventType('kera.traffic.v1.TrafficChange', TrafficChange),
  deadLetter: eventType('kera.ingest.v1.DeadLetter', DeadLetter),
  feedStatus: eventType('kera.ingest.v1.FeedStatus', FeedStatus),
  jobEvent: eventType('kera.fleet.v1.JobEvent', JobEvent),
  vehicleEvent: eventType('kera.fleet.v1.VehicleEvent', VehicleEvent),
  orderEvent: eventType('kera.fleet.v1.OrderEvent', OrderEvent),
};
