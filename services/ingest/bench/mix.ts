/**
 * A realistic mix of the five city formats for the ingest benchmark: many
 * stations reporting a few readings each within a minute, every record unique
 * (so each valid one is accounted for by a window sample, an incident or a
 * dead letter), and a share of invalid records of every kind.
 */
import { gzipSync } from 'node:zlib';

export interface BenchRecord {
  readonly topic: keyof typeof SHARE;
  readonly key: string;
  readonly value: Buffer;
  readonly invalid: boolean;
  /** What output reflects it, for lag: location|minute of a window, an incident id, or the value (dead letters). */
  readonly location?: string;
  /** The reading's dedupe identity: a record repeating one is a duplicate ingest merges once. */
  readonly reading: string;
}

/** Share of each format among the valid records. */
export const SHARE = { tms: 0.4, weather: 0.15, pole: 0.2, ngsi: 0.18, situations: 0.07 } as const;
export const INVALID_SHARE = 0.05;
export const TMS_STATIONS = 200;
export const WEATHER_STATIONS = 40;
const POLES = 100;
const NGSI_ENTITIES = 150;
const BOUNDS = { minLon: 24.815, minLat: 60.181, maxLon: 24.845, maxLat: 60.191 };

const grid = (i: number, n: number): [number, number] => {
  const side = Math.ceil(Math.sqrt(n));
  return [BOUNDS.minLon + ((i % side) + 0.5) * ((BOUNDS.maxLon - BOUNDS.minLon) / side), BOUNDS.minLat + (Math.floor(i / side) + 0.5) * ((BOUNDS.maxLat - BOUNDS.minLat) / side)];
};

