import type { Meter } from '@opentelemetry/api';
import type { LinkMetrics } from '../../app/ports.js';

/** The vehicle link's metrics, named in one place (Prometheus adds _total to counters). */
export const LINK_METRIC_NAMES = {
  connectedVehicles: 'fleet_vehicles_connected',
  commandsPending: 'fleet_commands_pending',
  commandsSent: 'fleet_commands_sent',
  commandsResent: 'fleet_commands_resent',
  commandsRejected: 'fleet_commands_rejected',
  commandsAbandoned: 'fleet_commands_abandoned',
  leaseExpiries: 'fleet_lease_expiries',
  orderRepairs: 'fleet_order_repairs',
  vehicleStates: 'fleet_vehicle_states',
} as const;

/**
 * Counters for what the link does (state reports handled per replica, so a
 * benchmark sees what fleet absorbs), and two gauges read when scraped: the
 * streams this replica holds (labelled with its replica id) and the commands
 * waiting for an ack cluster-wide.
 */
export function createLinkMetrics(meter: Meter, observe: { replicaId: string; connected: () => number; pending: () => Promise<number> }): LinkMetrics {
  meter
    .createObservableGauge(LINK_METRIC_NAMES.connectedVehicles, { description: 'Vehicle streams held by this fleet replica' })
    .addCallback((result) => result.observe(observe.connected(), { replica: observe.replicaId }));
  meter
    .createObservableGauge(LINK_METRIC_NAMES.commandsPending, { description: 'Commands recorded and not yet acked or rejected, cluster-wide' })
    .addCallback(async (result) => result.observe(await observe.pending()));
  const sent = meter.createCounter(LINK_METRIC_NAMES.commandsSent, { description: 'Commands written to a vehicle stream, first sends and resends' });
  const resent = meter.createCounter(LINK_METRIC_NAMES.commandsResent, { description: 'Commands written again because no ack came' });
  const rejected = meter.createCounter(LINK_METRIC_NAMES.commandsRejected, { description: 'Commands the vehicle rejected' });
  const abandoned = meter.createCounter(LINK_METRIC_NAMES.commandsAbandoned, { description: 'Commands given up after the send limit' });
  const expiries = meter.createCounter(LINK_METRIC_NAMES.leaseExpiries, { description: 'Vehicles taken OFFLINE after their lease ran out' });
  const repairs = meter.createCounter(LINK_METRIC_NAMES.orderRepairs, { description: 'Vehicles found without the order of their job: resent what remains, or ended the job' });
  const states = meter.createCounter(LINK_METRIC_NAMES.vehicleStates, { description: 'Vehicle state reports this replica has handled' });
  const replica = { replica: observe.replicaId };
  return {
    commandSent(kind, resend) {
      sent.add(1, { kind });
      if (resend) resent.add(1, { kind });
    },
    commandRejected: (kind) => rejected.add(1, { kind }),
    commandAbandoned: (kind) => abandoned.add(1, { kind }),
    leaseExpired: () => expiries.add(1),
    orderRepaired: (outcome) => repairs.add(1, { outcome }),
    stateHandled: () => states.add(1, replica),
  };
}
