import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createLogger } from '@kera/platform';
import { OTANIEMI } from '../demo-places.js';
import { matchEdges, type TrafficGeometry } from '../domain/edge-matching.js';
import { TrafficState } from '../domain/traffic-state.js';
import type { IncidentFact, ObservationFact } from '../domain/traffic.js';
import { freeFlowStore, otaniemiNetworks } from '../testing/networks.js';
import { createRoutePlanner } from './route-planner.js';
import { createTrafficUpdater, type TrafficChangeBatch, type TrafficUpdater } from './traffic-updater.js';

const networks = otaniemiNetworks();
const FRESHNESS_MS = 15 * 60_000;
const T0 = Date.parse('2026-01-15T08:00:00Z');
const otakaari: TrafficGeometry = { kind: 'line', points: OTANIEMI.otakaariLine };
const updaters: TrafficUpdater[] = [];
afterEach(() => updaters.splice(0).forEach((u) => u.close()));

function setup() {
  const clock = { now: T0 };
  const store = freeFlowStore(networks, 1);
  const published: TrafficChangeBatch[] = [];
  const state = new TrafficState((profile, geometry, bearing) => matchEdges(networks[profile].graph, networks[profile].snap, geometry, bearing), FRESHNESS_MS);
  const updater = createTrafficUpdater({
    networks, store, state, clock: () => clock.now, coalesceMs: 0, tickMs: 3_600_000,
    publisher: { publish: async (batches) => void published.push(...batches) },
    log: createLogger({ name: 'test', level: 'silent' }),
  });
  updater.hold(true); // tests flush explicitly
  updaters.push(updater);
  const planner = createRoutePlanner({ networks, weights: store, snapRadiusM: 250 });
  const roadTrip = () => planner.planRoute({ profile: 'road', waypoints: [OTANIEMI.roadA, OTANIEMI.roadB], departure: new Date(clock.now) });
  const walk = () => planner.planRoute({ profile: 'sidewalk', waypoints: [OTANIEMI.sidewalkA, OTANIEMI.sidewalkB], departure: new Date(clock.now) });
  return { clock, store, published, updater, roadTrip, walk };
}

const observation = (fields: Partial<ObservationFact>): ObservationFact => ({
  locationId: 'otakaari-1', geometry: otakaari, windowEndMs: T0, surface: 'unknown', ...fields,
});
const incident = (fields: Partial<IncidentFact>): IncidentFact => ({
  incidentId: 'works-1', kind: 'closure', severity: 'high', geometry: otakaari, active: true, ...fields,
});

