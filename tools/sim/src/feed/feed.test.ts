import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kera/platform';
import { Inbox } from '@kera/testkit';
import { startCityFeed, type FeedProducer } from './feed.js';
import { messageTime, shiftMessageTimes } from './recording.js';

const log = createLogger({ name: 'feed-test', level: 'silent' });

function fakeProducer() {
  const sent = new Inbox<{ topic: string; key: string; value: Record<string, unknown>; raw: string }>();
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {}; // gzip+base64 traffic messages
    }
  };
  const producer: FeedProducer = {
    async send(topic, messages) {
      for (const m of messages) sent.push({ topic, key: m.key, value: parse(m.value.toString()), raw: m.value.toString() });
    },
  };
  return { producer, sent };
}

describe('city feed', () => {
  let dir: string | undefined;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('publishes one message per entity, keyed by entity id, until stopped', async () => {
    const { producer, sent } = fakeProducer();
    const feed = await startCityFeed({ producer, topic: 'test.city', formats: ['ngsi'], intervalMs: 5, closureEveryTicks: 0, log });
    await sent.waitUntil('two ticks', () => feed.stats().ticks >= 2);
    await feed.stop();
    const count = sent.items.length;
    assert.ok(count > 0);
    for (const m of sent.items) {
      assert.equal(m.topic, 'test.city');
      assert.equal(m.key, m.value.id);
      assert.equal(m.value.type, 'TrafficFlowObserved');
    }
    assert.equal(feed.stats().messages, count);
  });

  it('publishes all five providers, each on its topic in its own shape', async () => {
    const { producer, sent } = fakeProducer();
    const feed = await startCityFeed({ producer, intervalMs: 5, closureEveryTicks: 2, closureTicks: 2, log });
    await sent.waitUntil('road works and their end', () => sent.items.filter((m) => m.topic === 'city.situations.v1').length >= 2);
    await feed.stop();
    const on = (topic: string) => sent.items.filter((m) => m.topic === topic);
    assert.ok(on('city.ngsi.v1').length > 0);
    for (const m of on('city.tms.v1')) {
      assert.match(m.key, /^tms-v2\/2390[12]\/51(16|19|22|25)$/);
      assert.deepEqual(Object.keys(m.value).sort(), ['time', 'value']);
    }
    assert.ok(on('city.weather.v1').some((m) => m.key === 'weather-v2/1901/31'));
    assert.ok(on('city.pole-sensors.v1').every((m) => m.value.schemaVersion === 1));
    const situations = on('city.situations.v1');
    assert.ok(situations.some((m) => m.raw.startsWith('H4sI')), 'the gzip+base64 variant as well');
  });

  it('records what it publishes and replays it with times moved to now', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kera-feed-'));
    const file = join(dir, 'recording.jsonl');
    const recorder = fakeProducer();
    const recording = await startCityFeed({
      producer: recorder.producer,
      intervalMs: 5,
      closureEveryTicks: 1,
      closureTicks: 1,
      batch: true,
      recordFile: file,
      clock: () => new Date('2025-05-06T07:15:00Z'),
      log,
    });
    await recorder.sent.waitUntil('two ticks', () => recording.stats().ticks >= 2);
    await recording.stop();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    assert.equal(lines.length, recording.stats().messages);

    const replayer = fakeProducer();
    const startedAt = Date.now();
    const replay = await startCityFeed({ producer: replayer.producer, replay: { file, speed: 1000 }, log });
    await replay.done;
    assert.equal(replayer.sent.items.length, lines.length);
    const first = replayer.sent.items[0]?.value;
    assert.ok(Array.isArray(first), 'a batch stays a batch');
    const replayedAt = messageTime(first) ?? 0;
    assert.ok(replayedAt >= startedAt - 1_000 && replayedAt <= Date.now() + 1_000, 'retimed to now');
  });

  it('refuses to start on a recording that is not JSON lines', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'kera-feed-'));
    const file = join(dir, 'broken.jsonl');
    await writeFile(file, '{"id": "urn:x"}\nnot json\n');
    const { producer } = fakeProducer();
    await assert.rejects(startCityFeed({ producer, replay: { file }, log }), /broken\.jsonl:2: not a JSON line/);
  });
});

describe('recording times', () => {
  it('moves every date of both forms, including both ends of an interval', () => {
    const message = [
      {
        id: 'a',
        type: 'TrafficFlowObserved',
        dateObserved: '2025-05-06T07:14:00Z/2025-05-06T07:15:00Z',
        dateObservedTo: { type: 'Property', value: { '@type': 'DateTime', '@value': '2025-05-06T07:15:00Z' } },
      },
      { id: 'b', type: 'RoadSegment', dateModified: '2025-05-06T07:16:00' },
    ];
    assert.equal(messageTime(message), Date.parse('2025-05-06T07:16:00Z'));
    const shifted = shiftMessageTimes(message, 60_000) as Array<Record<string, unknown>>;
    assert.equal(shifted[0]?.dateObserved, '2025-05-06T07:15:00.000Z/2025-05-06T07:16:00.000Z');
    assert.deepEqual(shifted[0]?.dateObservedTo, { type: 'Property', value: { '@type': 'DateTime', '@value': '2025-05-06T07:16:00.000Z' } });
    assert.equal(shifted[1]?.dateModified, '2025-05-06T07:17:00.000Z');
  });
});
