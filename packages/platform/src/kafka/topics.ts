/**
 * The one registry of Kafka topics. Topics are created from here explicitly
 * (broker auto-creation is off); names follow <domain>.<name>.v<major>.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  /** -1 keeps forever. */
  readonly retentionMs: number;
  readonly description: string;
}

const DAY = 24 * 60 * 60 * 1000;

export const TOPICS = {
  cityTms: { name: 'city.tms.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY, description: 'Digitraffic TMS sensor values, as published' },
  cityWeather: { name: 'city.weather.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY, description: 'Digitraffic road-weather sensor values, as published' },
  cityNgsi: { name: 'city.ngsi.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY, description: 'NGSI-LD entities (TrafficFlowObserved, RoadSegment), as published' },
  citySituations: { name: 'city.situations.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY, description: 'Traffic messages as GeoJSON features, as published' },
  cityPoleSensors: { name: 'city.pole-sensors.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY, description: "Smart-pole readings in Kera's documented schema" },
  trafficObservations: { name: 'traffic.observations.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 2 * DAY, description: 'Normalized observations, key = location id' },
  trafficIncidents: { name: 'traffic.incidents.v1', partitions: 3, cleanupPolicy: 'compact', retentionMs: -1, description: 'Closures and hazards, key = incident id' },
  ingestDlq: { name: 'ingest.dlq.v1', partitions: 1, cleanupPolicy: 'delete', retentionMs: 30 * DAY, description: 'Rejected input with the reason' },
  ingestFeedStatus: { name: 'ingest.feed-status.v1', partitions: 1, cleanupPolicy: 'compact', retentionMs: -1, description: 'City feeds going stale and recovering, key = feed' },
  routingTrafficChanges: { name: 'routing.traffic-changes.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 1 * DAY, description: 'Edges whose weight changed, key = area cell' },
  fleetVehicleEvents: { name: 'fleet.vehicle-events.v1', partitions: 3, cleanupPolicy: 'compact', retentionMs: -1, description: 'Vehicle events, each with the full vehicle state; compacted: the last one per vehicle id is its state' },
  fleetJobEvents: { name: 'fleet.job-events.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 30 * DAY, description: 'Job lifecycle, key = job id' },
  fleetOrders: { name: 'fleet.orders.v1', partitions: 3, cleanupPolicy: 'delete', retentionMs: 30 * DAY, description: 'Orders sent to vehicles and their acks, key = vehicle id' },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

export const allTopics = (): TopicSpec[] => Object.values(TOPICS);
