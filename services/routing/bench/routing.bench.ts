/**
 * npm run bench:routing — routing in-process and warm, on real OSM maps:
 * Porto (road, ~62k junctions) and Helsinki centre (sidewalk). Routes and
 * matrices use the customizable contraction hierarchy; the baseline is plain
 * Dijkstra (matrices: one plain search per source) on the same graph and the
 * same live weights, in the same run. Writes bench/results/routing.json at the
 * repository root.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@kera/platform';
import { readOsmPbf } from '../src/adapters/osm/pbf-reader.js';
import { createMatrixWorker } from '../src/adapters/workers/matrix-rows.js';
import { createRoutePlanner, type RoutePlanner } from '../src/app/route-planner.js';
import { swapWeights } from '../src/app/traffic-updater.js';
import { buildRoadGraph } from '../src/domain/graph-builder.js';
import { buildTopology } from '../src/domain/cch/topology.js';
import { prepareNetwork, type ProfileNetwork } from '../src/domain/network.js';
import { isRoutableWay, type ProfileName } from '../src/domain/profiles.js';
import { TrafficState } from '../src/domain/traffic-state.js';
import { WeightStore } from '../src/domain/weights.js';
import { seededRandom } from '../src/testing/networks.js';

/** ../shared/data/osm/ beside the checkout; OSM_DIR overrides it (a worktree sits one level deeper). */
const OSM_DIR = process.env.OSM_DIR ?? fileURLToPath(new URL('../../../../../shared/data/osm/', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../../../bench/results/routing.json', import.meta.url));
const ROAD_PAIRS = 1000;
const ROBOT_TRIPS = 1000;
const random = seededRandom(20260115);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const liveBytes = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function buildNetwork(file: string, profile: ProfileName) {
  const bytes = readFileSync(`${OSM_DIR}${file}`);
  const before = liveBytes();
  const started = performance.now();
  const graph = buildRoadGraph(readOsmPbf(bytes, { keepWay: isRoutableWay }), profile);
  const prepStarted = performance.now();
  const topology = buildTopology(graph);
  const prepMs = performance.now() - prepStarted;
  const network = prepareNetwork(graph, undefined, topology);
  network.hierarchy.metricFor(network.freeFlow);
  const buildMs = performance.now() - started;
  // Graph, landmarks, indexes, hierarchy and one customized metric: what a serving replica holds per profile.
  const memoryMb = (liveBytes() - before) / 2 ** 20;
  return { network, buildMs, prepMs, memoryMb };
}

/** Live traffic: 5% of edges slowed 1.2-3x, 0.2% closed. Never faster than free flow. */
function liveWeights(network: ProfileNetwork): Float64Array {
  const weights = network.freeFlow.slice();
  const { graph } = network;
  for (let e = 0; e < graph.edgeCount; e++) {
    const roll = random();
    if (roll > 0.95) {
      const factor = roll > 0.998 ? Infinity : 1.2 + random() * 1.8;
      for (let i = graph.edgeFirstArc[e]!; i < graph.edgeFirstArc[e + 1]!; i++) weights[graph.edgeArcs[i]!]! *= factor;
    }
  }
  return weights;
}

type Point = { lat: number; lon: number };

const randomPoint = (network: ProfileNetwork): Point => {
  const v = Math.floor(random() * network.graph.nodeCount);
  // Slightly off the junction, as real requests are: snapping is part of the work.
  return { lat: network.graph.nodeLat[v]! + (random() - 0.5) * 0.0004, lon: network.graph.nodeLon[v]! + (random() - 0.5) * 0.0004 };
};

/** CPU time of the process (ms): on a shared machine it leaves out the time other processes held the core. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function timeRoutes(planner: RoutePlanner, profile: ProfileName, pairs: Array<[Point, Point]>) {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const durations: number[] = [];
  for (const [a, b] of pairs) {
    const cpuStarted = cpuMs();
    const started = performance.now();
    try {
      durations.push(planner.planRoute({ profile, waypoints: [a, b], departure: new Date() }).durationS);
    } catch {
      durations.push(Infinity); // closures may cut a point off: both planners must agree
    }
    times.push(performance.now() - started);
    cpuTimes.push(cpuMs() - cpuStarted);
  }
  return { times, cpuTimes, durations };
}

function roadBenchmark() {
  const { network, buildMs, prepMs, memoryMb } = buildNetwork('porto.osm.pbf', 'road');
  const store = new WeightStore({ version: 1, arcWeights: { road: network.freeFlow, sidewalk: new Float64Array(0) } });
  store.swap({ version: 2, arcWeights: { ...store.current.arcWeights, road: liveWeights(network) } });
  const networks = { road: network, sidewalk: network } as Record<ProfileName, ProfileNetwork>;
  const fast = createRoutePlanner({ networks, weights: store, snapRadiusM: 500 });
  const landmarks = createRoutePlanner({ networks, weights: store, snapRadiusM: 500, search: 'landmarks' });
  const baseline = createRoutePlanner({ networks, weights: store, snapRadiusM: 500, search: 'dijkstra' });
  const pairs = Array.from({ length: ROAD_PAIRS }, (): [Point, Point] => [randomPoint(network), randomPoint(network)]);
  timeRoutes(fast, 'road', pairs.slice(0, 100)); // warm-up (and the live weights' first customization)
  timeRoutes(landmarks, 'road', pairs.slice(0, 100));
  timeRoutes(baseline, 'road', pairs.slice(0, 30));
  // A full collection before each timed phase: none inherits the garbage of the build or of another phase.
  gc();
  const hierarchy = timeRoutes(fast, 'road', pairs);
  gc();
  const alt = timeRoutes(landmarks, 'road', pairs);
  gc();
  const dijkstra = timeRoutes(baseline, 'road', pairs);
  const offOptimum = (found: number[]) =>
    found.filter((d, i) => !(d === dijkstra.durations[i] || Math.abs(d - dijkstra.durations[i]!) <= 1e-9 * d)).length;
  return {
    network, store, fast, baseline, networks, buildMs, prepMs, memoryMb, hierarchy, alt, dijkstra,
    mismatches: offOptimum(hierarchy.durations), altMismatches: offOptimum(alt.durations), graph: network.graph,
  };
}

async function matrixBenchmark(planner: RoutePlanner, { sources, destinations }: { sources: Point[]; destinations: Point[] }, runCount = 5) {
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let durations: number[] = [];
  // Two warm-up runs: both threads' code must be optimized before timing.
  for (let run = -2; run < runCount; run++) {
    const cpuStarted = cpuMs();
    const started = performance.now();
    durations = (await planner.planMatrix({ profile: 'road', sources, destinations, departure: new Date() })).durationsS;
    if (run >= 0) runs.push(performance.now() - started);
    if (run >= 0) cpuRuns.push(cpuMs() - cpuStarted);
  }
  return { ms: percentile(runs, 0.5), cpuMs: percentile(cpuRuns, 0.5), durations };
}

const matrixMismatches = (a: number[], b: number[]) =>
  a.filter((d, i) => !(d === b[i] || Math.abs(d - b[i]!) <= 1e-9 * d)).length;

/** 10,000 edges change weight in one batch (1,000 observations of 10 edges): time until a query sees it. */
function updateBenchmark(network: ProfileNetwork, store: WeightStore, planner: RoutePlanner) {
  const edges = Array.from({ length: network.graph.edgeCount }, (_, e) => e).sort(() => random() - 0.5).slice(0, 10_000);
  const edgesOf = new Map<string, number[]>();
  for (let i = 0; i < 1000; i++) edgesOf.set(`loc-${i}`, edges.slice(i * 10, i * 10 + 10));
  // Geometry matching is per observation and happens on arrival; it is not part of the batch swap.
  let current = '';
  const state = new TrafficState(() => edgesOf.get(current) ?? [], 15 * 60_000);
  const networks = { road: network, sidewalk: network } as Record<ProfileName, ProfileNetwork>;
  const probe = [randomPoint(network), randomPoint(network)];
  const times: number[] = [];
  const customizeTimes: number[] = [];
  const customizeCpu: number[] = [];
  for (let round = 0; round < 5; round++) {
    const now = Date.now();
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      current = `loc-${i}`;
      state.applyObservation({ locationId: current, geometry: { kind: 'point', point: probe[0]! }, windowEndMs: now, speedKmh: 5 + round, surface: 'unknown' }, now);
    }
    // From here: new weights, the hierarchy customized for them, swapped in, and a query answered on them.
    const swapStarted = performance.now();
    const cpuStarted = cpuMs();
    const swap = swapWeights(networks, store, state, now);
    const seen = planner.planRoute({ profile: 'road', waypoints: probe, departure: new Date() }).trafficVersion;
    const done = performance.now();
    customizeCpu.push(cpuMs() - cpuStarted);
    times.push(done - started);
    customizeTimes.push(done - swapStarted);
    if (!swap || swap.changed.road.length !== 10_000 || seen !== swap.version) throw new Error('update not visible');
  }
  return { update10kMs: percentile(times, 0.5), customizeMs: percentile(customizeTimes, 0.5), customizeCpuMs: percentile(customizeCpu, 0.5) };
}

/** A small batch (100 edges) takes the incremental path: only what depends on them is re-customized. */
function smallUpdateBenchmark(network: ProfileNetwork, store: WeightStore) {
  const networks = { road: network, sidewalk: network } as Record<ProfileName, ProfileNetwork>;
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const edges = Array.from({ length: 100 }, () => Math.floor(random() * network.graph.edgeCount));
    const state = new TrafficState(() => edges, 15 * 60_000);
    const now = Date.now();
    state.applyObservation({ locationId: 'small', geometry: { kind: 'point', point: randomPoint(network) }, windowEndMs: now, speedKmh: 3 + round, surface: 'unknown' }, now);
    const started = performance.now();
    swapWeights(networks, store, state, now);
    times.push(performance.now() - started);
  }
  return percentile(times, 0.5);
}