/** Digitraffic station listings for the generated stations (written to files for ingest's config). */
export function stationListing(n: number, firstId: number) {
  return {
    type: 'FeatureCollection',
    features: Array.from({ length: n }, (_, i) => ({ type: 'Feature', id: firstId + i, geometry: { type: 'Point', coordinates: [...grid(i, n), 0] }, properties: { id: firstId + i, name: `bench_${firstId + i}` } })),
  };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const epoch = (ms: number) => Math.floor(ms / 1000);

/** `count` records whose event times lie within the minute before `nowMs`. */
export function generateMix(count: number, nowMs: number, salt = ''): BenchRecord[] {
  const records: BenchRecord[] = [];
  const counters = { tms: 0, weather: 0, pole: 0, ngsi: 0, situations: 0 };
  const formats = Object.keys(SHARE) as Array<keyof typeof SHARE>;
  for (let i = 0; i < count; i++) {
    if (i % Math.round(1 / INVALID_SHARE) === 7) {
      records.push(invalidRecord(i, nowMs, salt));
      continue;
    }
    let pick = ((i * 0.6180339887) % 1) as number;
    const topic = formats.find((f) => (pick -= SHARE[f]) < 0) ?? 'tms';
    records.push(validRecord(topic, counters[topic]++, nowMs, salt));
  }
  return records;
}

function validRecord(topic: keyof typeof SHARE, n: number, nowMs: number, salt: string): BenchRecord {
  switch (topic) {
    case 'tms': {
      const station = 30001 + (n % TMS_STATIONS);
      const sensor = [5116, 5119, 5122, 5125][Math.floor(n / TMS_STATIONS) % 4]!;
      const t = nowMs - 1000 * (1 + Math.floor(n / (TMS_STATIONS * 4)));
      const value = sensor < 5122 ? 20 + (n % 60) : 100 + (n % 900);
      return { topic, key: `tms-v2/${station}/${sensor}`, value: json({ value, time: epoch(t) }), invalid: false, location: `tms:${station}:${sensor === 5116 || sensor === 5122 ? 1 : 2}|${Math.floor(t / 60_000)}`, reading: `tms-v2/${station}/${sensor}|${epoch(t)}` };
    }
    case 'weather': {
      const station = 2001 + (n % WEATHER_STATIONS);
      const sensor = [31, 36, 3][Math.floor(n / WEATHER_STATIONS) % 3]!;
      const t = nowMs - 1000 * (1 + Math.floor(n / (WEATHER_STATIONS * 3)));
      const value = sensor === 31 ? 1 + (n % 9) : sensor === 36 ? 0.2 + (n % 7) / 10 : -5 + (n % 10);
      return { topic, key: `weather-v2/${station}/${sensor}`, value: json({ value, time: epoch(t) }), invalid: false, location: `weather:${station}|${Math.floor(t / 60_000)}`, reading: `weather-v2/${station}/${sensor}|${epoch(t)}` };
    }
    case 'pole': {
      const pole = `bench-pole-${n % POLES}`;
      const t = nowMs - 1000 * (1 + Math.floor(n / POLES));
      const [lon, lat] = grid(n % POLES, POLES);
      const d = 0.0003;
      const ring = [[lon - d, lat - d / 2], [lon + d, lat - d / 2], [lon + d, lat + d / 2], [lon - d, lat + d / 2], [lon - d, lat - d / 2]];
      const reading = { schemaVersion: 1, poleId: pole, zone: { id: 'z', area: { type: 'Polygon', coordinates: [ring] } }, observedAt: new Date(t).toISOString(), periodS: 60, counts: { pedestrians: n % 50, bikes: 1 }, surface: { state: 'dry' } };
      return { topic, key: pole, value: json(reading), invalid: false, location: `pole:${pole}/z|${Math.floor(t / 60_000)}`, reading: `${pole}|${reading.observedAt}` };
    }
    case 'ngsi': {
      const id = `urn:ngsi-ld:TrafficFlowObserved:bench-${n % NGSI_ENTITIES}`;
      const end = nowMs - 1000 * (1 + Math.floor(n / NGSI_ENTITIES));
      const [lon, lat] = grid(n % NGSI_ENTITIES, NGSI_ENTITIES);
      const entity = { id, type: 'TrafficFlowObserved', dateObserved: new Date(end).toISOString(), location: { type: 'Point', coordinates: [lon, lat] }, averageVehicleSpeed: 15 + (n % 40) };
      return { topic, key: id, value: json(entity), invalid: false, location: `${id}|${Math.floor(end / 60_000)}`, reading: `${id}|${entity.dateObserved}` };
    }
    case 'situations': {
      const [lon, lat] = grid(n % 60, 60);
      const t = new Date(nowMs - 30_000).toISOString();
      const feature = { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { situationId: `GUID-bench-${salt}${n}`, situationType: n % 2 ? 'ROAD_WORK' : 'TRAFFIC_ANNOUNCEMENT', version: 1, versionTime: t, announcements: [{ title: `bench ${n}`, timeAndDuration: { startTime: t } }] } };
      const value = n % 3 === 0 ? Buffer.from(gzipSync(json(feature)).toString('base64')) : json(feature);
      return { topic, key: `traffic-message-v2/simple/${feature.properties.situationType}`, value, invalid: false, location: `digitraffic:${feature.properties.situationId}`, reading: feature.properties.situationId };
    }
  }
}

function invalidRecord(i: number, nowMs: number, salt: string): BenchRecord {
  const kind = Math.floor(i / 20) % 5;
  const tag = `${salt}${i}`;
  const reading = `invalid|${tag}`;
  const time = epoch(nowMs - 5_000);
  switch (kind) {
    case 0:
      return { topic: 'tms', key: 'tms-v2/30001/5116', value: Buffer.from(`{"value": ${i}, "tag": "${tag}", "time": `), invalid: true, reading };
    case 1:
      return { topic: 'tms', key: `tms-v2/99${i}/5116`, value: json({ value: 50, time, tag }), invalid: true, reading };
    case 2:
      return { topic: 'weather', key: 'weather-v2/2001/36', value: json({ value: -3 - i, time, tag }), invalid: true, reading };
    case 3:
      return { topic: 'pole', key: 'p', value: json({ schemaVersion: 1, poleId: `bad-${tag}`, counts: { pedestrians: -1 } }), invalid: true, reading };
    default:
      return { topic: 'ngsi', key: 'n', value: json({ id: `urn:bad:${tag}`, type: 'TrafficFlowObserved', dateObserved: new Date(nowMs).toISOString() }), invalid: true, reading };
  }
}
