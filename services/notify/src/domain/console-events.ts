/**
 * What the operator console shows live, and who may see which part of it.
 * Pure: the Kafka mapping builds these, the projection stores them, the SSE
 * stream filters them with `visibleTo`.
 */
import type { Geometry } from 'geojson';

export const CONSOLE_KINDS = ['vehicle', 'job', 'route', 'incident', 'feed', 'ingest-dead-letter', 'traffic'] as const;
export type ConsoleKind = (typeof CONSOLE_KINDS)[number];

export interface LatLon {
  lat: number;
  lon: number;
}

export interface VehicleView {
  id: string;
  kind: string;
  status: string;
  batteryPct: number;
  position: LatLon | null;
  headingDeg: number;
  jobId: string;
  orderId: string;
  lastSeen: string | null;
}

export interface JobView {
  id: string;
  operatorId: string;
  status: string;
  vehicleId: string;
  eta: string | null;
  reason: string;
  pickup: LatLon | null;
  dropoff: LatLon | null;
  updatedAt: string | null;
  version: number;
}

/** One order's path as [lon, lat] lines: base (released to the vehicle) and horizon (planned, not yet released). */
export interface RouteView {
  vehicleId: string;
  jobId: string;
  orderId: string;
  operatorId: string;
  base: [number, number][];
  horizon: [number, number][];
}

export interface IncidentView {
  id: string;
  kind: string;
  severity: string;
  description: string;
  active: boolean;
  validUntil: string | null;
  geometry: Geometry | null;
}

export interface FeedView {
  feed: string;
  sourceTopic: string;
  state: string;
  lastSeenAt: string | null;
  expectedCadenceS: number;
  changedAt: string | null;
}

export interface IngestDeadLetterView {
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  errorCode: string;
  reason: string;
  rejectedAt: string | null;
}

export type ConsoleEvent =
  | { kind: 'vehicle'; data: VehicleView }
  | { kind: 'job'; data: JobView }
  | { kind: 'route'; data: RouteView }
  | { kind: 'incident'; data: IncidentView }
  | { kind: 'feed'; data: FeedView }
  | { kind: 'ingest-dead-letter'; data: IngestDeadLetterView }
  | { kind: 'traffic'; data: { profile: string; trafficVersion: number; edgeIds: number[] } };

/** Who is looking: an admin sees everything, an operator its own jobs and routes. */
export type Viewer = { admin: true } | { admin: false; operatorId: string };

/** A vehicle's job and order ids are an operator's business only for its own job; the console strips them for operators. */
const publicVehicle = (v: VehicleView): VehicleView => ({ ...v, jobId: '', orderId: '' });

/** The event as `viewer` may see it, or undefined when it is none of their business. */
export function visibleTo(event: ConsoleEvent, viewer: Viewer): ConsoleEvent | undefined {
  if (viewer.admin) return event;
  switch (event.kind) {
    case 'job':
    case 'route':
      return event.data.operatorId === viewer.operatorId ? event : undefined;
    case 'vehicle':
      return { kind: 'vehicle', data: publicVehicle(event.data) };
    case 'ingest-dead-letter':
      return undefined;
    case 'incident':
    case 'feed':
    case 'traffic':
      return event;
  }
}

/** Splits an order's sequence into base and horizon lines; the last base point starts the horizon so the lines join. */
export function splitRoute(parts: { sequenceId: number; released: boolean; points: LatLon[] }[]): Pick<RouteView, 'base' | 'horizon'> {
  const base: [number, number][] = [];
  const horizon: [number, number][] = [];
  for (const part of [...parts].sort((a, b) => a.sequenceId - b.sequenceId)) {
    const target = part.released ? base : horizon;
    if (!part.released && horizon.length === 0 && base.length > 0) horizon.push(base.at(-1)!);
    for (const p of part.points) target.push([p.lon, p.lat]);
  }
  return { base, horizon };
}

/** Parses `?kinds=vehicle,job`; all kinds when empty. Throws with the unknown names. */
export function parseKinds(text: string | undefined): Set<ConsoleKind> {
  if (!text) return new Set(CONSOLE_KINDS);
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(CONSOLE_KINDS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`kinds: unknown ${unknown.join(', ')}; expected some of ${CONSOLE_KINDS.join(', ')}`);
  return new Set(names as ConsoleKind[]);
}