function robotBenchmark() {
  const { network, buildMs } = buildNetwork('helsinki-centre.osm.pbf', 'sidewalk');
  const store = new WeightStore({ version: 1, arcWeights: { sidewalk: network.freeFlow, road: new Float64Array(0) } });
  const networks = { road: network, sidewalk: network } as Record<ProfileName, ProfileNetwork>;
  const planner = createRoutePlanner({ networks, weights: store, snapRadiusM: 250 });
  const trips: Array<[Point, Point]> = [];
  while (trips.length < ROBOT_TRIPS) {
    const a = randomPoint(network);
    const b = randomPoint(network);
    const route = planner.planRoute({ profile: 'sidewalk', waypoints: [a, b], departure: new Date() });
    if (route.distanceM <= 2000) trips.push([a, b]);
  }
  timeRoutes(planner, 'sidewalk', trips.slice(0, 100));
  const { times } = timeRoutes(planner, 'sidewalk', trips);
  return { buildMs, times, graph: network.graph };
}

const road = roadBenchmark();
const matrixPoints = (side: number) => ({
  sources: Array.from({ length: side }, () => randomPoint(road.network)),
  destinations: Array.from({ length: side }, () => randomPoint(road.network)),
});
const points = matrixPoints(100);
const matrix100 = await matrixBenchmark(road.fast, points);
const baselineMatrix100 = await matrixBenchmark(road.baseline, points);
// The worker thread starts only now, so its start-up never overlaps the timed routes.
const worker = createMatrixWorker(road.networks, createLogger({ name: 'bench', level: 'warn' }));
const parallelBaseline = createRoutePlanner({ networks: road.networks, weights: road.store, snapRadiusM: 500, search: 'dijkstra', matrixRows: worker });
const baselineMatrix100TwoThreads = await matrixBenchmark(parallelBaseline, points);
await worker.close();
const matrix500 = await matrixBenchmark(road.fast, matrixPoints(500), 3);
const matrixOffOptimum = matrixMismatches(matrix100.durations, baselineMatrix100.durations);
const update = updateBenchmark(road.network, road.store, road.fast);
const smallCustomizeMs = smallUpdateBenchmark(road.network, road.store);
const robot = robotBenchmark();
const baselineRoadP50Ms = percentile(road.dijkstra.times, 0.5);
const baselineRoadP99Ms = percentile(road.dijkstra.times, 0.99);
const roadP50Ms = percentile(road.hierarchy.times, 0.5);
const roadP99Ms = percentile(road.hierarchy.times, 0.99);
const offOptimum = road.mismatches + matrixOffOptimum;
const targets = {
  roadP50: roadP50Ms <= 0.09 * baselineRoadP50Ms,
  roadP99: roadP99Ms <= 0.09 * baselineRoadP99Ms,
  matrix100: matrix100.ms <= 0.1 * baselineMatrix100.ms,
  offOptimum: offOptimum === 0,
  customize: update.customizeMs <= 200,
  matrix500: matrix500.ms <= 1000,
  memory: road.memoryMb <= 300,
};
const result = {
  buildMs: round(road.buildMs, 0),
  prepMs: round(road.prepMs, 0),
  memoryMb: round(road.memoryMb, 1),
  roadP50Ms: round(roadP50Ms, 3),
  roadP99Ms: round(roadP99Ms, 3),
  baselineRoadP50Ms: round(baselineRoadP50Ms),
  baselineRoadP99Ms: round(baselineRoadP99Ms),
  robotP50Ms: round(percentile(robot.times, 0.5), 3),
  robotP99Ms: round(percentile(robot.times, 0.99), 3),
  matrix100Ms: round(matrix100.ms, 1),
  matrix500Ms: round(matrix500.ms, 0),
  baselineMatrix100Ms: round(baselineMatrix100.ms, 0),
  customizeMs: round(update.customizeMs, 1),
  update10kMs: round(update.update10kMs, 1),
  offOptimum,
  targets,
  details: {
    // Wall-clock figures above; the same in CPU time of this process, which other processes on the cores do not inflate.
    cpuTime: {
      roadP50Ms: round(percentile(road.hierarchy.cpuTimes, 0.5), 3),
      roadP99Ms: round(percentile(road.hierarchy.cpuTimes, 0.99), 3),
      baselineRoadP50Ms: round(percentile(road.dijkstra.cpuTimes, 0.5), 2),
      baselineRoadP99Ms: round(percentile(road.dijkstra.cpuTimes, 0.99), 2),
      customizeMs: round(update.customizeCpuMs, 1),
      matrix100Ms: round(matrix100.cpuMs, 1),
      matrix500Ms: round(matrix500.cpuMs, 0),
      baselineMatrix100Ms: round(baselineMatrix100.cpuMs, 0),
    },
    loadAverage: loadavg().map((l) => round(l, 1)),
    ratios: {
      roadP50: round(roadP50Ms / baselineRoadP50Ms, 3),
      roadP99: round(roadP99Ms / baselineRoadP99Ms, 3),
      matrix100: round(matrix100.ms / baselineMatrix100.ms, 3),
    },
    hierarchy: { edges: road.network.hierarchy.topology.edgeCount, order: 'nested dissection, inertial-flow separators' },
    landmarksP50Ms: round(percentile(road.alt.times, 0.5), 3),
    landmarksP99Ms: round(percentile(road.alt.times, 0.99), 3),
    landmarksOffOptimum: road.altMismatches,
    matrixOffOptimum,
    baselineMatrix100TwoThreadsMs: round(baselineMatrix100TwoThreads.ms, 0),
    customize100EdgesMs: round(smallCustomizeMs, 1),
    roadMap: { file: 'porto.osm.pbf', nodes: road.graph.nodeCount, edges: road.graph.edgeCount, arcs: road.graph.arcCount },
    sidewalkMap: { file: 'helsinki-centre.osm.pbf', nodes: robot.graph.nodeCount, edges: robot.graph.edgeCount, buildMs: round(robot.buildMs, 0) },
    roadPairs: ROAD_PAIRS,
    robotTrips: ROBOT_TRIPS,
    matrixMethod: 'bucket many-to-many on the hierarchy, one thread; baseline: one bucket-queue Dijkstra per source',
    liveTraffic: '5% of road edges slowed 1.2-3x, 0.2% closed',
    rssMb: round(process.memoryUsage().rss / 2 ** 20, 0),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    date: new Date().toISOString(),
    command: 'npm run bench:routing',
  },
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${RESULTS}`);
if (offOptimum > 0) {
  console.error(`${offOptimum} routes or matrix cells differ from the Dijkstra baseline`);
  process.exitCode = 1;
}
