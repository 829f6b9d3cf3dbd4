import type { Meter } from '@opentelemetry/api';
import type { EtaMetrics } from '../../app/eta-ports.js';

/** Live ETA metrics, named in one place (Prometheus adds _total to counters). */
export const ETA_METRIC_NAMES = {
  recomputations: 'fleet_eta_recomputations',
  trafficChanges: 'fleet_eta_traffic_changes',
} as const;

/**
 * How often fleet recomputed an ETA (by cause, and whether it was announced,
 * stayed under the threshold or could not be computed) and how many traffic
 * changes the sweeps applied.
 */
export function createEtaMetrics(meter: Meter): EtaMetrics {
  const recomputations = meter.createCounter(ETA_METRIC_NAMES.recomputations, { description: 'ETA recomputations by cause (traffic, progress) and outcome (changed, unchanged, skipped)' });
  const changes = meter.createCounter(ETA_METRIC_NAMES.trafficChanges, { description: 'Traffic changes from routing applied by the ETA sweep' });
  return {
    recomputed: (cause, outcome) => recomputations.add(1, { cause, outcome }),
    trafficChangesSwept: (count) => changes.add(count),
  };
}
