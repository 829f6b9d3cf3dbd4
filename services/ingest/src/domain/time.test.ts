import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dateText, parseDurationMs, parseInstant, parseInterval } from './time.js';

describe('ISO 8601 time', () => {
  it('reads instants with and without zone; no zone is UTC as the data models define', () => {
    assert.equal(parseInstant('2025-05-06T07:10:00Z')?.toISOString(), '2025-05-06T07:10:00.000Z');
    assert.equal(parseInstant('2025-05-06T07:10:00')?.toISOString(), '2025-05-06T07:10:00.000Z');
    assert.equal(parseInstant('2025-05-06T10:10:00.250+03:00')?.toISOString(), '2025-05-06T07:10:00.250Z');
    assert.equal(parseInstant('2025-05-06T07:10Z')?.toISOString(), '2025-05-06T07:10:00.000Z');
    assert.equal(parseInstant('2025-05-06T02:10:00-0500')?.toISOString(), '2025-05-06T07:10:00.000Z');
  });

  it('refuses dates that do not exist and other shapes', () => {
    for (const text of ['2025-02-29T00:00:00Z', '2025-05-06T24:00:00Z', '2025-05-06', '06.05.2025 07:10', '2025-05-06T07:10:00+25:00', '']) {
      assert.equal(parseInstant(text), undefined, text);
    }
  });

  it('reads day-time durations and refuses calendar ones', () => {
    assert.equal(parseDurationMs('PT5M'), 300_000);
    assert.equal(parseDurationMs('PT1H30M15.5S'), 5_415_500);
    assert.equal(parseDurationMs('P1DT1H'), 90_000_000);
    assert.equal(parseDurationMs('P1W'), 604_800_000);
    for (const text of ['P1M', 'P1Y', 'P', 'PT', '5M', 'PT-5M']) assert.equal(parseDurationMs(text), undefined, text);
  });

  it('reads intervals as start/end, start/duration and duration/end', () => {
    const expected = { start: new Date('2025-05-06T07:10:00Z'), end: new Date('2025-05-06T07:15:00Z') };
    assert.deepEqual(parseInterval('2025-05-06T07:10:00Z/2025-05-06T07:15:00Z'), expected);
    assert.deepEqual(parseInterval('2025-05-06T07:10:00Z/PT5M'), expected);
    assert.deepEqual(parseInterval('PT5M/2025-05-06T07:15:00Z'), expected);
    assert.equal(parseInterval('PT5M/PT5M'), undefined);
    assert.equal(parseInterval('2025-05-06T07:10:00Z'), undefined);
  });

  it('takes date text from a plain string or a JSON-LD DateTime literal', () => {
    assert.equal(dateText('2025-05-06T07:10:00Z'), '2025-05-06T07:10:00Z');
    assert.equal(dateText({ '@type': 'DateTime', '@value': '2025-05-06T07:10:00Z' }), '2025-05-06T07:10:00Z');
    assert.equal(dateText(1746515400000), undefined);
  });
});
