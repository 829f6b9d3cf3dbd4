/**
 * End to end through the real broker: provider records in each format → ingest
 * (real) → traffic topics → routing (real, gRPC) → route durations. Each case
 * compares a route before and after one provider message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { TOPICS } from '@kera/platform';
import { RoutingServiceClient, type PlanRouteResponse } from '@kera/proto/routing/v1/routing';
import { FeedState } from '@kera/proto/ingest/v1/feed_status';
import { Profile } from '@kera/proto/traffic/v1/events';
import { testInfra, uniqueName, waitFor } from '@kera/testkit';
import { loadConfig as loadRoutingConfig } from '@kera/routing/dist/src/config.js';
import { OTANIEMI } from '@kera/routing/dist/src/demo-places.js';
import { startRoutingService, type RoutingService } from '@kera/routing/dist/src/service.js';
import { ROAD_CONDITION, SPEED_DIR1, TMS_OTAKAARI, WEATHER_OTANIEMI, OTAKAARI_LINE, roadWork, sensorValue, tmsTopic, weatherTopic } from './fixtures/digitraffic.js';
import { CAMPUS_ZONE, poleReading } from './fixtures/pole.js';
import { ingestHarness, secondsAgo, silentLog, type IngestHarness } from './support/harness.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
interface RouteRequest {
  profile: Profile;
  waypoints: Array<{ lat: number; lon: number }>;
}
const road: RouteRequest = { profile: Profile.ROAD, waypoints: [OTANIEMI.roadA, OTANIEMI.roadB] };
const sidewalk: RouteRequest = { profile: Profile.SIDEWALK, waypoints: [OTANIEMI.sidewalkA, OTANIEMI.sidewalkB] };
const [otakaariLon, otakaariLat] = OTAKAARI_LINE[2]!;
/** Whether the route passes within 25 m of the middle of the Otakaari stretch. */
const onOtakaari = (r: PlanRouteResponse): boolean =>
  r.legs.some((leg) => leg.points.some((p) => Math.hypot((p.lon - otakaariLon!) * 55_600, (p.lat - otakaariLat!) * 111_300) < 25));

