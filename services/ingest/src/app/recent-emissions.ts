import type { IncidentMark } from './ports.js';

/**
 * What this instance has recently made durable, for a chunk prepared while
 * the chunk before it was still being delivered: that chunk read the emitted
 * marks in Redis before the previous delivery set them, so a window or an
 * incident version both carry would go out twice. Only ever says "already
 * out" for outputs that are on the broker, so forgetting (a bounded memory, a
 * restart) costs at most a repeated output, never a lost one; the marks in
 * Redis stay the shared truth across replicas.
 */
export interface RecentEmissions {
  /** An observation of this window with at least this sample count is out. */
  windowOut(locationId: string, windowStartMs: number, sampleCount: number): boolean;
  /** This incident version, or a newer one, is out (the same rule as the marks in Redis). */
  incidentOut(mark: IncidentMark): boolean;
  /** Call once the outputs are durable. */
  remember(windows: ReadonlyArray<{ locationId: string; windowStartMs: number; sampleCount: number }>, incidents: readonly IncidentMark[]): void;
}

export function createRecentEmissions(limit = 50_000): RecentEmissions {
  const windows = new Map<string, number>();
  const incidents = new Map<string, IncidentMark>();
  const windowKey = (locationId: string, windowStartMs: number) => `${locationId}|${windowStartMs}`;
  const keep = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key);
    map.set(key, value);
    // Oldest first: a Map iterates in insertion order.
    for (const oldest of map.keys()) {
      if (map.size <= limit) break;
      map.delete(oldest);
    }
  };
  return {
    windowOut: (locationId, windowStartMs, sampleCount) => (windows.get(windowKey(locationId, windowStartMs)) ?? 0) >= sampleCount,
    incidentOut(mark) {
      const out = incidents.get(mark.incidentId);
      return out !== undefined && (mark.orderMs < out.orderMs || (mark.orderMs === out.orderMs && mark.fingerprint === out.fingerprint));
    },
    remember(emittedWindows, emittedIncidents) {
      for (const w of emittedWindows) {
        const key = windowKey(w.locationId, w.windowStartMs);
        if (w.sampleCount > (windows.get(key) ?? 0)) keep(windows, key, w.sampleCount);
      }
      for (const m of emittedIncidents) {
        const out = incidents.get(m.incidentId);
        if (!out || m.orderMs >= out.orderMs) keep(incidents, m.incidentId, m);
      }
    },
  };
}
