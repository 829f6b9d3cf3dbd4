import { NotFoundError, ValidationError } from '@kera/platform';
import type { LatLon } from '../domain/edge-matching.js';
import type { ProfileNetwork } from '../domain/network.js';
import type { ProfileName } from '../domain/profiles.js';
import { directAlongEdge, endEntries, startEntries, type EdgeSide } from '../domain/route-endpoints.js';
import { cchShortestPath } from '../domain/cch/query.js';
import { shortestPath, type PathResult, type SearchEntry } from '../domain/search/shortest-path.js';
import type { NetworkPosition } from '../domain/snapping.js';
import type { WeightStore } from '../domain/weights.js';
import { planMatrix, type MatrixCommand, type MatrixRowRunner, type PlannedMatrix } from './matrix-planner.js';

export interface PlanRouteCommand {
  readonly profile: ProfileName;
  readonly waypoints: readonly LatLon[];
  readonly departure: Date;
}

export interface SnappedWaypoint {
  readonly requested: LatLon;
  readonly snapped: LatLon;
  readonly distanceM: number;
}

export interface PlannedLeg {
  readonly distanceM: number;
  readonly durationS: number;
  readonly edgeIds: number[];
  /** [lon, lat] pairs, in travel order. */
  readonly coordinates: Array<readonly [number, number]>;
  readonly from: SnappedWaypoint;
  readonly to: SnappedWaypoint;
}

export interface PlannedRoute {
  readonly legs: PlannedLeg[];
  readonly distanceM: number;
  readonly durationS: number;
  readonly trafficVersion: number;
  readonly edgeIds: number[];
  readonly coordinates: Array<readonly [number, number]>;
  readonly arrival: Date;
}

export interface RoutePlanner {
  planRoute(command: PlanRouteCommand): PlannedRoute;
  planMatrix(command: MatrixCommand): Promise<PlannedMatrix>;
}

export const MAX_WAYPOINTS = 50;

/**
 * hierarchy: the customizable contraction hierarchy (routes and bucket matrices);
 * landmarks: A* with landmarks, matrices one search per source;
 * dijkstra: plain Dijkstra, matrices one search per source (the benchmark baseline).
 */
export type SearchMode = 'hierarchy' | 'landmarks' | 'dijkstra';

export function createRoutePlanner(deps: {
  networks: Readonly<Record<ProfileName, ProfileNetwork>>;
  weights: WeightStore;
  snapRadiusM: number;
  /** How routes and matrices search; default the hierarchy (see SearchMode). */
  search?: SearchMode;
  /** Runs half of a matrix's rows on another thread when given. */
  matrixRows?: MatrixRowRunner;
}): RoutePlanner {
  const search = deps.search ?? 'hierarchy';
  const snapper = (network: ProfileNetwork, profile: ProfileName) => (point: LatLon, label: string) =>
    snapWaypoint(network, profile, point, label, deps.snapRadiusM);
  return {
    planRoute(command) {
      if (command.waypoints.length < 2) throw new ValidationError('a route needs at least 2 waypoints');
      if (command.waypoints.length > MAX_WAYPOINTS) throw new ValidationError(`a route takes at most ${MAX_WAYPOINTS} waypoints`);
      const network = deps.networks[command.profile];
      const snap = snapper(network, command.profile);
      const positions = command.waypoints.map((point, i) => snap(point, `waypoint ${i}`));
      // One snapshot for the whole route: every leg sees the same traffic version.
      const snapshot = deps.weights.current;
      const weights = snapshot.arcWeights[command.profile];
      const legs = positions.slice(1).map((to, i) => {
        const from = positions[i]!;
        const leg = planLeg(network, weights, from.position, to.position, search);
        if (leg === null) {
          throw new NotFoundError(
            `no ${command.profile} route from waypoint ${i} to waypoint ${i + 1} on traffic version ${snapshot.version} (closed streets may cut it off)`,
          );
        }
        return { ...leg, from: from.waypoint, to: to.waypoint };
      });
      const durationS = legs.reduce((sum, leg) => sum + leg.durationS, 0);
      return {
        legs,
        distanceM: legs.reduce((sum, leg) => sum + leg.distanceM, 0),
        durationS,
        trafficVersion: snapshot.version,
        edgeIds: legs.flatMap((leg) => leg.edgeIds),
        // One leg (most routes): its points are the route's, no copy.
        coordinates: legs.length === 1 ? legs[0]!.coordinates : joinCoordinates(legs.map((leg) => leg.coordinates)),
        arrival: new Date(command.departure.getTime() + durationS * 1000),
      };
    },
    planMatrix(command) {
      const network = deps.networks[command.profile];
      return planMatrix(network, deps.weights, snapper(network, command.profile), command, {
        hierarchy: search === 'hierarchy',
        ...(deps.matrixRows ? { runner: deps.matrixRows } : {}),
      });
    },
  };
}

