import { metrics } from '@opentelemetry/api';

/** Every metric routing exports, named in one place. No-ops until telemetry is started. */
export function createRoutingMetrics() {
  const meter = metrics.getMeter('routing');
  let trafficVersion = 0;
  meter
    .createObservableGauge('routing_traffic_version', { description: 'Traffic version of the live edge weights' })
    .addCallback((result) => result.observe(trafficVersion));
  return {
    queryDuration: meter.createHistogram('routing_query_duration_ms', {
      description: 'Time to answer a routing query',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [0.5, 1, 2, 5, 10, 20, 50, 100, 300, 1000] },
    }),
    trafficMessages: meter.createCounter('routing_traffic_messages_total', {
      description: 'Traffic observations and incidents consumed, by topic and outcome',
    }),
    weightSwaps: meter.createCounter('routing_weight_swaps_total', { description: 'Live weight swaps' }),
    changedEdges: meter.createCounter('routing_changed_edges_total', { description: 'Edges whose weight changed in a swap' }),
    setTrafficVersion(version: number) {
      trafficVersion = version;
    },
  };
}

export type RoutingMetrics = ReturnType<typeof createRoutingMetrics>;
