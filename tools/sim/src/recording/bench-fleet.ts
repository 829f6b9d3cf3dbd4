/** Where a benchmark's virtual vehicles stand: spread over given places, robots and shuttles mixed. */
import type { LatLon } from '../vehicles/geo.js';
import type { SimVehicleConfig } from '../vehicles/index.js';

/**
 * `robots` robots then `shuttles` shuttles, ids `<prefix>-robot-<n>` / `<prefix>-shuttle-<n>`,
 * standing at the places in turn; vehicles sharing a place stand about a metre apart.
 */
export function benchFleet(options: { prefix: string; robots: number; shuttles: number; places: readonly LatLon[] }): SimVehicleConfig[] {
  const { prefix, places } = options;
  if (places.length === 0) throw new Error('benchFleet needs at least one place');
  const at = (i: number): LatLon => {
    const base = places[i % places.length]!;
    const round = Math.floor(i / places.length);
    return { lat: base.lat + round * 0.00001, lon: base.lon + round * 0.000015 };
  };
  const battery = (i: number) => 100 - ((i * 7) % 15);
  const robots = Array.from({ length: options.robots }, (_, i): SimVehicleConfig => ({ id: `${prefix}-robot-${i + 1}`, kind: 'ROBOT', start: at(i), batteryPct: battery(i) }));
  const shuttles = Array.from({ length: options.shuttles }, (_, i): SimVehicleConfig => ({
    id: `${prefix}-shuttle-${i + 1}`,
    kind: 'SHUTTLE',
    start: at(options.robots + i),
    batteryPct: battery(i + 3),
  }));
  return [...robots, ...shuttles];
}
