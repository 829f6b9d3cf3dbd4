import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPoleFormat } from './pole.js';
import { POLE_READING_SCHEMA } from './schema.js';

const docs = (path: string) => fileURLToPath(new URL(`../../../../../../docs/schemas/${path}`, import.meta.url));
const format = createPoleFormat({ maxBytes: 512 * 1024 });
const parse = (value: unknown) => format.parse({ key: 'p', value: Buffer.from(JSON.stringify(value)), headers: {}, writtenAt: new Date() });

describe('pole readings (Kera schema v1)', () => {
  it('publishes in docs/ exactly the schema ingest validates with', () => {
    assert.deepEqual(JSON.parse(readFileSync(docs('pole-reading.v1.schema.json'), 'utf8')), POLE_READING_SCHEMA);
  });

  it('accepts the documented examples, turning pedestrians into a density per 100 m²', () => {
    const crowded = parse(JSON.parse(readFileSync(docs('examples/pole-reading.v1.crowded.json'), 'utf8')));
    assert.deepEqual(crowded.rejections, []);
    const density = crowded.readings[0]?.reading.values.pedestrianDensity ?? NaN;
    assert.ok(density > 12 && density < 14, `1,040 people on ~7,900 m² is ~13 per 100 m², got ${density}`);
    const icy = parse(JSON.parse(readFileSync(docs('examples/pole-reading.v1.icy-minimal.json'), 'utf8')));
    assert.equal(icy.readings[0]?.reading.values.surface, 'icy');
    assert.equal(icy.readings[0]?.reading.eventTime.toISOString(), '2026-12-02T04:40:00.000Z');
  });

  it('names the failing field and the schema path', () => {
    const example = JSON.parse(readFileSync(docs('examples/pole-reading.v1.crowded.json'), 'utf8'));
    const outcome = parse({ ...example, surface: { state: 'slushy' } });
    assert.equal(outcome.rejections[0]?.rejection.code, 'schema');
    assert.match(outcome.rejections[0]!.rejection.reason, /^\/surface\/state: must be equal to one of the allowed values \["dry","wet","snow","icy","unknown"\] \(schema path #\/properties\/surface\/properties\/state\/enum, pole-reading v1\)$/);
  });

  it('refuses a zone that is not a closed ring or is too large', () => {
    const example = JSON.parse(readFileSync(docs('examples/pole-reading.v1.crowded.json'), 'utf8'));
    const open = { ...example, location: undefined, zone: { id: 'z', area: { type: 'Polygon', coordinates: [[[24.8, 60.18], [24.81, 60.18], [24.81, 60.19], [24.8, 60.19]]] } } };
    delete open.location;
    assert.match(parse(open).rejections[0]!.rejection.reason, /must end where it starts/);
    const huge = { ...open, zone: { id: 'z', area: { type: 'Polygon', coordinates: [[[24.7, 60.1], [24.9, 60.1], [24.9, 60.3], [24.7, 60.1]]] } } };
    assert.match(parse(huge).rejections[0]!.rejection.reason, /^\/zone\/area: expected between 1 m² and 1000000 m²/);
  });
});
