import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentKind, SurfaceState } from '@kera/proto/traffic/v1/events';
import {
  FLOW_DIR1, FRICTION, ROAD_CONDITION, ROAD_TEMPERATURE, SPEED_DIR1, TMS_OTAKAARI, WEATHER_OTANIEMI,
  featureCollection, gzipBase64, gzipBomb, roadWork, sensorValue, tmsTopic, weatherTopic,
} from './fixtures/digitraffic.js';
import { poleReading } from './fixtures/pole.js';
import { ingestHarness, secondsAgo, type IngestHarness } from './support/harness.js';

/** [what, topic, key, value, error code, reason pattern, headers?] */
type BadCase = [string, string, string, Buffer, string, RegExp, Record<string, string>?];

describe('ingest: each provider format against Kafka and Redis', () => {
  let h: IngestHarness;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const oversized = () => Buffer.from(`{"value":1,"pad":"${'x'.repeat(600 * 1024)}"}`);

  before(async () => {
    h = await ingestHarness('formats');
    await h.start();
  });
  after(() => h?.close());

  async function expectDeadLetters(cases: BadCase[]): Promise<void> {
    for (const [, topic, key, value, , , headers] of cases) await h.publish(topic, value, key, headers);
    for (const [what, topic, , value, code, reason] of cases) {
      const dead = await h.deadLetters.waitFor(what, (d) => d.payload.sourceTopic === topic && d.payload.originalValue.equals(value));
      assert.equal(dead.payload.errorCode, code, `${what}: ${dead.payload.reason}`);
      assert.match(dead.payload.reason, reason, what);
    }
  }

  describe('Digitraffic TMS (city.tms.v1)', () => {
    it('merges a station direction\'s speed and vehicle count of one window into one observation', async () => {
      const time = secondsAgo(20);
      await h.publish(h.topics.tms, sensorValue(41, time), tmsTopic(TMS_OTAKAARI, SPEED_DIR1));
      await h.publish(h.topics.tms, sensorValue(480, time), 'provider-key', { 'mqtt-topic': tmsTopic(TMS_OTAKAARI, FLOW_DIR1) });
      const o = await h.observations.waitFor('the merged window', (x) => x.payload.locationId === `tms:${TMS_OTAKAARI}:1` && x.payload.sampleCount === 2);
      assert.equal(o.key, `tms:${TMS_OTAKAARI}:1`);
      assert.equal(o.payload.source, 'digitraffic-tms');
      assert.equal(o.payload.speedKmh, 41);
      assert.equal(o.payload.flowVph, 480, 'kpl/h is already a rate');
      assert.equal(o.payload.bearingDeg, 225, 'direction 1 bearing from the station metadata');
      assert.deepEqual(o.payload.geometry?.kind, { $case: 'point', value: { lat: 60.18719, lon: 24.8336 } });
      assert.equal(o.payload.windowStart?.getTime(), Math.floor(time.getTime() / 60_000) * 60_000);
    });

    it('dead-letters malformed, mistyped, unknown, absurd, oversized and compressed records', async () => {
      const t = h.topics.tms;
      const key = tmsTopic(TMS_OTAKAARI, SPEED_DIR1);
      await expectDeadLetters([
        ['tms malformed', t, key, Buffer.from('{"value": 12, "time": '), 'invalid_json', /^not valid JSON/],
        ['tms wrong type', t, key, json({ value: '41', time: 1 }), 'schema', /^value: expected a number, got "41"/],
        ['tms ms time', t, key, json({ value: 41, time: Date.now() }), 'schema', /^time: expected epoch seconds, got \d+ \(milliseconds\?\)/],
        ['tms no address', t, 'some-key', sensorValue(41, secondsAgo(5)), 'schema', /^key: expected the Digitraffic topic tms-v2\/<roadStationId>\/<sensorId>/],
        ['tms unknown station', t, tmsTopic(99999, SPEED_DIR1), sensorValue(42, secondsAgo(5)), 'unknown_station', /^road station 99999 is not in the tms-v2 station metadata/],
        ['tms unknown sensor', t, tmsTopic(TMS_OTAKAARI, 777), sensorValue(43, secondsAgo(5)), 'unknown_station', /sensor 777 of station 23901/],
        ['tms untranslated sensor', t, tmsTopic(TMS_OTAKAARI, 5168), sensorValue(90, secondsAgo(5)), 'unsupported_type', /KESKINOPEUS_5MIN_LIUKUVA_SUUNTA1_VVAPAAS1/],
        ['tms negative speed', t, key, sensorValue(-12, secondsAgo(5)), 'schema', /^value: expected an average speed between 0 and 300 km\/h for KESKINOPEUS_5MIN_LIUKUVA_SUUNTA1, got -12/],
        ['tms future', t, key, sensorValue(40, new Date(Date.now() + 3_600_000)), 'stale', /ahead of ingest's clock/],
        ['tms oversized', t, key, oversized(), 'too_large', /larger than the 524288 bytes/],
        ['tms gzip', t, key, gzipBomb(10_000_000), 'invalid_json', /not valid JSON/],
      ]);
    });
  });

  describe('Digitraffic road weather (city.weather.v1)', () => {
    it('turns the road condition, friction and road temperature of a station into one surface observation over its area', async () => {
      const time = secondsAgo(20);
      await h.publish(h.topics.weather, sensorValue(7, time), weatherTopic(WEATHER_OTANIEMI, ROAD_CONDITION));
      await h.publish(h.topics.weather, sensorValue(0.18, time), weatherTopic(WEATHER_OTANIEMI, FRICTION));
      await h.publish(h.topics.weather, sensorValue(-4.2, time), weatherTopic(WEATHER_OTANIEMI, ROAD_TEMPERATURE));
      const o = await h.observations.waitFor('the weather window', (x) => x.payload.locationId === `weather:${WEATHER_OTANIEMI}` && x.payload.sampleCount === 3);
      assert.equal(o.payload.surface, SurfaceState.ICY, '"Ice" in the sensor value descriptions');
      assert.equal(o.payload.friction, 0.18);
      assert.equal(o.payload.surfaceTemperatureC, -4.2);
      assert.equal(o.payload.geometry?.kind?.$case, 'polygon', 'the station point buffered to its area');
    });

    it('dead-letters malformed, mistyped, unknown, absurd, oversized and compressed records', async () => {
      const t = h.topics.weather;
      const key = weatherTopic(WEATHER_OTANIEMI, ROAD_CONDITION);
      await expectDeadLetters([
        ['weather malformed', t, key, Buffer.from('{"value": 7,'), 'invalid_json', /^not valid JSON/],
        ['weather wrong type', t, key, json({ value: 7, time: '2026-12-02T08:00:00Z' }), 'schema', /^time: expected epoch seconds, got "2026-12-02T08:00:00Z"/],
        ['weather unknown station', t, weatherTopic(4242, ROAD_CONDITION), sensorValue(2, secondsAgo(5)), 'unknown_station', /road station 4242/],
        ['weather unknown state', t, key, sensorValue(42, secondsAgo(5)), 'schema', /^value: 42 is not a KELI_1 state in the sensor metadata \(known: 1, 2/],
        ['weather absurd friction', t, weatherTopic(WEATHER_OTANIEMI, FRICTION), sensorValue(3.5, secondsAgo(5)), 'schema', /friction coefficient between 0 and 1/],
        ['weather untranslated', t, weatherTopic(WEATHER_OTANIEMI, 1), sensorValue(3, secondsAgo(5)), 'unsupported_type', /sensor ILMA/],
        ['weather old', t, key, sensorValue(1, secondsAgo(7200)), 'stale', /older than the maximum age/],
        ['weather oversized', t, key, oversized(), 'too_large', /larger than/],
        ['weather gzip', t, key, gzipBomb(10_000_000), 'invalid_json', /not valid JSON/],
      ]);
    });
  });

  describe('Digitraffic traffic messages (city.situations.v1)', () => {
    it('turns a ROAD_WORK closing the street into a closure over its MultiLineString, and an ENDED version lifts it', async () => {
      const situationId = 'GUID-it-roadwork';
      await h.publish(h.topics.situations, json(featureCollection(roadWork({ situationId }))), 'ROAD_WORK');
      const closure = await h.incidents.waitFor('the closure', (i) => i.payload.incidentId === `digitraffic:${situationId}` && i.payload.active);
      assert.equal(closure.payload.kind, IncidentKind.CLOSURE);
      assert.equal(closure.payload.source, 'digitraffic-situations');
      assert.equal(closure.payload.geometry?.kind?.$case, 'line', 'a MultiLineString of one part is a line');
      assert.match(closure.payload.description, /Otakaari, Espoo\. Tietyö\./);

      const ended = roadWork({ situationId, version: 2, versionTime: new Date(), trafficAnnouncementType: 'ENDED', geometry: null });
      await h.publish(h.topics.situations, json(ended), 'ROAD_WORK');
      const lifted = await h.incidents.waitFor('the withdrawal', (i) => i.payload.incidentId === `digitraffic:${situationId}` && !i.payload.active);
      assert.ok(lifted.payload.validUntil);
    });

    it('reads the gzip+base64 variant of the MQTT stream', async () => {
      const situationId = 'GUID-it-compressed';
      await h.publish(h.topics.situations, gzipBase64(roadWork({ situationId, closed: false })), 'traffic-message-v2/simple/ROAD_WORK');
      const works = await h.incidents.waitFor('the road works', (i) => i.payload.incidentId === `digitraffic:${situationId}`);
      assert.equal(works.payload.kind, IncidentKind.ROAD_WORKS);
    });

    it('dead-letters malformed, mistyped, unsupported, absurd, oversized and compressed-bomb messages', async () => {
      const t = h.topics.situations;
      const noGeometry = roadWork({ situationId: 'GUID-it-nogeometry', geometry: null });
      const backwards = roadWork({ situationId: 'GUID-it-backwards', start: new Date(Date.now() + 86_400_000), end: new Date(Date.now() + 3_600_000) });
      await expectDeadLetters([
        ['situation malformed', t, 'k', Buffer.from('{"type": "Feature", '), 'invalid_json', /^not valid JSON/],
        ['situation wrong type', t, 'k', json(roadWork({ situationType: 42 as unknown as string })), 'schema', /^properties\.situationType: expected one of TRAFFIC_ANNOUNCEMENT/],
        ['situation unsupported', t, 'k', json(roadWork({ situationType: 'FERRY_NOTICE' })), 'unsupported_type', /"FERRY_NOTICE" is not translated/],
        ['situation no geometry', t, 'k', json(noGeometry), 'schema', /^geometry: required to place an active situation/],
        ['situation end before start', t, 'k', json(backwards), 'schema', /endTime .* is before startTime/],
        ['situation far away', t, 'k', json(roadWork({ situationId: 'GUID-it-far', geometry: { type: 'Point', coordinates: [25.47, 65.01] } })), 'outside_map', /outside the loaded map/],
        ['situation oversized', t, 'k', oversized(), 'too_large', /larger than/],
        ['situation gzip bomb', t, 'k', gzipBomb(10_000_000), 'too_large', /^gzip body inflates to more than the 524288 bytes/],
        ['situation base64 bomb', t, 'k', Buffer.from(gzipBomb(10_000_000).toString('base64')), 'too_large', /^gzip body inflates/],
      ]);
    });
  });

  describe('Kera pole readings (city.pole-sensors.v1)', () => {
    it('turns pedestrians in a zone into a density per 100 m² over the zone polygon', async () => {
      await h.publish(h.topics.pole, json(poleReading({ poleId: 'it-pole-1', pedestrians: 40, surface: 'wet' })), 'it-pole-1');
      const o = await h.observations.waitFor('the pole window', (x) => x.payload.locationId === 'pole:it-pole-1/otakaari-north-walkway');
      assert.equal(o.payload.source, 'pole');
      assert.equal(o.payload.surface, SurfaceState.WET);
      const density = o.payload.pedestrianDensity ?? NaN;
      assert.ok(density > 0.4 && density < 0.6, `40 people on ~7,900 m² is ~0.5 per 100 m², got ${density}`);
      assert.equal(o.payload.geometry?.kind?.$case, 'polygon');
    });

    it('dead-letters schema violations with the failing field and the schema path', async () => {
      const t = h.topics.pole;
      const extra = { ...poleReading({ poleId: 'it-extra' }), colour: 'red' };
      const outside = { ...poleReading({ poleId: 'it-outside' }), location: { type: 'Point', coordinates: [24.84, 60.19] } };
      const { counts: _omitted, ...noCounts } = poleReading({ poleId: 'it-nocounts' });
      await expectDeadLetters([
        ['pole malformed', t, 'p', Buffer.from('{"schemaVersion": 1,'), 'invalid_json', /^not valid JSON/],
        ['pole negative', t, 'p', json(poleReading({ poleId: 'it-neg', pedestrians: -3 })), 'schema', /^\/counts\/pedestrians: must be >= 0 \(schema path #\/properties\/counts\/properties\/pedestrians\/minimum, pole-reading v1\)/],
        ['pole wrong type', t, 'p', json({ ...poleReading({ poleId: 'it-type' }), periodS: '60' }), 'schema', /^\/periodS: must be integer \(schema path #\/properties\/periodS\/type/],
        ['pole missing', t, 'p', json(noCounts), 'schema', /^\(root\): must have required property 'counts'/],
        ['pole extra', t, 'p', json(extra), 'schema', /must NOT have additional properties "colour"/],
        ['pole version', t, 'p', json({ ...poleReading({ poleId: 'it-v2' }), schemaVersion: 2 }), 'schema', /^\/schemaVersion: must be equal to constant/],
        ['pole outside zone', t, 'p', json(outside), 'schema', /^\/location: the pole at \[24\.84, 60\.19\] is outside its zone/],
        ['pole future', t, 'p', json(poleReading({ poleId: 'it-future', observedAt: new Date(Date.now() + 86_400_000) })), 'stale', /ahead of ingest's clock/],
        ['pole oversized', t, 'p', oversized(), 'too_large', /larger than/],
        ['pole gzip', t, 'p', gzipBomb(10_000_000), 'invalid_json', /not valid JSON/],
      ]);
    });
  });
});
