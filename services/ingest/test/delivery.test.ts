import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FeedState } from '@kera/proto/ingest/v1/feed_status';
import { uniqueName, waitFor } from '@kera/testkit';
import { SPEED_DIR1, TMS_OTAKAARI, sensorValue, tmsTopic } from './fixtures/digitraffic.js';
import { poleReading } from './fixtures/pole.js';
import { ingestHarness, secondsAgo, type IngestHarness } from './support/harness.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const minuteStart = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000);

describe('ingest: event-time windows, lateness and exactly one output per window update', () => {
  let h: IngestHarness;
  before(async () => {
    h = await ingestHarness('windows', { INGEST_ALLOWED_LATENESS_S: '30' });
    await h.start();
  });
  after(() => h?.close());

  it('dead-letters a reading whose window closed past the allowed lateness, naming the window', async () => {
    const early = minuteStart(secondsAgo(600));
    const key = tmsTopic(TMS_OTAKAARI, SPEED_DIR1);
    await h.publish(h.topics.tms, sensorValue(50, new Date(early.getTime() + 5_000)), key);
    await h.publish(h.topics.tms, sensorValue(48, new Date(early.getTime() + 180_000)), key);
    const late = sensorValue(20, new Date(early.getTime() + 20_000));
    await h.publish(h.topics.tms, late, key);
    // A marker after the late reading (one input partition): once it is out, so is anything before it.
    await h.publish(h.topics.tms, sensorValue(33, secondsAgo(5)), tmsTopic(TMS_OTAKAARI, 5119));
    await h.observations.waitFor('the marker', (o) => o.payload.locationId === `tms:${TMS_OTAKAARI}:2` && o.payload.speedKmh === 33);
    const dead = await h.deadLetters.waitFor('the late reading', (d) => d.payload.originalValue.equals(late));
    assert.equal(dead.payload.errorCode, 'late');
    assert.match(dead.payload.reason, new RegExp(`falls in the window ${early.toISOString()}\\.\\.${new Date(early.getTime() + 60_000).toISOString()} of tms:${TMS_OTAKAARI}:1, closed at ${new Date(early.getTime() + 90_000).toISOString()} \\(allowed lateness 30 s`));
    const windows = h.observations.items.filter((o) => o.payload.locationId === `tms:${TMS_OTAKAARI}:1` && o.payload.windowStart?.getTime() === early.getTime());
    assert.deepEqual(windows.map((o) => o.payload.speedKmh), [50], 'the closed window was not changed by the late reading');
  });

  it('emits nothing again when a provider repeats a reading or another consumer reads the whole topic again', async () => {
    const pole = `it-redelivery-${Date.now()}`;
    const first = json(poleReading({ poleId: pole, observedAt: secondsAgo(30), pedestrians: 10 }));
    await h.publish(h.topics.pole, first, pole);
    await h.publish(h.topics.pole, first, pole); // the provider sends it twice
    await h.observations.waitFor('the first window', (o) => o.payload.locationId.startsWith(`pole:${pole}/`));
    // A second instance in a fresh group reads the whole topic again: every message is redelivered.
    const replayGroup = uniqueName('ingest-replay');
    const replay = await h.start({ INGEST_GROUP_ID: replayGroup });
    const [end] = await h.kafka.endOffsets(h.topics.pole);
    await waitFor('the replaying instance to commit the whole topic', async () => {
      const [committed] = await h.kafka.committedOffsets(replayGroup, h.topics.pole);
      return committed?.offset === end?.offset;
    });
    await replay.stop();
    const marker = `it-marker-${Date.now()}`;
    await h.publish(h.topics.pole, json(poleReading({ poleId: marker })), marker);
    await h.observations.waitFor('the marker after everything else', (o) => o.payload.locationId.startsWith(`pole:${marker}/`));
    const windows = h.observations.items.filter((o) => o.payload.locationId.startsWith(`pole:${pole}/`));
    assert.equal(windows.length, 1, 'one observation for one reading, however often it was read');
    assert.equal(windows[0]?.payload.sampleCount, 1);
    const ids = h.observations.items.map((o) => o.meta.id);
    assert.equal(new Set(ids).size, ids.length, 'no envelope id twice');
    const dead = h.deadLetters.items.map((d) => d.key);
    assert.ok(dead.length > 0, 'the late reading of the first test was read again too');
    assert.equal(new Set(dead).size, dead.length, 'no dead letter twice');
  });
});

