import { unary, ValidationError, type Logger } from '@kera/platform';
import type { GeoPoint } from '@kera/proto/common/v1/envelope';
import type {
  GetNetworkRequest,
  GetNetworkResponse,
  PlanMatrixRequest,
  PlanMatrixResponse,
  PlanRouteRequest,
  PlanRouteResponse,
  RoutingServiceServer,
  TrafficFreshness,
} from '@kera/proto/routing/v1/routing';
import { Profile } from '@kera/proto/traffic/v1/events';
import { networkView, type BoundingBox } from '../../app/network-view.js';
import type { PlannedRoute, RoutePlanner, SnappedWaypoint } from '../../app/route-planner.js';
import type { RoadGraph } from '../../domain/graph.js';
import type { WeightSnapshot } from '../../domain/weights.js';
import type { ProfileName } from '../../domain/profiles.js';
import type { TrafficFreshness as DomainFreshness } from '../../domain/traffic-feeds.js';
import type { RoutingMetrics } from '../../metrics.js';

/** Translates RoutingService calls to the planner and back; errors map to precise statuses. */
export function createRoutingServer(deps: {
  planner: RoutePlanner;
  clock: () => number;
  metrics: RoutingMetrics;
  log: Logger;
  /** How old the traffic data is and which feeds the profile depends on are stale. */
  freshness?: (profile: ProfileName) => DomainFreshness;
  /** For GetNetwork: each profile's graph and the current weights. */
  network?: { graphs: Record<ProfileName, RoadGraph>; weights: () => WeightSnapshot };
}): RoutingServiceServer {
  const { planner, log, metrics } = deps;
  const freshnessOf = (profile: ProfileName): { trafficFreshness?: TrafficFreshness } =>
    deps.freshness ? { trafficFreshness: toFreshness(deps.freshness(profile)) } : {};
  const timed = async <T>(method: string, profile: ProfileName, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      metrics.queryDuration.record(performance.now() - started, { method, profile });
    }
  };
  return {
    planRoute: unary(log, async (request: PlanRouteRequest): Promise<PlanRouteResponse> => {
      const profile = toProfile(request.profile);
      const departure = request.departureTime ?? new Date(deps.clock());
      const route = await timed('PlanRoute', profile, () =>
        planner.planRoute({ profile, waypoints: request.waypoints.map(toLatLon), departure }),
      );
      return { ...toRouteResponse(route), ...freshnessOf(profile) };
    }),
    planMatrix: unary(log, async (request: PlanMatrixRequest): Promise<PlanMatrixResponse> => {
      const profile = toProfile(request.profile);
      const departure = request.departureTime ?? new Date(deps.clock());
      const matrix = await timed('PlanMatrix', profile, () =>
        planner.planMatrix({
          profile,
          sources: request.sources.map(toLatLon),
          destinations: request.destinations.map(toLatLon),
          departure,
        }),
      );
      return { ...matrix, ...freshnessOf(profile) };
    }),
    getNetwork: unary(log, async (request: GetNetworkRequest): Promise<GetNetworkResponse> => {
      const profile = toProfile(request.profile);
      if (!deps.network) throw new ValidationError('this routing instance does not serve its network');
      const { graphs, weights } = deps.network;
      const box = request.bbox ? toBox(request.bbox) : undefined;
      const snapshot = weights();
      const view = await timed('GetNetwork', profile, () => networkView(graphs[profile], snapshot.arcWeights[profile], box));
      return { trafficVersion: snapshot.version, ...view };
    }),
  };
}

function toBox(box: BoundingBox): BoundingBox {
  const values = [box.minLat, box.minLon, box.maxLat, box.maxLon];
  if (!values.every(Number.isFinite) || box.minLat > box.maxLat || box.minLon > box.maxLon) {
    throw new ValidationError('bbox: min_lat <= max_lat and min_lon <= max_lon, all finite');
  }
  return box;
}

function toProfile(profile: Profile): ProfileName {
  switch (profile) {
    case Profile.SIDEWALK:
      return 'sidewalk';
    case Profile.ROAD:
      return 'road';
    case Profile.UNSPECIFIED:
    case Profile.UNRECOGNIZED:
      throw new ValidationError('profile must be PROFILE_SIDEWALK or PROFILE_ROAD');
    default: {
      const newer: never = profile;
      throw new ValidationError(`unknown profile ${String(newer)}; expected PROFILE_SIDEWALK or PROFILE_ROAD`);
    }
  }
}

const toLatLon = (point: GeoPoint) => ({ lat: point.lat, lon: point.lon });
const toGeoPoint = ([lon, lat]: readonly [number, number]): GeoPoint => ({ lat, lon });
const toSnapped = (w: SnappedWaypoint) => ({ requested: w.requested, snapped: w.snapped, distanceM: w.distanceM });

function toRouteResponse(route: PlannedRoute): PlanRouteResponse {
  return {
    legs: route.legs.map((leg) => ({
      distanceM: leg.distanceM,
      durationS: leg.durationS,
      edgeIds: leg.edgeIds,
      points: leg.coordinates.map(toGeoPoint),
      from: toSnapped(leg.from),
      to: toSnapped(leg.to),
    })),
    distanceM: route.distanceM,
    durationS: route.durationS,
    trafficVersion: route.trafficVersion,
    edgeIds: route.edgeIds,
    geometryGeojson: JSON.stringify({ type: 'LineString', coordinates: route.coordinates }),
    arrivalTime: route.arrival,
  };
}

const toFreshness = (f: DomainFreshness): TrafficFreshness => ({
  dataAsOf: f.dataAsOf,
  dataAgeS: f.dataAgeS,
  staleFeeds: [...f.staleFeeds],
  stale: f.stale,
});
