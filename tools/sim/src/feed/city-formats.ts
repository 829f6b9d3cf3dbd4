/**
 * The city's other providers, next to the NGSI-LD scenario: Digitraffic TMS
 * stations and a road-weather station (MQTT topic path in the Kafka key, body
 * {"value", "time"}), Digitraffic traffic messages (GeoJSON, now and then in
 * the MQTT stream's gzip+base64 form) and smart-pole readings (Kera's pole
 * reading v1). Stations and sensors are those of services/ingest/data.
 */
import { gzipSync } from 'node:zlib';
import { OTANIEMI_SEGMENTS, type Direction, type StreetSegment } from './segments.js';
import { conditionsAt, helsinkiHour } from './traffic-model.js';

export type CityFormat = 'ngsi' | 'tms' | 'weather' | 'situations' | 'pole';
export const CITY_FORMATS: readonly CityFormat[] = ['ngsi', 'tms', 'weather', 'situations', 'pole'];

/** One provider message, as the feed publishes and records it. */
export interface FeedMessage {
  readonly format: CityFormat;
  readonly key: string;
  /** JSON, or (gzip+base64 traffic messages) a string. */
  readonly value: unknown;
}

interface TmsStation {
  readonly id: number;
  readonly segmentId: string;
  /** The segment direction the station's direction 1 (SUUNTA1) counts. */
  readonly direction1: Direction;
}

/** services/ingest/data/tms-stations.json */
export const TMS_STATIONS: readonly TmsStation[] = [
  { id: 23901, segmentId: 'otakaari-north', direction1: 'forward' },
  { id: 23902, segmentId: 'otaniementie-west', direction1: 'forward' },
];
const SPEED = { 1: 5116, 2: 5119 } as const;
const FLOW = { 1: 5122, 2: 5125 } as const;
export const WEATHER_STATION = 1901;
const KELI_1 = 31;
const KITKA1_LUKU = 36;
const TIE_1 = 3;

/** Campus walkway zones watched by smart poles (around the robots' usual paths). */
export const POLE_ZONES = [
  { poleId: 'lt5g-pole-07', zoneId: 'otakaari-north-walkway', location: [24.827, 60.1865], ring: [[24.8262, 60.1861], [24.8278, 60.1861], [24.8278, 60.1869], [24.8262, 60.1869], [24.8262, 60.1861]] },
  { poleId: 'lt5g-pole-12', zoneId: 'servin-maijan-tie', location: [24.8345, 60.1889], ring: [[24.8338, 60.1885], [24.8352, 60.1885], [24.8352, 60.1893], [24.8338, 60.1893], [24.8338, 60.1885]] },
] as const;

const epoch = (d: Date): number => Math.floor(d.getTime() / 1000);
const segmentById = (id: string): StreetSegment => OTANIEMI_SEGMENTS.find((s) => s.id === id) ?? OTANIEMI_SEGMENTS[0]!;

/** TMS: average speed and vehicles per hour per station direction, from the same traffic model as the NGSI feed. */
export function tmsMessages(now: Date, sceneTime: Date, random: () => number): FeedMessage[] {
  return TMS_STATIONS.flatMap((station) => {
    const segment = segmentById(station.segmentId);
    return ([1, 2] as const).flatMap((dir) => {
      const direction: Direction = (dir === 1) === (station.direction1 === 'forward') ? 'forward' : 'backward';
      if (!segment.directions.includes(direction)) return [];
      const c = conditionsAt(segment, direction, sceneTime, 'open', random);
      return [
        { format: 'tms' as const, key: `tms-v2/${station.id}/${SPEED[dir]}`, value: { value: Math.round(c.speedKmh ?? 0), time: epoch(now) } },
        { format: 'tms' as const, key: `tms-v2/${station.id}/${FLOW[dir]}`, value: { value: Math.round(c.flowVph), time: epoch(now) } },
      ];
    });
  });
}

