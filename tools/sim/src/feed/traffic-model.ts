import type { Direction, StreetSegment } from './segments.js';

/** What a segment's status does to its traffic (FIWARE RoadSegment.status). */
export type SegmentStatus = 'open' | 'closed' | 'limited';

export interface TrafficConditions {
  /** Absent when nothing drove past (a closed street). */
  readonly speedKmh?: number;
  readonly flowVph: number;
  /** Fraction of time a vehicle is over the detector, 0..1. */
  readonly occupancy: number;
}

/** Deterministic PRNG (mulberry32), so a seed replays the same day. */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const helsinkiClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Helsinki',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Local time of day in Espoo as fractional hours (rush hours are local). */
export function helsinkiHour(time: Date): number {
  const parts = helsinkiClock.formatToParts(time);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour + minute / 60;
}

const bump = (hour: number, centre: number, width: number) => Math.exp(-((hour - centre) ** 2) / (2 * width ** 2));
const daytime = (hour: number) => 1 / (1 + Math.exp(-(hour - 6.5) * 2)) - 1 / (1 + Math.exp(-(hour - 21) * 2));

/**
 * Volume over capacity by local hour: quiet nights, a daytime plateau, a
 * morning peak into the campus ("forward") and an evening peak out of it.
 */
export function demandRatio(hour: number, direction: Direction): number {
  const inbound = direction === 'forward';
  const morning = bump(hour, 8, 0.9) * (inbound ? 0.55 : 0.3);
  const evening = bump(hour, 16.5, 1.1) * (inbound ? 0.3 : 0.6);
  return Math.min(0.98, 0.08 + 0.35 * daytime(hour) + morning + evening);
}

/** Metres a vehicle keeps a loop detector occupied: its length plus the loop. */
const OCCUPIED_LENGTH_KM = 0.0065;

/**
 * The traffic one direction of a segment has at a scene time: speed falls
 * steeply as volume nears capacity (rush-hour slowdowns), a limited segment
 * halves speed and capacity, a closed one carries nothing.
 */
export function conditionsAt(
  segment: StreetSegment,
  direction: Direction,
  sceneTime: Date,
  status: SegmentStatus,
  random: () => number,
): TrafficConditions {
  if (status === 'closed') return { flowVph: 0, occupancy: 0 };
  const limited = status === 'limited';
  const noise = (spread: number) => 1 + (random() * 2 - 1) * spread;
  const ratio = Math.min(0.99, demandRatio(helsinkiHour(sceneTime), direction) * noise(0.08) * (limited ? 1.6 : 1));
  const capacity = segment.capacityVph * (limited ? 0.5 : 1);
  const flowVph = Math.round(capacity * ratio);
  const speedKmh = Math.max(3, segment.freeFlowKmh * (1 - 0.8 * ratio ** 3) * noise(0.05) * (limited ? 0.5 : 1));
  const occupancy = Math.min(0.95, (flowVph / speedKmh) * OCCUPIED_LENGTH_KM);
  return { speedKmh: round(speedKmh, 1), flowVph, occupancy: round(occupancy, 3) };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
