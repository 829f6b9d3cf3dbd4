import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCityScenario } from './scenario.js';
import { OTANIEMI_SEGMENTS } from './segments.js';
import { conditionsAt, createRng, helsinkiHour } from './traffic-model.js';

const NOW = new Date('2025-05-06T07:15:00Z');
const readingsPerTick = OTANIEMI_SEGMENTS.reduce((n, s) => n + s.directions.length, 0);
const plain = (v: unknown): unknown => (typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v);

describe('city scenario', () => {
  it('reports every direction of every segment each tick, stamped with the wall clock', () => {
    const scenario = createCityScenario({ closureEveryTicks: 0, form: 'keyValues' });
    const entities = scenario.tick(NOW, new Date('2025-05-06T05:00:00Z'));
    assert.equal(entities.length, readingsPerTick);
    for (const e of entities) {
      assert.equal(e.type, 'TrafficFlowObserved');
      assert.equal(e.dateObservedTo, '2025-05-06T07:15:00.000Z');
      assert.equal(e.dateObservedFrom, '2025-05-06T07:14:00.000Z');
      assert.ok(typeof e.averageVehicleSpeed === 'number' && e.averageVehicleSpeed > 0);
      assert.ok(typeof e.occupancy === 'number' && e.occupancy >= 0 && e.occupancy <= 1);
      assert.ok(Number.isInteger(e.intensity) && (e.intensity as number) >= 0);
    }
  });

  it('slows traffic in the morning rush compared with the night', () => {
    const segment = OTANIEMI_SEGMENTS[0]!;
    const rush = new Date('2025-05-06T05:00:00Z'); // 08:00 in Espoo (UTC+3)
    const night = new Date('2025-05-06T00:00:00Z'); // 03:00
    assert.equal(helsinkiHour(rush), 8);
    const random = createRng(1);
    const rushSpeed = conditionsAt(segment, 'forward', rush, 'open', random).speedKmh ?? NaN;
    const nightSpeed = conditionsAt(segment, 'forward', night, 'open', random).speedKmh ?? NaN;
    assert.ok(rushSpeed < nightSpeed * 0.7, `rush ${rushSpeed} km/h vs night ${nightSpeed} km/h`);
    assert.ok(nightSpeed > segment.freeFlowKmh * 0.9);
  });

  it('closes or limits a segment every few ticks and opens it again', () => {
    const scenario = createCityScenario({ closureEveryTicks: 3, closureTicks: 2, form: 'normalized' });
    const statuses = Array.from({ length: 8 }, (_, i) => {
      const entities = scenario.tick(new Date(NOW.getTime() + i * 5_000), NOW);
      return entities.filter((e) => e.type === 'RoadSegment').map((e) => plain(e.status));
    });
    assert.deepEqual(statuses.map((s) => s.length), [0, 0, 0, 1, 0, 1, 1, 0]);
    assert.ok(['closed', 'limited'].includes(String(statuses[3]![0])));
    assert.equal(statuses[5]![0], 'open');
  });

  it('reports no vehicles and no speed on a closed segment', () => {
    const scenario = createCityScenario({ closureEveryTicks: 1, closureTicks: 5, form: 'keyValues', seed: 7 });
    scenario.tick(NOW, NOW);
    const entities = scenario.tick(NOW, NOW);
    const closure = entities.find((e) => e.type === 'RoadSegment');
    assert.ok(closure);
    const segmentId = String(closure.id);
    const onSegment = entities.filter((e) => e.refRoadSegment === segmentId);
    assert.ok(onSegment.length > 0);
    for (const reading of onSegment) {
      if (closure.status === 'closed') {
        assert.equal(reading.intensity, 0);
        assert.equal('averageVehicleSpeed' in reading, false);
      } else {
        assert.ok((reading.averageVehicleSpeed as number) > 0);
      }
    }
  });

  it('replays the same day for the same seed', () => {
    const run = () => createCityScenario({ seed: 42 }).tick(NOW, NOW);
    assert.deepEqual(run(), run());
    assert.notDeepEqual(run(), createCityScenario({ seed: 43 }).tick(NOW, NOW));
  });
});