export function validatePoint(point: LatLon, label: string): void {
  const ok = Number.isFinite(point.lat) && Number.isFinite(point.lon) && Math.abs(point.lat) <= 90 && Math.abs(point.lon) <= 180;
  if (!ok) throw new ValidationError(`${label}: (${point.lat}, ${point.lon}) is not a WGS84 coordinate`);
}

function snapWaypoint(network: ProfileNetwork, profile: ProfileName, point: LatLon, label: string, radiusM: number) {
  validatePoint(point, label);
  const position = network.snap.nearest(point.lat, point.lon, radiusM);
  if (position === null) {
    throw new ValidationError(
      `${label} (${point.lat}, ${point.lon}) is farther than the snap radius of ${radiusM} m from the ${profile} network`,
    );
  }
  const waypoint: SnappedWaypoint = {
    requested: point,
    snapped: { lat: position.lat, lon: position.lon },
    distanceM: position.distanceM,
  };
  return { position, waypoint };
}

type LegCore = Omit<PlannedLeg, 'from' | 'to'>;

export function planLeg(
  network: ProfileNetwork,
  weights: Float64Array,
  from: NetworkPosition,
  to: NetworkPosition,
  search: SearchMode,
): LegCore | null {
  const { graph } = network;
  const starts = startEntries(network, from, weights);
  const ends = endEntries(network, to, weights);
  const direct = directAlongEdge(network, from, to, weights);
  const found = findPath(network, weights, search, starts, ends);
  if (direct && (!found || direct.cost <= found.cost)) {
    return {
      durationS: direct.cost,
      distanceM: direct.lengthM,
      edgeIds: [direct.side.edge],
      coordinates: edgeSlice(network, direct.side.edge, direct.side.fraction, direct.toFraction),
    };
  }
  if (!found) return null;
  const start = starts[found.sourceEntry]!;
  const end = ends[found.targetEntry]!;
  const middleEdges = found.arcs.map((arc) => graph.arcEdge[arc]!);
  let distanceM = start.lengthM + end.lengthM;
  for (const edge of middleEdges) distanceM += graph.edgeLengthM[edge]!;
  return {
    durationS: found.cost,
    distanceM,
    edgeIds: [start.side.edge, ...middleEdges, end.side.edge],
    coordinates: joinCoordinates([
      edgeSlice(network, start.side.edge, start.side.fraction, 1),
      ...middleEdges.map((edge) => edgeSlice(network, edge, 0, 1)),
      sideSlice(network, end.side),
    ]),
  };
}

function findPath(
  network: ProfileNetwork,
  weights: Float64Array,
  search: SearchMode,
  starts: readonly SearchEntry[],
  ends: readonly SearchEntry[],
): PathResult | null {
  if (search === 'hierarchy') return cchShortestPath(network.hierarchy.space, network.hierarchy.metricFor(weights), starts, ends);
  return shortestPath(network.space, weights, search === 'landmarks' ? network.landmarks : null, starts, ends);
}

const sideSlice = (network: ProfileNetwork, side: EdgeSide) => edgeSlice(network, side.edge, 0, side.fraction);

/** An edge's shape between two fractions of its travel direction. */
function edgeSlice(network: ProfileNetwork, edge: number, from: number, to: number): Array<readonly [number, number]> {
  const { graph, snap } = network;
  const reversed = graph.edgeReversed[edge] === 1;
  const geometry = graph.edgeGeometry[edge]!;
  return snap.slice(geometry, reversed ? 1 - from : from, reversed ? 1 - to : to);
}

function joinCoordinates(parts: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (const part of parts) {
    for (const point of part) {
      const last = out[out.length - 1];
      if (!last || last[0] !== point[0] || last[1] !== point[1]) out.push(point);
    }
  }
  return out;
}
