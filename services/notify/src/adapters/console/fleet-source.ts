import * as grpc from '@grpc/grpc-js';
import { FleetServiceClient } from '@kera/proto/fleet/v1/fleet';
import type { VehicleView } from '../../domain/console-events.js';
import { toVehicleView } from '../kafka/console-mapping.js';

/**
 * The vehicles' current state from fleet's ListVehicles, asked with the
 * console user's own token, so fleet decides what that caller may see (an
 * operator gets job and order ids only for its own jobs).
 */
export function createFleetSource(options: { address: string; deadlineMs: number }) {
  const client = new FleetServiceClient(options.address, grpc.credentials.createInsecure());
  return {
    vehicles(authorization: string): Promise<VehicleView[]> {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', authorization);
      return new Promise((resolve, reject) =>
        client.listVehicles({}, metadata, { deadline: Date.now() + options.deadlineMs }, (err, res) =>
          err ? reject(err) : resolve(res.vehicles.map((v) => toVehicleView(v))),
        ),
      );
    },
    close: () => client.close(),
  };
}

export type FleetSource = ReturnType<typeof createFleetSource>;