describe('routing reacts to every city feed format', { timeout: 180_000 }, () => {
  let h: IngestHarness;
  let routing: RoutingService;
  let client: RoutingServiceClient;
  let offsetMs = 0;
  const ingestClock = () => new Date(Date.now() + offsetMs);
  const cacheDir = mkdtempSync(join(tmpdir(), 'ingest-e2e-'));
  const plan = (request: RouteRequest) =>
    new Promise<PlanRouteResponse>((resolve, reject) => client.planRoute({ ...request }, (err, res) => (err ? reject(err) : resolve(res))));
  /** Plans until the route satisfies `done` (routing applies traffic asynchronously). */
  async function planUntil(what: string, request: RouteRequest, done: (r: PlanRouteResponse) => boolean): Promise<PlanRouteResponse> {
    let last: PlanRouteResponse | undefined;
    await waitFor(what, async () => done((last = await plan(request))), { timeoutMs: 30_000 });
    return last!;
  }

  before(async () => {
    h = await ingestHarness('e2e', { INGEST_FEED_CADENCES: 'pole=30,digitraffic-tms=600,digitraffic-weather=600,digitraffic-situations=600,ngsi-ld=600' });
    await h.start({}, ingestClock);
    const changes = uniqueName('test.e2e.changes');
    await h.kafka.ensureTopics([{ ...TOPICS.routingTrafficChanges, name: changes, partitions: 1 }]);
    const { kafkaBrokers } = await testInfra();
    const config = loadRoutingConfig({ KAFKA_BROKERS: kafkaBrokers.join(','), GRPC_HOST: '127.0.0.1', GRPC_PORT: '0', OPS_PORT: '0', GRAPH_CACHE_DIR: cacheDir, TRAFFIC_COALESCE_MS: '10', LOG_LEVEL: 'silent' });
    routing = await startRoutingService(config, {
      log: silentLog,
      topics: { observations: h.topics.observations, incidents: h.topics.incidents, changes, deadLetters: h.topics.dlq, feedStatus: h.topics.feedStatus },
    });
    client = new RoutingServiceClient(`127.0.0.1:${routing.grpcPort}`, credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    await routing?.stop();
    await h?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('a road-works message closing Otakaari removes it from the route, and its withdrawal restores it', async () => {
    const situationId = `GUID-e2e-${Date.now()}`;
    const before = await plan(road);
    assert.ok(onOtakaari(before), 'the route runs along Otakaari at first');
    await h.publish(h.topics.situations, json(roadWork({ situationId })), 'ROAD_WORK');
    const detour = await planUntil('a route around the road works', road, (r) => !onOtakaari(r));
    assert.ok(detour.durationS > before.durationS);
    await h.publish(h.topics.situations, json(roadWork({ situationId, version: 2, versionTime: new Date(), trafficAnnouncementType: 'ENDED', geometry: null })), 'ROAD_WORK');
    const restored = await planUntil('the route back on Otakaari', road, onOtakaari);
    assert.ok(Math.abs(restored.durationS - before.durationS) < 0.5, `${restored.durationS} s again, as before the works (${before.durationS} s)`);
  });

  it('a TMS slowdown on Otakaari raises the road duration, and the response says how old the data is', async () => {
    const before = await plan(road);
    await h.publish(h.topics.tms, sensorValue(6, secondsAgo(10)), tmsTopic(TMS_OTAKAARI, SPEED_DIR1));
    const after = await planUntil('a slower road route', road, (r) => r.durationS > before.durationS + 1);
    assert.ok(after.trafficFreshness, 'responses carry the traffic freshness');
    assert.ok(after.trafficFreshness.dataAgeS >= 0 && after.trafficFreshness.dataAgeS < 300, `data age ${after.trafficFreshness.dataAgeS} s`);
    assert.deepEqual(after.trafficFreshness.staleFeeds, []);
  });

  it('icy road weather slows both the shuttle and the robot profile', async () => {
    const [roadBefore, sidewalkBefore] = await Promise.all([plan(road), plan(sidewalk)]);
    await h.publish(h.topics.weather, sensorValue(7, secondsAgo(10)), weatherTopic(WEATHER_OTANIEMI, ROAD_CONDITION));
    await planUntil('a slower road route on ice', road, (r) => r.durationS > roadBefore.durationS * 1.1);
    await planUntil('a slower sidewalk route on ice', sidewalk, (r) => r.durationS > sidewalkBefore.durationS * 1.3);
  });

  it('a crowded pole zone slows robots on its sidewalks, not shuttles; a silent pole feed is reported stale', async () => {
    const [roadBefore, sidewalkBefore] = await Promise.all([plan(road), plan(sidewalk)]);
    await h.publish(h.topics.pole, json(poleReading({ poleId: 'e2e-pole', pedestrians: 2000, ring: CAMPUS_ZONE })), 'e2e-pole');
    await planUntil('a slower sidewalk route through the crowd', sidewalk, (r) => r.durationS > sidewalkBefore.durationS + 5);
    assert.equal((await plan(road)).durationS, roadBefore.durationS, 'shuttles are not slowed by people on the walkway');

    offsetMs = 60_000; // a minute without pole readings, twice its cadence
    await waitFor('the pole feed announced stale', async () => {
      await h.checkAll();
      return h.feedStatus.items.some((s) => s.payload.feed === 'pole' && s.payload.state === FeedState.STALE);
    });
    const stale = await planUntil('the sidewalk response naming the stale feed', sidewalk, (r) => r.trafficFreshness?.staleFeeds.includes('pole') === true);
    assert.equal(stale.trafficFreshness?.stale, true);
    assert.deepEqual((await plan(road)).trafficFreshness?.staleFeeds, [], 'shuttles do not depend on pole readings');
  });
});