describe('live traffic on the Otaniemi map', () => {
  it('slow traffic on a street raises the duration of routes through it, with a new version published', async () => {
    const { updater, roadTrip, published } = setup();
    const before = roadTrip();
    assert.equal(updater.observe(observation({ speedKmh: 8 })), 'applied');
    const swap = updater.flush()!;
    await updater.published();
    const after = roadTrip();
    assert.ok(after.durationS > before.durationS + 20, `${before.durationS} s → ${after.durationS} s`);
    assert.equal(after.trafficVersion, swap.version);
    assert.ok(after.trafficVersion > before.trafficVersion);
    const publishedEdges = published.flatMap((b) => b.edgeIds);
    assert.ok(swap.changed.road.length > 0 && swap.changed.road.every((e) => publishedEdges.includes(e)));
    assert.ok(published.every((b) => b.version === swap.version && b.profile === 'road' && /^\d+:\d+$/.test(b.areaCell)));
    assert.ok(before.edgeIds.some((e) => swap.changed.road.includes(e)), 'the route used a slowed edge');
  });

  it('ignores speeds at or above free flow and replays of the same observation', () => {
    const { updater } = setup();
    updater.observe(observation({ speedKmh: 90 }));
    assert.equal(updater.flush(), null, 'traffic never makes an edge faster than free flow');
    updater.observe(observation({ speedKmh: 10 }));
    assert.ok(updater.flush());
    updater.observe(observation({ speedKmh: 10 }));
    assert.equal(updater.flush(), null, 'a redelivered observation changes nothing');
  });

  it('keeps the newest window per location and expires observations back to free flow', () => {
    const { updater, roadTrip, clock } = setup();
    const free = roadTrip().durationS;
    updater.observe(observation({ speedKmh: 8, windowEndMs: T0 }));
    updater.flush();
    assert.equal(updater.observe(observation({ speedKmh: 40, windowEndMs: T0 - 60_000 })), 'stale');
    assert.ok(roadTrip().durationS > free);
    clock.now = T0 + FRESHNESS_MS + 1;
    assert.ok(updater.flush(), 'expiry swaps weights back');
    assert.ok(Math.abs(roadTrip().durationS - free) < 1e-9);
    assert.equal(updater.observe(observation({ speedKmh: 8, windowEndMs: T0 })), 'expired');
  });

  it('applies a bearing to one travel direction only', () => {
    const { updater } = setup();
    // Otakaari's line points run south-west; a north-east bearing means the opposite carriageway direction.
    updater.observe(observation({ speedKmh: 5, bearingDeg: 220 }));
    const southWest = updater.flush()!.changed.road;
    updater.observe(observation({ locationId: 'otakaari-2', speedKmh: 5, bearingDeg: 40 }));
    const northEast = updater.flush()!.changed.road;
    assert.ok(southWest.length > 0 && northEast.length > 0);
    assert.ok(southWest.every((e) => !northEast.includes(e)), 'the two directions are different edges');
  });

  it('a closure forces a detour until it is withdrawn', () => {
    const { updater, roadTrip } = setup();
    const before = roadTrip();
    updater.incident(incident({}));
    const closed = updater.flush()!.changed.road;
    const detour = roadTrip();
    assert.ok(detour.edgeIds.every((e) => !closed.includes(e)), 'the detour avoids the closed edges');
    assert.ok(detour.durationS > before.durationS, `${before.durationS} s → ${detour.durationS} s`);
    updater.incident(incident({ active: false }));
    updater.flush();
    assert.ok(Math.abs(roadTrip().durationS - before.durationS) < 1e-9);
  });

  it('applies incidents only inside their validity interval', () => {
    const { updater, roadTrip, clock } = setup();
    const free = roadTrip().durationS;
    updater.incident(incident({ validFromMs: T0 + 60_000, validUntilMs: T0 + 120_000 }));
    assert.equal(updater.flush(), null, 'not yet valid');
    clock.now = T0 + 60_000;
    assert.ok(updater.flush());
    assert.ok(roadTrip().durationS > free);
    clock.now = T0 + 120_000;
    assert.ok(updater.flush());
    assert.ok(Math.abs(roadTrip().durationS - free) < 1e-9);
  });

  it('crowding and icy surfaces slow robots, not shuttles', () => {
    const { updater, walk, roadTrip } = setup();
    const walkBefore = walk().durationS;
    const driveBefore = roadTrip().durationS;
    const campus: TrafficGeometry = {
      kind: 'polygon',
      ring: [{ lat: 60.185, lon: 24.824 }, { lat: 60.185, lon: 24.838 }, { lat: 60.191, lon: 24.838 }, { lat: 60.191, lon: 24.824 }],
    };
    updater.observe(observation({ locationId: 'pole-7', geometry: campus, pedestrianDensity: 40 }));
    updater.flush();
    const crowded = walk().durationS;
    assert.ok(crowded > walkBefore * 1.5, `${walkBefore} s → ${crowded} s`);
    updater.observe(observation({ locationId: 'pole-8', geometry: campus, surface: 'icy' }));
    updater.flush();
    assert.ok(walk().durationS > crowded * 1.5);
    assert.ok(roadTrip().durationS < driveBefore * 1.31, 'ice slows shuttles only a little');
  });
});