/** Road weather: frosty before 07:30 scene time (icy), wet at midday, dry otherwise. */
export function weatherMessages(now: Date, sceneTime: Date): FeedMessage[] {
  const hour = helsinkiHour(sceneTime);
  const icy = hour < 7.5 || hour >= 22;
  const wet = !icy && hour >= 11 && hour < 13;
  const state = icy ? 7 : wet ? 3 : 1; // KELI_1 sensorValueDescriptions: 7 Ice, 3 Wet, 1 Dry
  const time = epoch(now);
  const key = (sensor: number) => `weather-v2/${WEATHER_STATION}/${sensor}`;
  return [
    { format: 'weather', key: key(KELI_1), value: { value: state, time } },
    { format: 'weather', key: key(KITKA1_LUKU), value: { value: icy ? 0.22 : wet ? 0.55 : 0.8, time } },
    { format: 'weather', key: key(TIE_1), value: { value: icy ? -3.5 : 4.0, time } },
  ];
}

/** Pole zones (~7,000 m² each): crowds at class changes (a few minutes around each full scene hour, ~15 people per 100 m²) and at lunch. */
export function poleMessages(now: Date, sceneTime: Date, random: () => number): FeedMessage[] {
  const hour = helsinkiHour(sceneTime);
  const minute = (hour % 1) * 60;
  const classChange = minute >= 55 || minute < 5;
  const lunch = hour >= 11 && hour < 12.5;
  return POLE_ZONES.map((zone) => {
    const base = 5 + random() * 10;
    const pedestrians = Math.round(classChange ? 900 + random() * 300 : lunch ? 500 + random() * 100 : base);
    return {
      format: 'pole' as const,
      key: zone.poleId,
      value: {
        schemaVersion: 1,
        poleId: zone.poleId,
        location: { type: 'Point', coordinates: zone.location },
        zone: { id: zone.zoneId, area: { type: 'Polygon', coordinates: [zone.ring] } },
        observedAt: now.toISOString(),
        periodS: 60,
        counts: { pedestrians, bikes: Math.round(random() * 6), vehicles: 0 },
        surface: { state: hour < 7.5 ? 'icy' : 'dry', temperatureC: hour < 7.5 ? -3.5 : 4.0 },
      },
    };
  });
}

/** A ROAD_WORK closing a segment (version 1), and its ENDED version when it is lifted. */
export function roadWorkMessage(situationId: string, segment: StreetSegment, now: Date, version: number, ended: boolean, compressed: boolean): FeedMessage {
  const feature = {
    type: 'Feature',
    geometry: ended ? null : { type: 'MultiLineString', coordinates: [segment.coordinates] },
    properties: {
      situationId,
      situationType: 'ROAD_WORK',
      trafficAnnouncementType: ended ? 'ENDED' : null,
      version,
      releaseTime: now.toISOString(),
      versionTime: now.toISOString(),
      announcements: [
        {
          language: 'FI',
          title: `${segment.name}, Espoo. Tietyö. `,
          location: { countryCode: 6, locationTableNumber: 17, description: `${segment.name}, Espoo.` },
          features: [],
          roadWorkPhases: [{ id: `${situationId}-1`, timeAndDuration: { startTime: now.toISOString() }, restrictions: [{ type: 'ROAD_CLOSED', restriction: { name: 'Tie suljettu' } }], severity: 'HIGH' }],
          timeAndDuration: { startTime: now.toISOString() },
          sender: 'Fintraffic Tieliikennekeskus Helsinki',
        },
      ],
    },
  };
  const value = compressed ? gzipSync(Buffer.from(JSON.stringify(feature))).toString('base64') : feature;
  return { format: 'situations', key: 'traffic-message-v2/simple/ROAD_WORK', value };
}

/** Road works every `every` ticks, lasting `lasting` ticks; every other message in the gzip+base64 form. */
export function createRoadWorks(every: number, lasting: number, random: () => number) {
  let active: { id: string; segment: StreetSegment; untilTick: number } | undefined;
  let count = 0;
  return (tick: number, now: Date): FeedMessage[] => {
    if (active && tick >= active.untilTick) {
      const ended = active;
      active = undefined;
      count += 1;
      return [roadWorkMessage(ended.id, ended.segment, now, 2, true, count % 2 === 0)];
    }
    if (active || every <= 0 || tick === 0 || (tick + Math.floor(every / 2)) % every !== 0) return [];
    const segment = OTANIEMI_SEGMENTS[Math.floor(random() * OTANIEMI_SEGMENTS.length)]!;
    count += 1;
    active = { id: `GUID-kera-sim-${epoch(now)}`, segment, untilTick: tick + lasting };
    return [roadWorkMessage(active.id, segment, now, 1, false, count % 2 === 0)];
  };
}