describe('ingest: two instances in one consumer group', () => {
  let h: IngestHarness;
  before(async () => {
    h = await ingestHarness('group', {}, 3);
    await Promise.all([h.start(), h.start()]);
  });
  after(() => h?.close());

  it('produce the same windows as one would: every location once per sample count, with the true mean', async () => {
    const observedAt = secondsAgo(15);
    const poles = Array.from({ length: 12 }, (_, i) => `it-group-${i}`);
    const perPole = [4, 8, 12];
    // Each pole's readings come from three cameras (zones differ only by id), keyed differently so they land on different partitions.
    for (const pole of poles) {
      for (const [camera, pedestrians] of perPole.entries()) {
        await h.publish(h.topics.pole, json(poleReading({ poleId: pole, zoneId: 'zone-a', observedAt: new Date(observedAt.getTime() - camera * 1000), pedestrians })), `${pole}-cam${camera}`);
      }
    }
    const done = (items: ReadonlyArray<{ payload: { locationId: string; sampleCount: number } }>) => poles.every((p) => items.some((o) => o.payload.locationId === `pole:${p}/zone-a` && o.payload.sampleCount === 3));
    await h.observations.waitUntil('every pole window complete', done, 60_000);
    const seen = new Set<string>();
    for (const o of h.observations.items) {
      const identity = `${o.payload.locationId}|${o.payload.windowStart?.toISOString()}|${o.payload.sampleCount}`;
      assert.ok(!seen.has(identity), `emitted twice: ${identity}`);
      seen.add(identity);
    }
    const finals = h.observations.items.filter((o) => o.payload.sampleCount === 3);
    assert.equal(finals.length, poles.length);
    const first = finals[0]!.payload.pedestrianDensity!;
    for (const o of finals) assert.ok(Math.abs(o.payload.pedestrianDensity! - first) < 1e-9, 'every pole has the same mean of 4, 8 and 12');
  });
});

describe('ingest: feed freshness across replicas', () => {
  let h: IngestHarness;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  before(async () => {
    h = await ingestHarness('freshness', { INGEST_FEED_CADENCES: 'pole=5' });
  });
  after(() => h?.close());

  it('announces a silent feed once as stale and once as recovered, however many replicas check', async () => {
    const [a, b] = await Promise.all([h.start({}, clock), h.start({}, clock)]);
    await h.publish(h.topics.pole, json(poleReading({ poleId: 'it-fresh-1' })), 'p');
    // Two instances joining one group rebalance first; on a busy machine that takes a while.
    await h.observations.waitFor('the first reading', (o) => o.payload.locationId.startsWith('pole:it-fresh-1/'), 60_000);
    await Promise.all([a!.checkFeeds(), b!.checkFeeds()]);
    await h.feedStatus.waitFor('the feed announced', (s) => s.payload.feed === 'pole' && s.payload.state === FeedState.FRESH);

    offsetMs = 10_000; // ten seconds of silence, twice the cadence
    await Promise.all([a!.checkFeeds(), b!.checkFeeds(), a!.checkFeeds()]);
    const stale = await h.feedStatus.waitFor('the stale announcement', (s) => s.payload.state === FeedState.STALE);
    assert.equal(stale.key, 'pole');
    assert.equal(stale.payload.sourceTopic, h.topics.pole);
    assert.equal(stale.payload.expectedCadenceS, 5);

    await h.publish(h.topics.pole, json(poleReading({ poleId: 'it-fresh-2', observedAt: clock() })), 'p');
    await h.observations.waitFor('the recovering reading', (o) => o.payload.locationId.startsWith('pole:it-fresh-2/'), 60_000);
    await Promise.all([a!.checkFeeds(), b!.checkFeeds()]);
    await h.feedStatus.waitUntil('the recovery', (items) => items.filter((s) => s.payload.state === FeedState.FRESH).length === 2);
    await Promise.all([a!.checkFeeds(), b!.checkFeeds()]);
    const states = h.feedStatus.items.map((s) => s.payload.state);
    assert.deepEqual(states, [FeedState.FRESH, FeedState.STALE, FeedState.FRESH], 'one event per transition');
  });
});
