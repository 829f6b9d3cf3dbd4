/**
 * Kera's smart-pole reading, version 1: the JSON Schema (draft 2020-12) that
 * `docs/schemas/pole-reading.v1.schema.json` publishes (a test keeps the two
 * equal). A new major version gets a new `$id` and `schemaVersion`.
 */
export const POLE_READING_SCHEMA_ID = 'https://kera.example/schemas/pole-reading.v1.schema.json';

const position = { type: 'array', minItems: 2, maxItems: 3, prefixItems: [{ type: 'number', minimum: -180, maximum: 180 }, { type: 'number', minimum: -90, maximum: 90 }], items: { type: 'number' } };

export const POLE_READING_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: POLE_READING_SCHEMA_ID,
  title: 'Kera smart-pole reading, v1',
  description:
    'One reading of one pole zone: camera/radar object counts and the road-surface state over a period. Topic city.pole-sensors.v1, Kafka key = poleId.',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'poleId', 'zone', 'observedAt', 'periodS', 'counts'],
  properties: {
    schemaVersion: { const: 1, description: 'Major version of this schema.' },
    poleId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$', description: 'Stable id of the pole.' },
    readingId: { type: 'string', minLength: 1, maxLength: 128, description: "The pole's own id of this reading (optional; dedupe uses pole, zone and observedAt)." },
    location: {
      description: 'Where the pole stands: a GeoJSON Point, inside the zone.',
      type: 'object',
      additionalProperties: false,
      required: ['type', 'coordinates'],
      properties: { type: { const: 'Point' }, coordinates: position },
    },
    zone: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'area'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$', description: 'Zone id, unique per pole.' },
        area: {
          description: 'The watched area: a GeoJSON Polygon ([lon, lat] positions, closed ring) between 1 m² and 1 km².',
          type: 'object',
          additionalProperties: false,
          required: ['type', 'coordinates'],
          properties: {
            type: { const: 'Polygon' },
            coordinates: { type: 'array', minItems: 1, items: { type: 'array', minItems: 4, maxItems: 1000, items: position } },
          },
        },
      },
    },
    observedAt: { type: 'string', format: 'date-time', description: 'End of the period (UTC or with offset).' },
    periodS: { type: 'integer', minimum: 1, maximum: 3600, description: 'Length of the period the counts describe, seconds.' },
    counts: {
      description: 'Mean number of each kind of object present in the zone during the period.',
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        pedestrians: { type: 'number', minimum: 0, maximum: 10000 },
        bikes: { type: 'number', minimum: 0, maximum: 10000 },
        vehicles: { type: 'number', minimum: 0, maximum: 10000 },
      },
    },
    surface: {
      type: 'object',
      additionalProperties: false,
      properties: {
        state: { enum: ['dry', 'wet', 'snow', 'icy', 'unknown'] },
        temperatureC: { type: 'number', minimum: -60, maximum: 80 },
      },
    },
  },
} as const;
